//! The `BlobStore` port's contract, run against every adapter, and the
//! local store's own guarantees (its signed URLs are checked by our code,
//! whereas moto checks no S3 signature at all).

use std::sync::Arc;
use std::time::Duration;

use shared::adapters::local_blobs::LocalBlobStore;
use shared::adapters::mime::attachment_disposition;
use shared::ports::blobs::{BlobError, BlobMeta, BlobStore, PresignedRequest};
use time::OffsetDateTime;

use crate::support::ShiftedClock;

fn pdf(body_len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..body_len).map(|i| (i % 251) as u8));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn unique_key(name: &str) -> String {
    format!("invoices/{}/{name}", uuid::Uuid::new_v4().simple())
}

/// Makes the request exactly as presigned: method, URL, every header.
async fn perform(request: &PresignedRequest, body: Option<Vec<u8>>) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
    let mut builder = reqwest::Client::new().request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = body {
        builder = builder.body(body);
    }
    builder.send().await.expect("request")
}

fn assert_expires_in(request: &PresignedRequest, ttl: Duration) {
    let left = request.expires_at - OffsetDateTime::now_utc();
    let ttl = time::Duration::try_from(ttl).expect("ttl");
    assert!(
        left <= ttl + time::Duration::seconds(1) && left >= ttl - time::Duration::seconds(5),
        "expires in {left}, wanted {ttl}"
    );
}

pub async fn presigned_upload_then_download(store: Arc<dyn BlobStore>) {
    let key = unique_key("Facture été n°42.pdf");
    let bytes = pdf(20_000);
    let ttl = Duration::from_secs(600);
    let upload = store
        .presign_put(&key, "application/pdf", bytes.len() as u64, ttl)
        .await
        .expect("presign put");
    assert_eq!(upload.method, "PUT");
    assert_expires_in(&upload, ttl);
    let header = |name: &str| {
        upload
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("content-type"), Some("application/pdf"));
    assert_eq!(
        header("content-length"),
        Some(bytes.len().to_string().as_str())
    );
    let response = perform(&upload, Some(bytes.clone())).await;
    assert!(
        response.status().is_success(),
        "upload: {} {:?}",
        response.status(),
        response.text().await
    );

    assert_eq!(
        store.head(&key).await.expect("head"),
        Some(BlobMeta {
            size: bytes.len() as u64,
            content_type: Some("application/pdf".into())
        })
    );
    assert_eq!(
        store.read_prefix(&key, 5).await.expect("prefix"),
        Some(b"%PDF-".to_vec())
    );
    assert_eq!(store.get(&key).await.expect("get"), Some(bytes.clone()));

    let name = "Facture STVA — été 2025.pdf";
    let download = store
        .presign_get(&key, Duration::from_secs(120), Some(name))
        .await
        .expect("presign get");
    assert_eq!(download.method, "GET");
    assert_expires_in(&download, Duration::from_secs(120));
    let response = perform(&download, None).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let disposition = response
        .headers()
        .get(reqwest::header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(disposition, Some(attachment_disposition(name)));
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    assert_eq!(response.bytes().await.expect("body").to_vec(), bytes);

    let plain = store
        .presign_get(&key, Duration::from_secs(60), None)
        .await
        .expect("presign get");
    let response = perform(&plain, None).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(
        response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .is_none()
    );
    assert_eq!(response.bytes().await.expect("body").to_vec(), bytes);
}

pub async fn put_get_overwrite_delete(store: Arc<dyn BlobStore>) {
    let key = unique_key("bon-de-commande.pdf");
    store
        .put(&key, pdf(10), "application/pdf")
        .await
        .expect("put");
    assert_eq!(store.get(&key).await.expect("get"), Some(pdf(10)));
    store
        .put(&key, b"hello".to_vec(), "text/plain")
        .await
        .expect("overwrite");
    assert_eq!(
        store.head(&key).await.expect("head"),
        Some(BlobMeta {
            size: 5,
            content_type: Some("text/plain".into())
        })
    );
    assert_eq!(store.get(&key).await.expect("get"), Some(b"hello".to_vec()));
    store.delete(&key).await.expect("delete");
    assert_eq!(store.head(&key).await.expect("head"), None);
    assert_eq!(store.get(&key).await.expect("get"), None);
    store.delete(&key).await.expect("deleting twice is fine");
}

pub async fn missing_objects_are_none(store: Arc<dyn BlobStore>) {
    let key = unique_key("absent.pdf");
    assert_eq!(store.head(&key).await.expect("head"), None);
    assert_eq!(store.get(&key).await.expect("get"), None);
    assert_eq!(store.read_prefix(&key, 5).await.expect("prefix"), None);
    assert_eq!(store.read_prefix(&key, 0).await.expect("prefix"), None);
}

pub async fn read_prefix_of_short_and_empty_objects(store: Arc<dyn BlobStore>) {
    let key = unique_key("short.bin");
    store
        .put(&key, b"abc".to_vec(), "application/octet-stream")
        .await
        .expect("put");
    assert_eq!(
        store.read_prefix(&key, 10).await.expect("prefix"),
        Some(b"abc".to_vec())
    );
    assert_eq!(
        store.read_prefix(&key, 0).await.expect("prefix"),
        Some(Vec::new())
    );
    let empty = unique_key("empty.bin");
    store
        .put(&empty, Vec::new(), "application/octet-stream")
        .await
        .expect("put");
    assert_eq!(
        store.read_prefix(&empty, 5).await.expect("prefix"),
        Some(Vec::new())
    );
    assert_eq!(
        store.head(&empty).await.expect("head").map(|m| m.size),
        Some(0)
    );
}

pub async fn invalid_keys_are_refused(store: Arc<dyn BlobStore>) {
    let long = "a".repeat(1025);
    for key in [
        "",
        "/invoices/a.pdf",
        "invoices/../secret",
        "..",
        "a/./b",
        "a//b",
        "nul\0byte",
        long.as_str(),
    ] {
        let ttl = Duration::from_secs(60);
        let refused = |r: Result<(), BlobError>| matches!(r, Err(BlobError::InvalidKey(_)));
        assert!(
            refused(
                store
                    .presign_put(key, "application/pdf", 1, ttl)
                    .await
                    .map(drop)
            ),
            "presign_put {key:?}"
        );
        assert!(
            refused(store.presign_get(key, ttl, None).await.map(drop)),
            "presign_get {key:?}"
        );
        assert!(refused(store.head(key).await.map(drop)), "head {key:?}");
        assert!(
            refused(store.read_prefix(key, 1).await.map(drop)),
            "read_prefix {key:?}"
        );
        assert!(refused(store.get(key).await.map(drop)), "get {key:?}");
        assert!(
            refused(store.put(key, vec![1], "text/plain").await),
            "put {key:?}"
        );
        assert!(refused(store.delete(key).await), "delete {key:?}");
    }
}

/// A replaced or deleted object stays readable as a previous version (the
/// portal must keep replaced invoices); `previous` lists them, oldest first.
pub async fn replaced_objects_keep_their_versions(
    store: Arc<dyn BlobStore>,
    previous: impl AsyncFn(&str) -> Vec<Vec<u8>>,
) {
    let key = unique_key("facture.pdf");
    store
        .put(&key, b"v1".to_vec(), "application/pdf")
        .await
        .expect("put");
    let upload = store
        .presign_put(&key, "application/pdf", 2, Duration::from_secs(60))
        .await
        .expect("presign");
    let response = perform(&upload, Some(b"v2".to_vec())).await;
    assert!(response.status().is_success(), "{}", response.status());
    store
        .put(&key, b"v3".to_vec(), "application/pdf")
        .await
        .expect("put");
    assert_eq!(previous(&key).await, vec![b"v1".to_vec(), b"v2".to_vec()]);
    store.delete(&key).await.expect("delete");
    assert_eq!(
        previous(&key).await,
        vec![b"v1".to_vec(), b"v2".to_vec(), b"v3".to_vec()]
    );
}

// The local store's signed URLs: only the exact signed request passes.

fn with_query(url: &str, name: &str, value: &str) -> String {
    let mut url = url::Url::parse(url).expect("url");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

fn query(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .expect("query parameter")
}

async fn assert_refused(request: &PresignedRequest, body: Option<Vec<u8>>, status: u16) {
    let response = perform(request, body).await;
    assert_eq!(response.status().as_u16(), status, "{}", request.url);
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/json"));
}

pub async fn local_refuses_tampered_urls(store: Arc<LocalBlobStore>) {
    let key = unique_key("facture.pdf");
    let bytes = pdf(100);
    let upload = store
        .presign_put(
            &key,
            "application/pdf",
            bytes.len() as u64,
            Duration::from_secs(60),
        )
        .await
        .expect("presign");

    let mut forged = upload.clone();
    let sig = query(&upload.url, "sig");
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    forged.url = with_query(&upload.url, "sig", &format!("{flipped}{}", &sig[1..]));
    assert_refused(&forged, Some(bytes.clone()), 403).await;

    let mut longer = upload.clone();
    longer.url = with_query(&upload.url, "len", "99999999");
    longer.headers = vec![
        ("content-type".into(), "application/pdf".into()),
        ("content-length".into(), "99999999".into()),
    ];
    assert_refused(&longer, None, 403).await;

    let mut other_type = upload.clone();
    other_type.url = with_query(&upload.url, "ct", "text/html");
    other_type.headers = vec![("content-type".into(), "text/html".into())];
    assert_refused(&other_type, Some(bytes.clone()), 403).await;

    let mut other_key = upload.clone();
    other_key.url = upload.url.replace("facture.pdf", "autre.pdf");
    assert_refused(&other_key, Some(bytes.clone()), 403).await;

    let mut unsigned = upload.clone();
    unsigned.url = upload.url.split('?').next().expect("path").to_owned();
    assert_refused(&unsigned, Some(bytes.clone()), 403).await;

    // An upload URL is not a download URL.
    let mut as_get = upload.clone();
    as_get.method = "GET".into();
    as_get.headers.clear();
    assert_refused(&as_get, None, 403).await;

    assert_eq!(store.head(&key).await.expect("head"), None);
    let response = perform(&upload, Some(bytes.clone())).await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);

    let download = store
        .presign_get(&key, Duration::from_secs(60), Some("facture.pdf"))
        .await
        .expect("presign");
    let mut renamed = download.clone();
    renamed.url = with_query(&download.url, "dn", "evil.html");
    assert_refused(&renamed, None, 403).await;
    let mut longer_lived = download.clone();
    let expires: i64 = query(&download.url, "expires").parse().expect("expires");
    longer_lived.url = with_query(&download.url, "expires", &(expires + 3600).to_string());
    assert_refused(&longer_lived, None, 403).await;
    assert_eq!(
        perform(&download, None).await.status(),
        reqwest::StatusCode::OK
    );
}

pub async fn local_refuses_wrong_content_type_and_length(store: Arc<LocalBlobStore>) {
    let key = unique_key("facture.pdf");
    let bytes = pdf(100);
    let upload = store
        .presign_put(
            &key,
            "application/pdf",
            bytes.len() as u64,
            Duration::from_secs(60),
        )
        .await
        .expect("presign");

    let mut html = upload.clone();
    html.headers = vec![("content-type".into(), "text/html".into())];
    assert_refused(&html, Some(bytes.clone()), 403).await;

    let mut untyped = upload.clone();
    untyped.headers.clear();
    assert_refused(&untyped, Some(bytes.clone()), 403).await;

    // The client's own Content-Length, from a longer or shorter body.
    let mut unsized_request = upload.clone();
    unsized_request.headers = vec![("content-type".into(), "application/pdf".into())];
    let mut longer = bytes.clone();
    longer.push(0);
    assert_refused(&unsized_request, Some(longer), 403).await;
    assert_refused(&unsized_request, Some(bytes[..10].to_vec()), 403).await;

    // A chunked body (no Content-Length) longer or shorter than signed.
    for body in [pdf(200), pdf(10)] {
        let status = put_chunked(&upload.url, "application/pdf", &body).await;
        assert_eq!(status, 400);
    }
    assert_eq!(store.head(&key).await.expect("head"), None);
}

/// A PUT with `Transfer-Encoding: chunked`, written by hand: the HTTP
/// client of the tests always sends a Content-Length for a known body.
async fn put_chunked(url: &str, content_type: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let url = url::Url::parse(url).expect("url");
    let host = format!(
        "{}:{}",
        url.host_str().expect("host"),
        url.port().expect("port")
    );
    let target = format!("{}?{}", url.path(), url.query().unwrap_or(""));
    let mut request = format!(
        "PUT {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(64) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connect");
    stream.write_all(&request).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let response = String::from_utf8_lossy(&response);
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status line")
}

pub async fn local_refuses_expired_urls(store: Arc<LocalBlobStore>, clock: Arc<ShiftedClock>) {
    let key = unique_key("facture.pdf");
    let bytes = pdf(10);
    let ttl = Duration::from_secs(300);
    let upload = store
        .presign_put(&key, "application/pdf", bytes.len() as u64, ttl)
        .await
        .expect("presign");
    clock.advance(time::Duration::seconds(301));
    assert_refused(&upload, Some(bytes.clone()), 403).await;
    assert_eq!(store.head(&key).await.expect("head"), None);

    store
        .put(&key, bytes.clone(), "application/pdf")
        .await
        .expect("put");
    let download = store.presign_get(&key, ttl, None).await.expect("presign");
    clock.advance(time::Duration::seconds(299));
    assert_eq!(
        perform(&download, None).await.status(),
        reqwest::StatusCode::OK
    );
    clock.advance(time::Duration::seconds(2));
    assert_refused(&download, None, 403).await;
}

pub async fn local_files_stay_under_the_root(store: Arc<LocalBlobStore>) {
    let key = unique_key("dossier client/facture été.pdf");
    store
        .put(&key, b"%PDF-x".to_vec(), "application/pdf")
        .await
        .expect("put");
    let mut found = Vec::new();
    let mut pending = vec![store.root().to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    let objects: Vec<_> = found
        .iter()
        .filter(|p| p.starts_with(store.root().join("objects")))
        .collect();
    assert_eq!(objects, vec![&store.root().join("objects").join(&key)]);
    assert!(
        found
            .iter()
            .all(|p| !p.starts_with(store.root().join("tmp"))),
        "no staged file left behind: {found:?}"
    );
}
