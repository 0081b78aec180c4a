//! Fresh, isolated adapters for each test: a temporary folder for the
//! embedded ones, a uniquely named table or bucket on moto for AWS.

use std::sync::Arc;

use serde_json::json;
use shared::adapters::dynamodb::DynamoTable;
use shared::adapters::sqlite::SqliteTable;
use shared::ports::table::{Condition, Item, Key, Table};
use shared::testing::moto;

pub struct TableFixture {
    pub table: Arc<dyn Table>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn embedded_table() -> TableFixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = SqliteTable::open(&dir.path().join("stva.sqlite3")).expect("open sqlite");
    TableFixture {
        table: Arc::new(table),
        _dir: Some(dir),
    }
}

pub async fn dynamodb_table() -> TableFixture {
    let config = moto::sdk_config().await;
    let name = moto::unique_name("stva-test");
    let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(&config), name);
    table
        .create_if_missing()
        .await
        .expect("create table on moto");
    TableFixture {
        table: Arc::new(table),
        _dir: None,
    }
}

pub async fn embedded_table_survives_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("stva.sqlite3");
    let stored = Item::new(
        Key::new("ACCOUNT#1", "ACCOUNT"),
        json!({"name": "Garage Dupont"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    {
        let table = SqliteTable::open(&path).expect("open");
        table
            .put(stored.clone(), Condition::Always)
            .await
            .expect("put");
    }
    let reopened = SqliteTable::open(&path).expect("reopen");
    assert_eq!(reopened.get(&stored.key).await.expect("get"), Some(stored));
}

// Blob stores and mailers (the `blobs` and `mailer` suites).

/// The system clock moved forward on demand (expiry tests).
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset_secs: std::sync::atomic::AtomicI64,
}

impl ShiftedClock {
    pub fn advance(&self, by: time::Duration) {
        self.offset_secs
            .fetch_add(by.whole_seconds(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl shared::ports::clock::Clock for ShiftedClock {
    fn now(&self) -> time::OffsetDateTime {
        let offset = self.offset_secs.load(std::sync::atomic::Ordering::SeqCst);
        time::OffsetDateTime::now_utc() + time::Duration::seconds(offset)
    }
}

pub struct BlobFixture {
    pub store: Arc<dyn shared::ports::blobs::BlobStore>,
    pub local: Option<Arc<shared::adapters::local_blobs::LocalBlobStore>>,
    pub s3: Option<Arc<shared::adapters::s3::S3BlobStore>>,
    pub clock: Arc<ShiftedClock>,
    _dir: Option<tempfile::TempDir>,
}

impl BlobFixture {
    pub fn local(&self) -> Arc<shared::adapters::local_blobs::LocalBlobStore> {
        self.local.clone().expect("a local blob store")
    }

    /// The versions an overwrite or a delete replaced, oldest first.
    pub async fn previous_versions(&self, key: &str) -> Vec<Vec<u8>> {
        match (&self.local, &self.s3) {
            (Some(local), _) => local.previous_versions(key).await.expect("versions"),
            (_, Some(s3)) => s3.previous_versions(key).await.expect("versions"),
            _ => Vec::new(),
        }
    }
}

/// Files in a temporary folder, served by `local_blobs::routes` on a random
/// port of 127.0.0.1 (as the dev server mounts them, at `/_dev/blobs`).
pub async fn embedded_blobs() -> BlobFixture {
    use shared::adapters::local_blobs::{LocalBlobStore, routes};

    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let clock = Arc::new(ShiftedClock::default());
    let store = Arc::new(
        LocalBlobStore::new(
            dir.path().join("blobs"),
            format!("http://{address}"),
            b"conformance-secret".to_vec(),
        )
        .with_clock(clock.clone()),
    );
    let app = axum::Router::new().nest("/_dev/blobs", routes(store.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });
    BlobFixture {
        store: store.clone(),
        local: Some(store),
        s3: None,
        clock,
        _dir: Some(dir),
    }
}

/// A fresh versioned bucket on moto.
pub async fn s3_blobs() -> BlobFixture {
    use shared::adapters::s3::S3BlobStore;

    let config = moto::sdk_config().await;
    let s3_config = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(true)
        .build();
    let store = S3BlobStore::new(
        aws_sdk_s3::Client::from_conf(s3_config),
        moto::unique_name("stva-blobs"),
    );
    store
        .create_bucket_if_missing()
        .await
        .expect("create bucket");
    store
        .create_bucket_if_missing()
        .await
        .expect("create bucket again");
    let store = Arc::new(store);
    BlobFixture {
        store: store.clone(),
        local: None,
        s3: Some(store),
        clock: Arc::new(ShiftedClock::default()),
        _dir: None,
    }
}

pub struct MailFixture {
    pub mailer: Arc<dyn shared::ports::mailer::Mailer>,
    outbox: Option<Arc<shared::adapters::outbox::OutboxMailer>>,
    _dir: Option<tempfile::TempDir>,
}

impl MailFixture {
    pub fn outbox(&self) -> Arc<shared::adapters::outbox::OutboxMailer> {
        self.outbox.clone().expect("an outbox mailer")
    }

    /// What the adapter delivered under this message id.
    pub async fn read_back(&self, id: &str) -> Option<crate::mailer::Delivered> {
        match &self.outbox {
            Some(outbox) => read_outbox(outbox, id),
            None => read_moto_ses(id).await,
        }
    }
}

fn read_outbox(
    outbox: &shared::adapters::outbox::OutboxMailer,
    id: &str,
) -> Option<crate::mailer::Delivered> {
    let message = outbox
        .list()
        .expect("list")
        .into_iter()
        .find(|m| m.id == id)?;
    let attachments = message
        .attachments
        .iter()
        .map(|a| {
            let bytes = outbox
                .attachment(id, &a.filename)
                .expect("read attachment")
                .expect("attachment stored");
            (a.filename.clone(), a.content_type.clone(), bytes)
        })
        .collect();
    assert!(!message.text.is_empty() && !message.html.is_empty());
    Some(crate::mailer::Delivered {
        to: message.to,
        subject: message.subject,
        attachments,
        multipart: None,
    })
}

/// moto keeps what SES sent: `GET /moto-api/data.json`, in
/// `ses.RawMessage[]` as `{id, source, destinations, raw_data}`.
async fn read_moto_ses(id: &str) -> Option<crate::mailer::Delivered> {
    let url = format!("{}/moto-api/data.json", moto::endpoint().await);
    let data: serde_json::Value = reqwest::get(url)
        .await
        .expect("moto data")
        .json()
        .await
        .expect("moto json");
    let sent = data["ses"]["RawMessage"]
        .as_array()
        .expect("ses.RawMessage");
    let message = sent.iter().find(|m| m["id"] == id)?;
    let raw = message["raw_data"].as_str().expect("raw_data");
    let delivered = crate::mailer::parse_raw(raw);
    let destinations = message["destinations"].as_array().expect("destinations");
    assert!(
        destinations
            .iter()
            .any(|d| d.as_str() == Some(delivered.to.as_str())),
        "{destinations:?}"
    );
    assert_eq!(message["source"], "noreply@stva.example");
    Some(delivered)
}

pub async fn outbox_mailer() -> MailFixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = Arc::new(shared::adapters::outbox::OutboxMailer::new(
        dir.path().join("outbox"),
    ));
    MailFixture {
        mailer: outbox.clone(),
        outbox: Some(outbox),
        _dir: Some(dir),
    }
}

/// SES on moto, with its sender verified.
pub async fn ses_mailer() -> MailFixture {
    let config = moto::sdk_config().await;
    let mailer = shared::adapters::ses::SesMailer::new(
        aws_sdk_ses::Client::new(&config),
        "Portail STVA <noreply@stva.example>",
    );
    mailer.verify_sender().await.expect("verify sender");
    MailFixture {
        mailer: Arc::new(mailer),
        outbox: None,
        _dir: None,
    }
}

/// SES answers `MessageRejected` for a sender it has not verified.
pub async fn ses_rejects_an_unverified_sender() {
    use shared::ports::mailer::{Email, MailError, Mailer};

    let config = moto::sdk_config().await;
    let mailer = shared::adapters::ses::SesMailer::new(
        aws_sdk_ses::Client::new(&config),
        format!("{}@unverified.example", moto::unique_name("nobody")),
    );
    let email = Email {
        to: "client@garage-dupont.fr".into(),
        subject: "Test".into(),
        text: "Test".into(),
        html: "<p>Test</p>".into(),
        attachments: Vec::new(),
    };
    let result = mailer.send(&email).await;
    assert!(matches!(result, Err(MailError::Rejected(_))), "{result:?}");
}
