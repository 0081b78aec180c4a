//! Any text as a session token, and any link token: a refusal or the
//! claims of a token this key signed, never a panic.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use shared::security::session_tokens::SessionTokens;

fn tokens() -> &'static SessionTokens {
    static TOKENS: OnceLock<SessionTokens> = OnceLock::new();
    TOKENS.get_or_init(|| {
        SessionTokens::new(b"fuzz-secret-fuzz-secret-fuzz-secret!", Duration::from_secs(3600))
            .unwrap_or_else(|_| std::process::abort())
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // Nothing but a token signed with this key may pass.
        if tokens().verify(text).is_ok() {
            std::process::abort();
        }
        let _ = shared::security::link_tokens::hash(text);
    }
});
