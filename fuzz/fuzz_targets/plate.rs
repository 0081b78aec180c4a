//! A plate as typed: any text, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shared::domain::Plate::parse(&String::from_utf8_lossy(data));
});
