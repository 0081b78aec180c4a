//! Helpers for tests (feature `testing`): never compiled into a Lambda.

pub mod fixtures;
pub mod iam;
pub mod lambda_events;
pub mod moto;
