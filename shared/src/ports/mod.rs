//! Ports: what the use cases need from the outside world, as traits.
//! Each has a production adapter (AWS) and an embedded one (one machine);
//! `shared/tests/conformance` runs the same suite against both.

pub mod blobs;
pub mod clock;
pub mod erp;
pub mod mailer;
pub mod table;
pub mod table_rules;

pub use blobs::{BlobError, BlobMeta, BlobStore, PresignedRequest};
pub use clock::{Clock, SystemClock};
pub use mailer::{Attachment, Email, MailError, Mailer};
pub use table::{
    Condition, Index, IndexKey, Item, Key, QueryPage, QueryRequest, SortKeyCondition, StoreError,
    Table, Write,
};
