//! The mailer on Amazon SES: one raw MIME message per e-mail (text + HTML,
//! attachments), sent with `SendRawEmail`.

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::{DisplayErrorContext, SdkError};
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;

use super::mime::{Sender, build_raw_message};
use crate::ports::mailer::{Email, MailError, Mailer};

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
}

fn unavailable<E, R>(operation: &str, err: SdkError<E, R>) -> MailError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    MailError::Unavailable(format!("SES {operation}: {}", DisplayErrorContext(&err)))
}

impl SesMailer {
    /// `from` is `noreply@domain` or `STVA <noreply@domain>`; it is checked
    /// when a message is sent.
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }

    pub fn from(&self) -> &str {
        &self.from
    }

    /// Asks SES to verify the sender's address (`VerifyEmailIdentity`). Only
    /// for local runs on the emulator, which then counts it as verified; in
    /// production the identity comes with the deployment template.
    #[tracing::instrument(skip(self), fields(from = %self.from))]
    pub async fn verify_sender(&self) -> Result<(), MailError> {
        let sender = Sender::parse(&self.from)?;
        self.client
            .verify_email_identity()
            .email_address(sender.address)
            .send()
            .await
            .map_err(|err| unavailable("VerifyEmailIdentity", err))?;
        Ok(())
    }
}

#[async_trait]
impl Mailer for SesMailer {
    #[tracing::instrument(skip(self, email), fields(attachments = email.attachments.len()))]
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        let sender = Sender::parse(&self.from)?;
        let raw = build_raw_message(&sender, email)?;
        let message = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|err| MailError::Unavailable(format!("SES raw message: {err}")))?;
        let sent = self
            .client
            .send_raw_email()
            .source(sender.address)
            .destinations(email.to.as_str())
            .raw_message(message)
            .send()
            .await;
        match sent {
            Ok(output) => Ok(output.message_id().to_owned()),
            Err(err) => match err.as_service_error() {
                Some(service) if service.is_message_rejected() => {
                    Err(MailError::Rejected(service.to_string()))
                }
                _ => Err(unavailable("SendRawEmail", err)),
            },
        }
    }
}
