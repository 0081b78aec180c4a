//! Any answer of the ERP (status and body) through the client's decoding
//! of each call of the contract: an error or a value, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::adapters::erp_http::{decode_changes, decode_estimate, decode_order};

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data.split_first() {
        // The first byte picks a status among those the contract knows.
        Some((first, body)) => ([200, 201, 400, 404, 409, 410, 422, 302, 100][*first as usize % 9], body),
        None => (200, data),
    };
    let _ = decode_estimate(status, body);
    let _ = decode_order(status, body);
    let _ = decode_changes(status, body);
});
