//! The end-to-end harness: a real `stva-dev` on a random port, on the
//! embedded backend or on DynamoDB/S3/SES in the local emulator (moto),
//! and a small HTTP client that speaks its JSON.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use dev_server::{Backend, DevServer, Options};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

pub use dev_server::Backend as PortalBackend;

pub struct Portal {
    pub server: DevServer,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// An answer: status and JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn field(&self, name: &str) -> &Value {
        &self.body[name]
    }

    pub fn str(&self, name: &str) -> String {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("no string {name} in {}", self.body))
            .to_owned()
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        self
    }

    /// Asserts a problem+json answer with this status and code, in French.
    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(content_type, "application/problem+json", "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "a problem needs a detail: {}",
            self.body
        );
        self
    }
}

impl Portal {
    pub async fn start(backend: Backend) -> Portal {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with options adjusted by `tweak` (e.g. short ERP timeouts).
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Options)) -> Portal {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = Options::for_tests(dir.path().join("data"), backend);
        // Each function's code runs with only what its IAM role allows.
        options.function_ports = Some(shared::testing::iam::confine);
        tweak(&mut options);
        let sdk = match backend {
            Backend::Embedded => None,
            Backend::Aws => {
                options.table = shared::testing::moto::unique_name("stva-e2e");
                options.invoices_bucket = shared::testing::moto::unique_name("stva-e2e");
                Some(shared::testing::moto::sdk_config().await)
            }
        };
        let server = dev_server::start_with_sdk(options, sdk)
            .await
            .expect("dev server starts");
        Portal {
            server,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    pub fn anonymous(&self) -> Caller {
        Caller {
            http: self.http.clone(),
            base: self.server.url.clone(),
            token: None,
        }
    }

    pub fn with_token(&self, token: &str) -> Caller {
        Caller {
            token: Some(token.to_owned()),
            ..self.anonymous()
        }
    }

    /// Signs in and returns a caller carrying the session token.
    pub async fn sign_in(&self, email: &str, password: &str) -> Caller {
        let answer = self
            .anonymous()
            .post(
                "/api/auth/login",
                json!({"email": email, "password": password}),
            )
            .await;
        answer.expect(200);
        self.with_token(&answer.str("token"))
    }

    pub async fn manager(&self) -> Caller {
        let email = self.server.bootstrap.email.clone();
        let password = self
            .server
            .bootstrap
            .password
            .clone()
            .expect("bootstrap password");
        self.sign_in(&email, &password).await
    }

    /// The messages sent to one address, newest first, from `/_dev/mail`.
    pub async fn mails_to(&self, email: &str) -> Vec<Value> {
        let answer = self.anonymous().get("/_dev/mail").await;
        answer.expect(200);
        answer
            .body
            .as_array()
            .expect("outbox is a list")
            .iter()
            .filter(|m| m["to"] == email)
            .cloned()
            .collect()
    }

    /// The token of the link in the newest message to `email` whose link
    /// path is `path` (e.g. `/invitation`).
    pub async fn link_token(&self, email: &str, path: &str) -> String {
        let mails = self.mails_to(email).await;
        let needle = format!("{}{path}?token=", self.server.url);
        for mail in mails {
            let text = mail["text"].as_str().unwrap_or_default();
            if let Some(start) = text.find(&needle) {
                let rest = &text[start + needle.len()..];
                let token: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return token;
            }
        }
        panic!("no {path} link mailed to {email}");
    }
}

#[derive(Clone)]
pub struct Caller {
    http: reqwest::Client,
    base: String,
    pub token: Option<String>,
}

impl Caller {
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        Self::answer(response).await
    }

    pub async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
        }
    }

    /// A raw request: any body bytes and content type.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        Self::answer(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(reqwest::Method::DELETE, path, None).await
    }
}

/// A valid address form, for tests.
pub fn address_body(label: &str) -> Value {
    json!({
        "label": label,
        "company": "Garage du Centre",
        "street": "12 rue de la République",
        "postal_code": "69002",
        "city": "Lyon",
        "contact_name": "Jeanne Martin",
        "contact_phone": "04 78 00 00 00",
        "instructions": "Portail bleu, sonner à l'atelier"
    })
}

/// A validated order of `caller`'s account, made over HTTP.
pub async fn validated_order(caller: &Caller) -> Value {
    let quoted = quoted_order(caller, "AB-123-CD").await;
    let validated = caller
        .post(
            &format!(
                "/api/orders/{}/validate",
                quoted["id"].as_str().expect("id")
            ),
            json!({"accept_terms": true}),
        )
        .await;
    validated.expect(200);
    validated.body.clone()
}

/// A quoted order of `caller`'s account for one new vehicle with `plate`.
pub async fn quoted_order(caller: &Caller, plate: &str) -> Value {
    let pickup = caller
        .post("/api/addresses", address_body("Dépôt Lyon"))
        .await;
    pickup.expect(201);
    let mut paris = address_body("Agence Paris");
    paris["postal_code"] = json!("75012");
    paris["city"] = json!("Paris");
    let delivery = caller.post("/api/addresses", paris).await;
    delivery.expect(201);
    let vehicle = caller
        .post(
            "/api/vehicles",
            json!({"make": "Peugeot", "model": "308", "plate": plate}),
        )
        .await;
    vehicle.expect(201);
    let quoted = caller
        .post(
            "/api/quotes",
            json!({
                "vehicles": [{"vehicle_id": vehicle.str("id"), "make": "Peugeot", "model": "308", "plate": plate}],
                "pickup_address_id": pickup.str("id"),
                "delivery_address_id": delivery.str("id"),
            }),
        )
        .await;
    quoted.expect(201);
    quoted.body.clone()
}

/// A local HTTP server standing for a stock tool's export: every request
/// gets the current body (a CSV), after `delay` (a slow tool).
pub async fn feed_server(body: watch::Receiver<Vec<u8>>, delay: std::time::Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let body = body.borrow().clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                tokio::time::sleep(delay).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    format!("http://{address}/exports/stock.csv?token=tok-e2e-42")
}
