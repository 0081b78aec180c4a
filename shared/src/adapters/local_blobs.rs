//! The blob store on local disk, for one-machine runs: S3's behaviour with
//! files and HMAC-signed expiring URLs served by [`routes`] (mounted by the
//! dev server at `/_dev/blobs`).
//!
//! Layout under `root` (mirrored trees, so no key can collide with another
//! key's metadata):
//! - `objects/<key>`: the bytes;
//! - `meta/<key>`: a JSON sidecar with the content type;
//! - `versions/<key>/<timestamp>-<id>` (+ `.meta.json`): every version an
//!   overwrite or a delete replaced, like a versioned bucket;
//! - `tmp/`: uploads in progress, renamed into place when complete.
//!
//! As on a file system, a key cannot be both an object and a "folder" of
//! other keys (`a` and `a/b`): the second write fails with `Unavailable`.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::mime::attachment_disposition;
use super::s3::{clamp_ttl, validate_key};
use crate::ports::blobs::{BlobError, BlobMeta, BlobStore, PresignedRequest};
use crate::ports::clock::{Clock, SystemClock};

type HmacSha256 = Hmac<Sha256>;

/// Characters kept as they are in a URL path segment (RFC 3986 unreserved).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    content_type: String,
    #[serde(with = "time::serde::rfc3339")]
    stored_at: OffsetDateTime,
}

pub struct LocalBlobStore {
    root: PathBuf,
    public_base_url: String,
    secret: Vec<u8>,
    clock: Arc<dyn Clock>,
    /// Serialises the commits (archive the old version, rename the new one).
    commit_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for LocalBlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalBlobStore")
            .field("root", &self.root)
            .field("public_base_url", &self.public_base_url)
            .finish_non_exhaustive()
    }
}

fn io_error(context: &str, err: std::io::Error) -> BlobError {
    BlobError::Unavailable(format!("{context}: {err}"))
}

fn is_absent(err: &std::io::Error) -> bool {
    matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory)
}

/// Writes `bytes` to a fresh file in `tmp` and renames it to `path`.
async fn write_atomically(tmp: &Path, path: &Path, bytes: &[u8]) -> Result<(), BlobError> {
    let staging = tmp.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&staging, bytes)
        .await
        .map_err(|e| io_error("write", e))?;
    rename_into(&staging, path).await
}

async fn rename_into(from: &Path, to: &Path) -> Result<(), BlobError> {
    if let Some(parent) = to.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| io_error("create folder", e))?;
    }
    match tokio::fs::rename(from, to).await {
        Ok(()) => Ok(()),
        Err(err) => {
            let _ = tokio::fs::remove_file(from).await;
            Err(io_error("rename", err))
        }
    }
}

impl LocalBlobStore {
    /// `public_base_url` is where the dev server answers (`http://127.0.0.1:3000`);
    /// presigned URLs point at `{public_base_url}/_dev/blobs/{key}`.
    pub fn new(root: PathBuf, public_base_url: impl Into<String>, secret: Vec<u8>) -> Self {
        let public_base_url = public_base_url.into().trim_end_matches('/').to_owned();
        Self {
            root,
            public_base_url,
            secret,
            clock: Arc::new(SystemClock),
            commit_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Uses another clock for expiry (tests, or the dev server's shared clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn public_base_url(&self) -> &str {
        &self.public_base_url
    }

    fn object_path(&self, key: &str) -> PathBuf {
        self.root.join("objects").join(key)
    }

    fn meta_path(&self, key: &str) -> PathBuf {
        self.root.join("meta").join(key)
    }

    fn versions_dir(&self, key: &str) -> PathBuf {
        self.root.join("versions").join(key)
    }

    async fn tmp_dir(&self) -> Result<PathBuf, BlobError> {
        let tmp = self.root.join("tmp");
        tokio::fs::create_dir_all(&tmp)
            .await
            .map_err(|e| io_error("create folder", e))?;
        Ok(tmp)
    }

    /// The bytes of the versions an overwrite or a delete replaced, oldest first.
    pub async fn previous_versions(&self, key: &str) -> Result<Vec<Vec<u8>>, BlobError> {
        validate_key(key)?;
        let dir = self.versions_dir(key);
        let mut entries = match tokio::fs::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(err) if is_absent(&err) => return Ok(Vec::new()),
            Err(err) => return Err(io_error("list versions", err)),
        };
        let mut names = Vec::new();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| io_error("list versions", e))?
        {
            let is_file = entry.file_type().await.is_ok_and(|t| t.is_file());
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_file && !name.ends_with(".meta.json") {
                names.push(name);
            }
        }
        names.sort();
        let mut versions = Vec::with_capacity(names.len());
        for name in names {
            let bytes = tokio::fs::read(dir.join(&name))
                .await
                .map_err(|e| io_error("read version", e))?;
            versions.push(bytes);
        }
        Ok(versions)
    }

    /// Moves the current version of `key` (if any) into `versions/`.
    /// The caller holds `commit_lock`.
    async fn archive_current(&self, key: &str) -> Result<(), BlobError> {
        let object = self.object_path(key);
        match tokio::fs::metadata(&object).await {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                return Err(BlobError::Unavailable(format!(
                    "{key:?} is a folder of other keys"
                )));
            }
            Err(err) if is_absent(&err) => return Ok(()),
            Err(err) => return Err(io_error("stat", err)),
        }
        let stamp = self
            .clock
            .now()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second].[subsecond digits:9]Z"
            ))
            .map_err(|e| BlobError::Unavailable(format!("timestamp: {e}")))?;
        let version = format!("{stamp}-{}", uuid::Uuid::now_v7().simple());
        let dir = self.versions_dir(key);
        rename_into(&object, &dir.join(&version)).await?;
        match tokio::fs::rename(
            self.meta_path(key),
            dir.join(format!("{version}.meta.json")),
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(err) if is_absent(&err) => Ok(()),
            Err(err) => Err(io_error("archive metadata", err)),
        }
    }

    /// Publishes a complete staged file as the new version of `key`.
    async fn commit(&self, key: &str, staged: &Path, content_type: &str) -> Result<(), BlobError> {
        let meta = serde_json::to_vec_pretty(&Meta {
            content_type: content_type.to_owned(),
            stored_at: self.clock.now(),
        })
        .map_err(|e| BlobError::Unavailable(format!("metadata: {e}")))?;
        let tmp = self.tmp_dir().await?;
        let _guard = self.commit_lock.lock().await;
        let published = async {
            self.archive_current(key).await?;
            write_atomically(&tmp, &self.meta_path(key), &meta).await?;
            rename_into(staged, &self.object_path(key)).await
        }
        .await;
        if published.is_err() {
            let _ = tokio::fs::remove_file(staged).await;
        }
        published
    }

    async fn read_meta(&self, key: &str) -> Option<Meta> {
        let bytes = tokio::fs::read(self.meta_path(key)).await.ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    async fn open(&self, key: &str) -> Result<Option<(tokio::fs::File, u64)>, BlobError> {
        let path = self.object_path(key);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(err) if is_absent(&err) => return Ok(None),
            Err(err) => return Err(io_error("open", err)),
        };
        let meta = file.metadata().await.map_err(|e| io_error("stat", e))?;
        Ok(meta.is_file().then_some((file, meta.len())))
    }

    fn mac(&self, fields: &[&str]) -> Result<HmacSha256, BlobError> {
        let mut mac = HmacSha256::new_from_slice(&self.secret)
            .map_err(|e| BlobError::Unavailable(format!("signing key: {e}")))?;
        // Each field percent-encoded, so `|` inside a value cannot shift fields.
        let message: Vec<String> = fields
            .iter()
            .map(|f| utf8_percent_encode(f, NON_ALPHANUMERIC).to_string())
            .collect();
        mac.update(message.join("|").as_bytes());
        Ok(mac)
    }

    fn sign(&self, fields: &[&str]) -> Result<String, BlobError> {
        Ok(hex::encode(self.mac(fields)?.finalize().into_bytes()))
    }

    fn url(&self, key: &str, query: &[(&str, &str)]) -> String {
        let path: Vec<String> = key
            .split('/')
            .map(|s| utf8_percent_encode(s, PATH_SEGMENT).to_string())
            .collect();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!(
            "{}/_dev/blobs/{}?{query}",
            self.public_base_url,
            path.join("/")
        )
    }

    fn expiry(&self, ttl: Duration) -> Result<OffsetDateTime, BlobError> {
        let now = self.clock.now().unix_timestamp();
        let ttl = i64::try_from(clamp_ttl(ttl).as_secs()).unwrap_or(i64::MAX);
        OffsetDateTime::from_unix_timestamp(now.saturating_add(ttl))
            .map_err(|e| BlobError::Unavailable(format!("expiry: {e}")))
    }

    /// Checks `sig` over `fields` (constant time) and `expires` against the clock.
    fn check(&self, fields: &[&str], expires: &str, sig: &str) -> Result<(), Refusal> {
        let sig = hex::decode(sig).map_err(|_| Refusal::forbidden("bad signature"))?;
        self.mac(fields)
            .map_err(|_| Refusal::internal())?
            .verify_slice(&sig)
            .map_err(|_| Refusal::forbidden("bad signature"))?;
        let expires: i64 = expires
            .parse()
            .map_err(|_| Refusal::forbidden("bad expiry"))?;
        if self.clock.now().unix_timestamp() > expires {
            return Err(Refusal::forbidden("URL expired"));
        }
        Ok(())
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest, BlobError> {
        validate_key(key)?;
        let expires_at = self.expiry(ttl)?;
        let expires = expires_at.unix_timestamp().to_string();
        let len = content_length.to_string();
        let sig = self.sign(&["put", key, &expires, content_type, &len])?;
        let url = self.url(
            key,
            &[
                ("op", "put"),
                ("expires", &expires),
                ("ct", content_type),
                ("len", &len),
                ("sig", &sig),
            ],
        );
        Ok(PresignedRequest {
            method: "PUT".into(),
            url,
            headers: vec![
                ("content-length".into(), len),
                ("content-type".into(), content_type.to_owned()),
            ],
            expires_at,
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> Result<PresignedRequest, BlobError> {
        validate_key(key)?;
        let expires_at = self.expiry(ttl)?;
        let expires = expires_at.unix_timestamp().to_string();
        let dn = download_name.unwrap_or("");
        let sig = self.sign(&["get", key, &expires, dn])?;
        let mut query = vec![("op", "get"), ("expires", expires.as_str())];
        if download_name.is_some() {
            query.push(("dn", dn));
        }
        query.push(("sig", &sig));
        Ok(PresignedRequest {
            method: "GET".into(),
            url: self.url(key, &query),
            headers: Vec::new(),
            expires_at,
        })
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        validate_key(key)?;
        let Some((_, size)) = self.open(key).await? else {
            return Ok(None);
        };
        let content_type = self.read_meta(key).await.map(|m| m.content_type);
        Ok(Some(BlobMeta { size, content_type }))
    }

    async fn read_prefix(&self, key: &str, len: u64) -> Result<Option<Vec<u8>>, BlobError> {
        validate_key(key)?;
        let Some((file, size)) = self.open(key).await? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(len.min(size)).unwrap_or(0));
        file.take(len)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| io_error("read", e))?;
        Ok(Some(bytes))
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        validate_key(key)?;
        let Some((mut file, size)) = self.open(key).await? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.read_to_end(&mut bytes)
            .await
            .map_err(|e| io_error("read", e))?;
        Ok(Some(bytes))
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        validate_key(key)?;
        let tmp = self.tmp_dir().await?;
        let staged = tmp.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&staged, &bytes)
            .await
            .map_err(|e| io_error("write", e))?;
        self.commit(key, &staged, content_type).await
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        validate_key(key)?;
        let _guard = self.commit_lock.lock().await;
        self.archive_current(key).await
    }
}

/// Why a presigned request is refused: a status and a short JSON body.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn forbidden(message: &str) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: message.to_owned(),
        }
    }

    fn bad_request(message: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.to_owned(),
        }
    }

    fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "blob store failure".to_owned(),
        }
    }

    fn logged(err: &BlobError) -> Self {
        tracing::error!(error = %err, "local blob store");
        match err {
            BlobError::InvalidKey(_) => Self::bad_request("invalid key"),
            BlobError::Unavailable(_) => Self::internal(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

type Params = HashMap<String, String>;

fn param<'a>(params: &'a Params, name: &str) -> Result<&'a str, Refusal> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| Refusal::forbidden("incomplete signed URL"))
}

/// The presigned-URL endpoints: `PUT` and `GET /{*key}` (mount at `/_dev/blobs`).
pub fn routes(store: Arc<LocalBlobStore>) -> Router {
    Router::new()
        .route("/{*key}", get(download).put(upload))
        .with_state(store)
}

async fn upload(
    State(store): State<Arc<LocalBlobStore>>,
    UrlPath(key): UrlPath<String>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, Refusal> {
    if param(&params, "op")? != "put" {
        return Err(Refusal::forbidden("not an upload URL"));
    }
    let expires = param(&params, "expires")?;
    let content_type = param(&params, "ct")?;
    let len_text = param(&params, "len")?;
    store.check(
        &["put", &key, expires, content_type, len_text],
        expires,
        param(&params, "sig")?,
    )?;
    validate_key(&key).map_err(|e| Refusal::logged(&e))?;
    let len: u64 = len_text
        .parse()
        .map_err(|_| Refusal::forbidden("bad length"))?;
    let sent_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if sent_type != Some(content_type) {
        return Err(Refusal::forbidden(
            "Content-Type differs from the signed one",
        ));
    }
    if let Some(sent_len) = headers.get(header::CONTENT_LENGTH)
        && sent_len.to_str().ok().and_then(|v| v.parse::<u64>().ok()) != Some(len)
    {
        return Err(Refusal::forbidden(
            "Content-Length differs from the signed one",
        ));
    }
    let tmp = store.tmp_dir().await.map_err(|e| Refusal::logged(&e))?;
    let staged = tmp.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
    let received = receive(body, &staged, len).await;
    if let Err(refusal) = received {
        let _ = tokio::fs::remove_file(&staged).await;
        return Err(refusal);
    }
    store
        .commit(&key, &staged, content_type)
        .await
        .map_err(|e| Refusal::logged(&e))?;
    Ok(StatusCode::OK)
}

/// Streams the body into `staged`, refusing more or fewer than `len` bytes.
async fn receive(mut body: Body, staged: &Path, len: u64) -> Result<(), Refusal> {
    let mut file = tokio::fs::File::create(staged)
        .await
        .map_err(|e| Refusal::logged(&io_error("create", e)))?;
    let mut received: u64 = 0;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| Refusal::bad_request("upload interrupted"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        received = received.saturating_add(data.len() as u64);
        if received > len {
            return Err(Refusal::bad_request("body longer than the signed length"));
        }
        file.write_all(&data)
            .await
            .map_err(|e| Refusal::logged(&io_error("write", e)))?;
    }
    if received != len {
        return Err(Refusal::bad_request("body shorter than the signed length"));
    }
    file.flush()
        .await
        .map_err(|e| Refusal::logged(&io_error("write", e)))
}

async fn download(
    State(store): State<Arc<LocalBlobStore>>,
    UrlPath(key): UrlPath<String>,
    Query(params): Query<Params>,
) -> Result<Response, Refusal> {
    if param(&params, "op")? != "get" {
        return Err(Refusal::forbidden("not a download URL"));
    }
    let expires = param(&params, "expires")?;
    let download_name = params.get("dn").map(String::as_str);
    store.check(
        &["get", &key, expires, download_name.unwrap_or("")],
        expires,
        param(&params, "sig")?,
    )?;
    let Some(bytes) = store.get(&key).await.map_err(|e| Refusal::logged(&e))? else {
        return Err(Refusal {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "no such object".to_owned(),
        });
    };
    let content_type = store
        .read_meta(&key)
        .await
        .map_or_else(|| "application/octet-stream".to_owned(), |m| m.content_type);
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    if let Some(name) = download_name
        && let Ok(value) = HeaderValue::from_str(&attachment_disposition(name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> LocalBlobStore {
        LocalBlobStore::new(dir.to_path_buf(), "http://127.0.0.1:3000/", b"k".to_vec())
    }

    #[tokio::test]
    async fn presigned_urls_carry_the_signed_fields() {
        let dir = tempfile::tempdir().expect("dir");
        let store = store(dir.path());
        let put = store
            .presign_put(
                "invoices/o 1/facture été.pdf",
                "application/pdf",
                42,
                Duration::from_secs(600),
            )
            .await
            .expect("presign");
        let url = url::Url::parse(&put.url).expect("url");
        assert_eq!(
            url.path(),
            "/_dev/blobs/invoices/o%201/facture%20%C3%A9t%C3%A9.pdf"
        );
        let q: HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q.get("op").map(String::as_str), Some("put"));
        assert_eq!(q.get("ct").map(String::as_str), Some("application/pdf"));
        assert_eq!(q.get("len").map(String::as_str), Some("42"));
        assert_eq!(
            q.get("expires").map(String::as_str),
            Some(put.expires_at.unix_timestamp().to_string().as_str())
        );
        assert_eq!(q.get("sig").map(String::len), Some(64));
        assert_eq!(
            put.headers,
            vec![
                ("content-length".to_owned(), "42".to_owned()),
                ("content-type".to_owned(), "application/pdf".to_owned())
            ]
        );
    }

    #[tokio::test]
    async fn fields_cannot_be_shifted_across_the_separator() {
        let dir = tempfile::tempdir().expect("dir");
        let store = store(dir.path());
        let a = store.sign(&["put", "a|1", "2", "x", "3"]).expect("sign");
        let b = store.sign(&["put", "a", "1|2", "x", "3"]).expect("sign");
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn overwrites_and_deletes_keep_previous_versions() {
        let dir = tempfile::tempdir().expect("dir");
        let store = store(dir.path());
        store
            .put("a/b.pdf", b"one".to_vec(), "application/pdf")
            .await
            .expect("put");
        store
            .put("a/b.pdf", b"two".to_vec(), "text/plain")
            .await
            .expect("put");
        assert_eq!(
            store.get("a/b.pdf").await.expect("get"),
            Some(b"two".to_vec())
        );
        assert_eq!(
            store.head("a/b.pdf").await.expect("head"),
            Some(BlobMeta {
                size: 3,
                content_type: Some("text/plain".into())
            })
        );
        store.delete("a/b.pdf").await.expect("delete");
        assert_eq!(store.get("a/b.pdf").await.expect("get"), None);
        assert_eq!(
            store.previous_versions("a/b.pdf").await.expect("versions"),
            vec![b"one".to_vec(), b"two".to_vec()]
        );
        store
            .delete("a/b.pdf")
            .await
            .expect("deleting a missing key is fine");
    }

    #[tokio::test]
    async fn a_key_cannot_be_both_object_and_folder() {
        let dir = tempfile::tempdir().expect("dir");
        let store = store(dir.path());
        store
            .put("a", b"1".to_vec(), "text/plain")
            .await
            .expect("put");
        let err = store.put("a/b", b"2".to_vec(), "text/plain").await;
        assert!(matches!(err, Err(BlobError::Unavailable(_))), "{err:?}");
        assert_eq!(store.head("a/b").await.expect("head"), None);
        assert_eq!(store.get("a").await.expect("get"), Some(b"1".to_vec()));
        store
            .put("c/d", b"1".to_vec(), "text/plain")
            .await
            .expect("put");
        assert_eq!(store.head("c").await.expect("head"), None);
        let err = store.put("c", b"2".to_vec(), "text/plain").await;
        assert!(matches!(err, Err(BlobError::Unavailable(_))), "{err:?}");
    }
}
