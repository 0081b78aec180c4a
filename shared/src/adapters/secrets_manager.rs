//! Secrets from AWS Secrets Manager (`GetSecretValue`): the token-signing
//! secret and the ERP's API key, read once per cold start by
//! `runtime::config_from_env`. Errors name the secret (its ARN or name),
//! never its value.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("Secrets Manager GetSecretValue {secret_id}: {reason}")]
    Unavailable { secret_id: String, reason: String },
    #[error("secret {secret_id} has no text value (SecretString); store it as text")]
    NotText { secret_id: String },
    #[error("secret {secret_id} is empty")]
    Empty { secret_id: String },
}

#[derive(Debug, Clone)]
pub struct SecretsManager {
    client: Client,
}

impl SecretsManager {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The text value of the secret's current version, trimmed (a value
    /// pasted with a final newline still works).
    #[tracing::instrument(skip(self))]
    pub async fn secret_string(&self, secret_id: &str) -> Result<String, SecretError> {
        let output = self
            .client
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|err| SecretError::Unavailable {
                secret_id: secret_id.to_owned(),
                reason: DisplayErrorContext(&err).to_string(),
            })?;
        let value = output
            .secret_string()
            .ok_or_else(|| SecretError::NotText {
                secret_id: secret_id.to_owned(),
            })?
            .trim();
        if value.is_empty() {
            return Err(SecretError::Empty {
                secret_id: secret_id.to_owned(),
            });
        }
        Ok(value.to_owned())
    }
}

#[cfg(all(test, feature = "testing"))]
mod on_moto {
    use super::*;
    use crate::testing::moto;

    async fn secrets() -> (Client, SecretsManager) {
        let client = Client::new(&moto::sdk_config().await);
        (client.clone(), SecretsManager::new(client))
    }

    #[tokio::test]
    async fn reads_a_text_secret_by_arn_and_by_name() {
        let (client, secrets) = secrets().await;
        let name = moto::unique_name("stva-unit-secret");
        let created = client
            .create_secret()
            .name(&name)
            .secret_string("  the-value\n")
            .send()
            .await
            .expect("create secret");
        let arn = created.arn().expect("arn").to_owned();
        assert_eq!(
            secrets.secret_string(&arn).await.expect("by arn"),
            "the-value"
        );
        assert_eq!(
            secrets.secret_string(&name).await.expect("by name"),
            "the-value"
        );
    }

    #[tokio::test]
    async fn a_missing_binary_or_empty_secret_is_a_clear_error() {
        let (client, secrets) = secrets().await;
        let missing = moto::unique_name("stva-unit-missing");
        let err = secrets.secret_string(&missing).await.expect_err("missing");
        assert!(matches!(err, SecretError::Unavailable { .. }), "{err}");
        let message = err.to_string();
        assert!(message.contains(&missing), "{message}");
        assert!(message.contains("ResourceNotFound"), "{message}");

        let binary = moto::unique_name("stva-unit-binary");
        client
            .create_secret()
            .name(&binary)
            .secret_binary(aws_sdk_secretsmanager::primitives::Blob::new(vec![1, 2, 3]))
            .send()
            .await
            .expect("create binary secret");
        let err = secrets.secret_string(&binary).await.expect_err("binary");
        assert!(matches!(err, SecretError::NotText { .. }), "{err}");

        let blank = moto::unique_name("stva-unit-blank");
        client
            .create_secret()
            .name(&blank)
            .secret_string("   ")
            .send()
            .await
            .expect("create blank secret");
        let err = secrets.secret_string(&blank).await.expect_err("blank");
        assert!(matches!(err, SecretError::Empty { .. }), "{err}");
    }
}
