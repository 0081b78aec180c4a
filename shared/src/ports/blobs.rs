//! Binary objects (invoices, purchase orders): S3 in production, files on
//! disk with HMAC-signed expiring URLs locally. Browsers upload and download
//! through presigned URLs; the functions only check and publish.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;

/// A request the client must make as given: method, URL and every header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("invalid object key: {0}")]
    InvalidKey(String),
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// A presigned PUT of exactly `content_length` bytes of `content_type`.
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest, BlobError>;

    /// A presigned GET; `download_name` sets the file name the browser saves.
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> Result<PresignedRequest, BlobError>;

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError>;

    /// The first `len` bytes (fewer if the object is shorter).
    async fn read_prefix(&self, key: &str, len: u64) -> Result<Option<Vec<u8>>, BlobError>;

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError>;

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;

    async fn delete(&self, key: &str) -> Result<(), BlobError>;
}
