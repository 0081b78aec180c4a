//! The blob store on S3: presigned PUT/GET for the browser, plain calls for
//! the functions. The bucket is versioned, so a replaced or deleted invoice
//! is never lost.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
    VersioningConfiguration,
};
use time::OffsetDateTime;

use super::mime::attachment_disposition;
use crate::ports::blobs::{BlobError, BlobMeta, BlobStore, PresignedRequest};

/// The longest a SigV4 presigned URL may live; longer TTLs are shortened.
pub const MAX_PRESIGN_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Longest key, in bytes (S3's own limit).
pub const MAX_KEY_BYTES: usize = 1024;

/// The key rules of every blob store: S3's, narrowed so that a key is also a
/// safe relative path and survives URL normalisation: not empty, at most
/// 1024 bytes, no leading `/`, no empty, `.` or `..` segment, no control
/// character.
pub fn validate_key(key: &str) -> Result<(), BlobError> {
    let invalid = |why: &str| Err(BlobError::InvalidKey(format!("{key:?}: {why}")));
    if key.is_empty() {
        return invalid("empty");
    }
    if key.len() > MAX_KEY_BYTES {
        return invalid("longer than 1024 bytes");
    }
    if key.starts_with('/') {
        return invalid("leading '/'");
    }
    if key.chars().any(char::is_control) {
        return invalid("control character");
    }
    if key
        .split('/')
        .any(|segment| segment.is_empty() || segment == "." || segment == "..")
    {
        return invalid("empty, '.' or '..' segment");
    }
    Ok(())
}

/// Shortens the TTL to what SigV4 allows (and at least one second).
pub(crate) fn clamp_ttl(ttl: Duration) -> Duration {
    ttl.clamp(Duration::from_secs(1), MAX_PRESIGN_TTL)
}

fn unavailable<E, R>(operation: &str, err: SdkError<E, R>) -> BlobError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    BlobError::Unavailable(format!("S3 {operation}: {}", DisplayErrorContext(&err)))
}

fn http_status<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    match err {
        SdkError::ServiceError(service) => Some(service.raw().status().as_u16()),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
}

impl S3BlobStore {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Creates the bucket in the client's region when it does not exist and
    /// makes sure versioning is on. Safe to call concurrently and repeatedly.
    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    pub async fn create_bucket_if_missing(&self) -> Result<(), BlobError> {
        let exists = match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => true,
            Err(err) if http_status(&err) == Some(404) => false,
            Err(err) => return Err(unavailable("HeadBucket", err)),
        };
        if !exists {
            let mut create = self.client.create_bucket().bucket(&self.bucket);
            let region = self.client.config().region().map(|r| r.as_ref().to_owned());
            if let Some(region) = region.filter(|r| r != "us-east-1") {
                create = create.create_bucket_configuration(
                    CreateBucketConfiguration::builder()
                        .location_constraint(BucketLocationConstraint::from(region.as_str()))
                        .build(),
                );
            }
            match create.send().await {
                Ok(_) => tracing::info!("bucket created"),
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_bucket_already_owned_by_you()) => {}
                Err(err) => return Err(unavailable("CreateBucket", err)),
            }
        }
        // Always (re)enable versioning: idempotent, one call, and it avoids
        // GetBucketVersioning, whose empty answer moto sends with the wrong
        // XML root (`GetBucketVersioningResponse`) that the SDK cannot parse.
        self.client
            .put_bucket_versioning()
            .bucket(&self.bucket)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(|err| unavailable("PutBucketVersioning", err))?;
        Ok(())
    }

    /// The bytes of the versions an overwrite or a delete replaced, oldest
    /// first (for tests and support tooling; the portal never needs them).
    pub async fn previous_versions(&self, key: &str) -> Result<Vec<Vec<u8>>, BlobError> {
        validate_key(key)?;
        let listing = self
            .client
            .list_object_versions()
            .bucket(&self.bucket)
            .prefix(key)
            .send()
            .await
            .map_err(|err| unavailable("ListObjectVersions", err))?;
        // S3 lists the versions of a key newest first.
        let mut versions: Vec<String> = listing
            .versions()
            .iter()
            .filter(|v| v.key() == Some(key) && v.is_latest() != Some(true))
            .filter_map(|v| v.version_id().map(str::to_owned))
            .collect();
        versions.reverse();
        let mut out = Vec::with_capacity(versions.len());
        for version_id in versions {
            let object = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .version_id(version_id)
                .send()
                .await
                .map_err(|err| unavailable("GetObject", err))?;
            out.push(collect(object.body).await?);
        }
        Ok(out)
    }

    fn presigning(ttl: Duration) -> Result<(PresigningConfig, OffsetDateTime), BlobError> {
        let ttl = clamp_ttl(ttl);
        let start = SystemTime::now();
        let config = PresigningConfig::builder()
            .start_time(start)
            .expires_in(ttl)
            .build()
            .map_err(|err| BlobError::Unavailable(format!("presigning: {err}")))?;
        let expires_at = OffsetDateTime::from(start + ttl);
        Ok((config, expires_at))
    }
}

async fn collect(body: ByteStream) -> Result<Vec<u8>, BlobError> {
    body.collect()
        .await
        .map(|data| data.into_bytes().to_vec())
        .map_err(|err| BlobError::Unavailable(format!("S3 body: {}", DisplayErrorContext(&err))))
}

fn to_request(
    presigned: aws_sdk_s3::presigning::PresignedRequest,
    expires_at: OffsetDateTime,
) -> PresignedRequest {
    let mut headers: Vec<(String, String)> = presigned
        .headers()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    headers.sort();
    PresignedRequest {
        method: presigned.method().to_owned(),
        url: presigned.uri().to_owned(),
        headers,
        expires_at,
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest, BlobError> {
        validate_key(key)?;
        let length = i64::try_from(content_length)
            .map_err(|_| BlobError::Unavailable(format!("content length {content_length}")))?;
        let (config, expires_at) = Self::presigning(ttl)?;
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(config)
            .await
            .map_err(|err| unavailable("presign PutObject", err))?;
        Ok(to_request(presigned, expires_at))
    }

    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> Result<PresignedRequest, BlobError> {
        validate_key(key)?;
        let (config, expires_at) = Self::presigning(ttl)?;
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_response_content_disposition(download_name.map(attachment_disposition))
            .presigned(config)
            .await
            .map_err(|err| unavailable("presign GetObject", err))?;
        Ok(to_request(presigned, expires_at))
    }

    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        validate_key(key)?;
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => Ok(Some(BlobMeta {
                size: output
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                content_type: output.content_type().map(str::to_owned),
            })),
            Err(err) if http_status(&err) == Some(404) => Ok(None),
            Err(err) => Err(unavailable("HeadObject", err)),
        }
    }

    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    async fn read_prefix(&self, key: &str, len: u64) -> Result<Option<Vec<u8>>, BlobError> {
        validate_key(key)?;
        if len == 0 {
            return Ok(self.head(key).await?.map(|_| Vec::new()));
        }
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(format!("bytes=0-{}", len - 1))
            .send()
            .await;
        match result {
            Ok(output) => {
                let mut bytes = collect(output.body).await?;
                bytes.truncate(usize::try_from(len).unwrap_or(usize::MAX));
                Ok(Some(bytes))
            }
            Err(err) if is_missing(&err) => Ok(None),
            // An empty object has no byte 0: S3 answers 416 InvalidRange.
            Err(err) if http_status(&err) == Some(416) => Ok(Some(Vec::new())),
            Err(err) => Err(unavailable("GetObject", err)),
        }
    }

    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        validate_key(key)?;
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => Ok(Some(collect(output.body).await?)),
            Err(err) if is_missing(&err) => Ok(None),
            Err(err) => Err(unavailable("GetObject", err)),
        }
    }

    #[tracing::instrument(skip(self, bytes), fields(bucket = %self.bucket, size = bytes.len()))]
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        validate_key(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|err| unavailable("PutObject", err))?;
        Ok(())
    }

    #[tracing::instrument(skip(self), fields(bucket = %self.bucket))]
    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        validate_key(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|err| unavailable("DeleteObject", err))?;
        Ok(())
    }
}

fn is_missing<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    http_status(err) == Some(404)
        || err
            .as_service_error()
            .is_some_and(|e| e.code() == Some("NoSuchKey"))
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

    use super::*;

    fn store() -> S3BlobStore {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-3"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url("http://127.0.0.1:9")
            .force_path_style(true)
            .build();
        S3BlobStore::new(Client::from_conf(config), "stva-invoices")
    }

    fn query(url: &str, name: &str) -> Option<String> {
        let url = url::Url::parse(url).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    #[test]
    fn keys_are_validated() {
        assert!(validate_key("invoices/ORDER-1/facture été.pdf").is_ok());
        assert!(validate_key(&"a".repeat(1024)).is_ok());
        for bad in [
            String::new(),
            "/a".to_owned(),
            "a/../b".to_owned(),
            "..".to_owned(),
            "a/./b".to_owned(),
            "a//b".to_owned(),
            "a/".to_owned(),
            "a\0b".to_owned(),
            "a\nb".to_owned(),
            "a".repeat(1025),
        ] {
            assert!(
                matches!(validate_key(&bad), Err(BlobError::InvalidKey(_))),
                "{bad:?}"
            );
        }
    }

    #[tokio::test]
    async fn presigned_put_signs_type_and_length() {
        let store = store();
        let before = OffsetDateTime::now_utc();
        let request = store
            .presign_put(
                "invoices/o-1/facture.pdf",
                "application/pdf",
                1234,
                Duration::from_secs(900),
            )
            .await
            .expect("presign");
        assert_eq!(request.method, "PUT");
        let url = url::Url::parse(&request.url).expect("url");
        assert_eq!(url.path(), "/stva-invoices/invoices/o-1/facture.pdf");
        assert_eq!(query(&request.url, "X-Amz-Expires").as_deref(), Some("900"));
        let signed = query(&request.url, "X-Amz-SignedHeaders").expect("signed headers");
        let signed: Vec<&str> = signed.split(';').collect();
        assert!(signed.contains(&"content-type"), "{signed:?}");
        assert!(signed.contains(&"content-length"), "{signed:?}");
        assert!(signed.contains(&"host"), "{signed:?}");
        assert!(query(&request.url, "X-Amz-Signature").is_some());
        assert!(
            request
                .headers
                .contains(&("content-type".into(), "application/pdf".into()))
        );
        assert!(
            request
                .headers
                .contains(&("content-length".into(), "1234".into()))
        );
        let ttl = request.expires_at - before;
        assert!(ttl >= time::Duration::seconds(899) && ttl <= time::Duration::seconds(901));
    }

    #[tokio::test]
    async fn presigned_get_sets_the_download_name_and_caps_the_ttl() {
        let store = store();
        let request = store
            .presign_get(
                "invoices/o-1/facture.pdf",
                Duration::from_secs(30 * 24 * 3600),
                Some("Facture été.pdf"),
            )
            .await
            .expect("presign");
        assert_eq!(request.method, "GET");
        assert_eq!(
            query(&request.url, "X-Amz-Expires").as_deref(),
            Some("604800")
        );
        assert_eq!(
            query(&request.url, "response-content-disposition").as_deref(),
            Some(
                "attachment; filename=\"Facture ete.pdf\"; filename*=UTF-8''Facture%20%C3%A9t%C3%A9.pdf"
            )
        );
        let plain = store
            .presign_get("a.pdf", Duration::from_secs(60), None)
            .await
            .expect("presign");
        assert_eq!(query(&plain.url, "response-content-disposition"), None);
        assert!(plain.headers.is_empty(), "{:?}", plain.headers);
    }

    #[tokio::test]
    async fn invalid_keys_never_reach_s3() {
        let store = store();
        let err = store
            .presign_put(
                "../etc/passwd",
                "application/pdf",
                1,
                Duration::from_secs(60),
            )
            .await
            .expect_err("invalid");
        assert!(matches!(err, BlobError::InvalidKey(_)));
        assert!(matches!(
            store.head("/a").await,
            Err(BlobError::InvalidKey(_))
        ));
    }
}
