//! The STVA portal's library crate: the domain, the use cases written against
//! ports, the adapters (AWS and embedded) and the shared HTTP pieces.

pub mod adapters;
pub mod app;
pub mod config;
pub mod documents;
pub mod domain;
pub mod emails;
pub mod error;
pub mod http;
pub mod policy;
pub mod ports;
pub mod repo;
pub mod runtime;
pub mod security;
pub mod services;
pub mod stock;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::{AppError, AppResult};
pub use services::Services;
