//! The mailer for one-machine runs: every message lands in an outbox folder
//! that the dev server shows at `/_dev/mail` and tests read back.
//!
//! One message is `<sent_at>-<id>.json` plus, for its attachments, the
//! folder `<sent_at>-<id>/` holding one file per attachment. The JSON file is
//! renamed into place last, so a listed message is always complete; ids are
//! UUID v7, so concurrent senders never collide.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::mime::validate_recipient;
use crate::ports::mailer::{Email, MailError, Mailer};

/// A sent message as `GET /_dev/mail` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub attachments: Vec<OutboxAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxAttachment {
    pub filename: String,
    pub content_type: String,
}

/// The JSON file on disk: the listed fields, plus each attachment's size and
/// where its bytes are.
#[derive(Debug, Serialize, Deserialize)]
struct StoredMessage {
    id: String,
    to: String,
    subject: String,
    text: String,
    html: String,
    #[serde(with = "time::serde::rfc3339")]
    sent_at: OffsetDateTime,
    attachments: Vec<StoredAttachment>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredAttachment {
    filename: String,
    content_type: String,
    size: u64,
    /// Relative to the outbox folder.
    path: String,
}

impl From<StoredMessage> for OutboxMessage {
    fn from(stored: StoredMessage) -> Self {
        Self {
            id: stored.id,
            to: stored.to,
            subject: stored.subject,
            text: stored.text,
            html: stored.html,
            sent_at: stored.sent_at,
            attachments: stored
                .attachments
                .into_iter()
                .map(|a| OutboxAttachment {
                    filename: a.filename,
                    content_type: a.content_type,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
}

fn unavailable(context: &str, err: impl std::fmt::Display) -> MailError {
    MailError::Unavailable(format!("outbox {context}: {err}"))
}

/// A file name made of the attachment's name: no separators, no leading dot.
fn safe_file_name(index: usize, filename: &str) -> String {
    let cleaned: String = filename
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    let cleaned: String = cleaned.chars().take(100).collect();
    format!("{index}-{cleaned}")
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), MailError> {
    let staging = dir.join(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    fs::write(&staging, bytes).map_err(|e| unavailable("write", e))?;
    fs::rename(&staging, path).map_err(|e| {
        let _ = fs::remove_file(&staging);
        unavailable("rename", e)
    })
}

impl OutboxMailer {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn write(&self, email: &Email) -> Result<String, MailError> {
        validate_recipient(&email.to)?;
        fs::create_dir_all(&self.dir).map_err(|e| unavailable("create folder", e))?;
        let id = uuid::Uuid::now_v7().to_string();
        let sent_at = OffsetDateTime::now_utc();
        let stamp = sent_at
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second].[subsecond digits:6]Z"
            ))
            .map_err(|e| unavailable("timestamp", e))?;
        let stem = format!("{stamp}-{id}");
        let mut attachments = Vec::with_capacity(email.attachments.len());
        if !email.attachments.is_empty() {
            let folder = self.dir.join(&stem);
            fs::create_dir_all(&folder).map_err(|e| unavailable("create folder", e))?;
            for (index, attachment) in email.attachments.iter().enumerate() {
                let name = safe_file_name(index, &attachment.filename);
                write_atomically(&folder, &folder.join(&name), &attachment.bytes)?;
                attachments.push(StoredAttachment {
                    filename: attachment.filename.clone(),
                    content_type: attachment.content_type.clone(),
                    size: attachment.bytes.len() as u64,
                    path: format!("{stem}/{name}"),
                });
            }
        }
        let stored = StoredMessage {
            id: id.clone(),
            to: email.to.clone(),
            subject: email.subject.clone(),
            text: email.text.clone(),
            html: email.html.clone(),
            sent_at,
            attachments,
        };
        let json = serde_json::to_vec_pretty(&stored).map_err(|e| unavailable("encode", e))?;
        write_atomically(&self.dir, &self.dir.join(format!("{stem}.json")), &json)?;
        Ok(id)
    }

    fn stored(&self) -> Result<Vec<StoredMessage>, MailError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(unavailable("list", err)),
        };
        let mut messages = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| unavailable("list", e))?.path();
            let listed = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".json") && !n.starts_with('.'));
            if !listed {
                continue;
            }
            let bytes = match fs::read(&path) {
                Ok(bytes) => bytes,
                // Cleared by someone else meanwhile.
                Err(err) if err.kind() == ErrorKind::NotFound => continue,
                Err(err) => return Err(unavailable("read", err)),
            };
            match serde_json::from_slice::<StoredMessage>(&bytes) {
                Ok(message) => messages.push(message),
                Err(err) => {
                    tracing::warn!(path = %path.display(), error = %err, "unreadable outbox file")
                }
            }
        }
        messages.sort_by(|a, b| b.sent_at.cmp(&a.sent_at).then_with(|| b.id.cmp(&a.id)));
        Ok(messages)
    }

    /// Every message sent, newest first.
    pub fn list(&self) -> Result<Vec<OutboxMessage>, MailError> {
        Ok(self
            .stored()?
            .into_iter()
            .map(OutboxMessage::from)
            .collect())
    }

    /// The bytes of one attachment of one message (`None` if either is unknown).
    pub fn attachment(
        &self,
        message_id: &str,
        filename: &str,
    ) -> Result<Option<Vec<u8>>, MailError> {
        let Some(message) = self.stored()?.into_iter().find(|m| m.id == message_id) else {
            return Ok(None);
        };
        let Some(attachment) = message.attachments.iter().find(|a| a.filename == filename) else {
            return Ok(None);
        };
        match fs::read(self.dir.join(&attachment.path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(unavailable("read attachment", err)),
        }
    }
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        let outbox = self.clone();
        let email = email.clone();
        let id = tokio::task::spawn_blocking(move || outbox.write(&email))
            .await
            .map_err(|e| unavailable("writer", e))??;
        tracing::info!(id = %id, "message written to the outbox");
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::mailer::Attachment;

    #[test]
    fn attachment_file_names_stay_in_their_folder() {
        assert_eq!(safe_file_name(0, "../../etc/passwd"), "0-_.._etc_passwd");
        assert_eq!(safe_file_name(1, ".hidden"), "1-hidden");
        assert_eq!(safe_file_name(2, "Facture été.pdf"), "2-Facture été.pdf");
    }

    #[tokio::test]
    async fn messages_are_listed_newest_first_with_their_attachments() {
        let dir = tempfile::tempdir().expect("dir");
        let outbox = OutboxMailer::new(dir.path().join("outbox"));
        assert!(outbox.list().expect("empty list").is_empty());
        let mut email = Email {
            to: "a@example.fr".into(),
            subject: "Premier".into(),
            text: "1".into(),
            html: "<p>1</p>".into(),
            attachments: vec![Attachment {
                filename: "../bon.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1".to_vec(),
            }],
        };
        let first = outbox.send(&email).await.expect("send");
        email.subject = "Second".into();
        email.attachments.clear();
        let second = outbox.send(&email).await.expect("send");
        let listed = outbox.list().expect("list");
        let ids: Vec<&str> = listed.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, [second.as_str(), first.as_str()]);
        assert_eq!(
            listed[1].attachments,
            vec![OutboxAttachment {
                filename: "../bon.pdf".into(),
                content_type: "application/pdf".into()
            }]
        );
        assert_eq!(
            outbox.attachment(&first, "../bon.pdf").expect("read"),
            Some(b"%PDF-1".to_vec())
        );
        assert_eq!(outbox.attachment(&first, "other.pdf").expect("read"), None);
        assert_eq!(outbox.attachment("nope", "../bon.pdf").expect("read"), None);
    }
}
