//! The Spider-VO XML export: any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shared::stock::connectors::spidervo::parse(data);
});
