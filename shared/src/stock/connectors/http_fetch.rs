//! The [`FeedFetcher`] over HTTP, with reqwest: a timeout, a body limit,
//! and nothing secret in its errors or logs (no header, no URL: a feed
//! URL may carry the dealer's token in its query).

use std::time::Duration;

use async_trait::async_trait;

use super::{FeedError, FeedFetcher, FetchAuth, FetchRequest, FetchResponse, MAX_FEED_BYTES};

/// Time allowed for one request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub struct HttpFetcher {
    client: reqwest::Client,
    max_bytes: usize,
}

impl HttpFetcher {
    pub fn new(timeout: Duration) -> Result<Self, FeedError> {
        let client = crate::adapters::tls::reqwest_builder()
            .map_err(|err| FeedError::Config(format!("client HTTP : {err}")))?
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("stva-portal-stock/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| FeedError::Config(format!("client HTTP : {}", err.without_url())))?;
        Ok(Self {
            client,
            max_bytes: MAX_FEED_BYTES,
        })
    }

    /// A smaller body limit (tests).
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

/// A reqwest error, in French, without its URL.
fn network(err: reqwest::Error) -> FeedError {
    let what = if err.is_timeout() {
        "délai dépassé"
    } else if err.is_connect() {
        "connexion impossible"
    } else if err.is_body() || err.is_decode() {
        "réponse interrompue"
    } else {
        "erreur de requête"
    };
    FeedError::Network(what.to_owned())
}

/// The host of a URL, the only part of it logged.
fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

#[async_trait]
impl FeedFetcher for HttpFetcher {
    async fn get(&self, request: &FetchRequest) -> Result<FetchResponse, FeedError> {
        let mut builder = self.client.get(&request.url);
        builder = match &request.auth {
            FetchAuth::None => builder,
            FetchAuth::Bearer(key) => builder.bearer_auth(key.expose()),
            FetchAuth::Basic { username, password } => {
                builder.basic_auth(username, Some(password.expose()))
            }
        };
        let started = std::time::Instant::now();
        let mut response = builder.send().await.map_err(network)?;
        let status = response.status().as_u16();
        if response
            .content_length()
            .is_some_and(|len| len > self.max_bytes as u64)
        {
            return Err(FeedError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(FeedError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        tracing::info!(
            host = %host(&request.url),
            status,
            bytes = body.len(),
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "stock feed fetched"
        );
        Ok(FetchResponse { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stock::connectors::Secret;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-shot HTTP server: answers `body` and hands back the request.
    async fn serve_once(body: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let handle = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0u8; 8192];
            let n = socket.read(&mut request).await.unwrap();
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        (format!("http://{address}"), handle)
    }

    #[tokio::test]
    async fn sends_the_bearer_key_and_reads_the_body() {
        let (base, server) = serve_once("{\"data\":[]}").await;
        let fetcher = HttpFetcher::new(Duration::from_secs(5)).unwrap();
        let response = fetcher
            .get(&FetchRequest {
                url: format!("{base}/v1/stock?page=1&per_page=500"),
                auth: FetchAuth::Bearer(Secret::new("rv_key")),
            })
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"{\"data\":[]}");
        let request = server.await.unwrap();
        assert!(
            request.starts_with("GET /v1/stock?page=1&per_page=500 "),
            "{request}"
        );
        assert!(
            request
                .to_ascii_lowercase()
                .contains("authorization: bearer rv_key")
        );
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused() {
        let (base, _server) = serve_once("0123456789").await;
        let fetcher = HttpFetcher::new(Duration::from_secs(5))
            .unwrap()
            .with_max_bytes(4);
        let result = fetcher
            .get(&FetchRequest {
                url: base,
                auth: FetchAuth::None,
            })
            .await;
        assert_eq!(result, Err(FeedError::TooLarge));
    }

    #[tokio::test]
    async fn network_errors_name_no_url() {
        let fetcher = HttpFetcher::new(Duration::from_secs(2)).unwrap();
        let err = fetcher
            .get(&FetchRequest {
                url: "http://127.0.0.1:1/flux.xml?token=s3cr3t".into(),
                auth: FetchAuth::None,
            })
            .await
            .expect_err("nothing listens on port 1");
        assert!(matches!(err, FeedError::Network(_)));
        assert!(!err.to_string().contains("s3cr3t"));
    }
}
