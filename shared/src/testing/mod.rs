//! Helpers for tests (feature `testing`): never compiled into a Lambda.

pub mod moto;
