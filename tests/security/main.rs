//! Security checks over real HTTP against `stva-dev`: forged and defective
//! session tokens, security headers and cookies on every kind of response,
//! and no secret, token or password in the logs of a whole scenario.
//!
//! A binary of its own: it installs a global log subscriber that captures
//! what every test here logs.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod capture;
mod headers;
mod logs;
mod tokens;
