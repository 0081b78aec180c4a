//! Credentials: password hashing, session tokens, single-use link tokens.

pub mod link_tokens;
pub mod passwords;
pub mod session_tokens;
