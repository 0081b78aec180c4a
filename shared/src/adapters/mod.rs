//! Adapters: the ports' implementations. Only this module imports an AWS SDK
//! or talks to a database file; `AttributeValue` never leaves `dynamodb`.

pub mod dynamodb;
pub mod erp_http;
pub mod local_blobs;
pub mod mime;
pub mod no_erp;
pub mod outbox;
pub mod s3;
pub mod secrets_manager;
pub mod ses;
pub mod sqlite;
pub mod tls;
