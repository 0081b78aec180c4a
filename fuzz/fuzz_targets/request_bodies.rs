//! Any request body through the API's JSON decoding (the `ApiJson`
//! extractor's `parse_json`, which names the faulty field in French) into
//! the request types, then the domain's validation: a value or a French
//! problem, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::app::invitations::AcceptInput;
use shared::app::quotes::QuoteInput;
use shared::app::stock_sync::ConnectionInput;
use shared::app::vehicles::{VehicleInput, VehiclePatch};
use shared::domain::{AddressInput, EmailAddress, PersonName, validate_password};
use shared::http::extract::parse_json;

fuzz_target!(|data: &[u8]| {
    if let Ok(address) = parse_json::<AddressInput>(data) {
        let _ = address.validate();
    }
    let _ = parse_json::<QuoteInput>(data);
    let _ = parse_json::<VehicleInput>(data);
    let _ = parse_json::<VehiclePatch>(data);
    let _ = parse_json::<ConnectionInput>(data);
    if let Ok(accept) = parse_json::<AcceptInput>(data) {
        if let Some(name) = accept.name.as_deref() {
            let _ = EmailAddress::parse(name);
            let _ = PersonName::parse(name);
        }
        if let Some(password) = accept.password.as_deref() {
            let _ = validate_password(password, accept.name.as_deref());
        }
    }
});
