//! End-to-end tests over real HTTP against `stva-dev`, on the embedded
//! backend and on the AWS adapters with the local emulator (moto).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod authorization_matrix;
mod back_office;
mod bad_input;
mod concurrency;
mod drills;
mod erp_faults;
mod identity;
mod invoices;
mod openapi;
mod ordering;
mod stock;
mod stock_sync;
