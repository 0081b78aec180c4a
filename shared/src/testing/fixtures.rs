//! A portal on embedded adapters in a temporary folder, and ready-made
//! users, for function and end-to-end tests.

use std::sync::Arc;
use std::time::Duration;

use crate::Services;
use crate::adapters::local_blobs::LocalBlobStore;
use crate::adapters::outbox::OutboxMailer;
use crate::adapters::sqlite::SqliteTable;
use crate::config::Config;
use crate::domain::{Role, UserStatus};
use crate::ports::{Clock, SystemClock};
use crate::repo::accounts::Account;
use crate::repo::users::{User, Users};
use crate::security::passwords;
use crate::security::session_tokens::{SessionTokens, Subject};

pub const TOKEN_SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
/// A password that satisfies the policy, for seeded users.
pub const PASSWORD: &str = "Transport-Vehicules-2026";

/// A clock running `.0` ahead of now: a later run, a quote past its
/// validity, a lease past its expiry.
pub struct Later(pub Duration);

impl Clock for Later {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() + self.0
    }
}

pub struct TestPortal {
    pub services: Services,
    pub outbox: OutboxMailer,
    pub dir: tempfile::TempDir,
}

pub fn test_config(public_url: &str) -> Config {
    Config {
        public_url: public_url.to_owned(),
        token_secret: TOKEN_SECRET.to_vec(),
        session_ttl: Duration::from_secs(3600),
        secure_cookies: false,
        table_name: "stva-test".into(),
        invoices_bucket: "stva-test-invoices".into(),
        mail_from: "STVA <portail@stva.fr>".into(),
        erp_url: None,
        erp_api_key: None,
        erp_timeout: std::time::Duration::from_secs(5),
    }
}

/// Embedded services in a fresh temporary folder.
#[allow(clippy::expect_used)]
pub fn embedded_portal() -> TestPortal {
    let dir = tempfile::tempdir().expect("temp dir");
    let table = SqliteTable::open(&dir.path().join("stva.sqlite3")).expect("sqlite");
    let outbox = OutboxMailer::new(dir.path().join("outbox"));
    let config = test_config("http://portal.test");
    let blobs = LocalBlobStore::new(
        dir.path().join("blobs"),
        "http://portal.test",
        b"blob-secret-blob-secret-blob-secret".to_vec(),
    );
    let services = Services {
        table: Arc::new(table),
        blobs: Arc::new(blobs),
        mailer: Arc::new(outbox.clone()),
        clock: Arc::new(SystemClock),
        erp: Arc::new(crate::adapters::no_erp::NoErp {
            reason: "no ERP in this test",
        }),
        tokens: Arc::new(SessionTokens::new(TOKEN_SECRET, config.session_ttl).expect("secret")),
        config: Arc::new(config),
    };
    TestPortal {
        services,
        outbox,
        dir,
    }
}

/// An active user with [`PASSWORD`], written straight to the store.
#[allow(clippy::expect_used)]
pub async fn seed_user(
    services: &Services,
    email: &str,
    role: Role,
    account_id: Option<&str>,
) -> User {
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.to_owned(),
        name: format!("Utilisateur {email}"),
        role,
        account_id: account_id.map(str::to_owned),
        status: UserStatus::Active,
        password_hash: Some(passwords::hash(PASSWORD).await.expect("hash")),
        session_version: 0,
        version: 1,
        created_at: time::OffsetDateTime::now_utc(),
        invited_by: None,
        last_login_at: None,
    };
    services
        .table
        .transact(Users::create_writes(&user).expect("writes"))
        .await
        .expect("seed user");
    user
}

#[allow(clippy::expect_used)]
pub async fn seed_account(services: &Services, name: &str) -> Account {
    let account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_owned(),
        siret: None,
        billing_email: None,
        created_at: time::OffsetDateTime::now_utc(),
        created_by: "seed".into(),
    };
    services
        .accounts()
        .create(&account)
        .await
        .expect("seed account");
    account
}

/// A valid session token for a seeded user.
#[allow(clippy::expect_used)]
pub fn token_for(services: &Services, user: &User) -> String {
    let subject = Subject {
        user_id: user.id.clone(),
        role: user.role,
        account_id: user.account_id.clone(),
        session_version: user.session_version,
    };
    services
        .tokens
        .issue(&subject, time::OffsetDateTime::now_utc())
        .expect("token")
        .0
}
