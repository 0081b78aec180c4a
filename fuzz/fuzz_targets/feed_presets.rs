//! The CSV/XML feed importer: every preset mapping on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::stock::connectors::feed::{self, Preset};

fuzz_target!(|data: &[u8]| {
    for preset in Preset::ALL {
        let _ = feed::parse(&preset.mapping(), data);
    }
});
