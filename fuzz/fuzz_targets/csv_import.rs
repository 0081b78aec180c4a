//! The manual stock CSV upload: any bytes, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shared::stock::csv::parse(data);
    let _ = shared::stock::connectors::manual::parse(data);
});
