//! The `Mailer` port's contract, run against every adapter. Each adapter's
//! fixture reads back what it delivered: the outbox through `list()`, SES
//! through moto's `/moto-api/data.json`.

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine;
use shared::ports::mailer::{Attachment, Email, MailError, Mailer};

/// What an adapter delivered, as far as its read-back can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub to: String,
    pub subject: String,
    /// (file name, content type, bytes)
    pub attachments: Vec<(String, String, Vec<u8>)>,
    /// The MIME structure (`multipart/alternative` or `multipart/mixed`),
    /// when the adapter builds one.
    pub multipart: Option<String>,
}

pub const SUBJECT: &str = "Votre accès au portail STVA — invitation";

fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n% STVA conditions g\xc3\xa9n\xc3\xa9rales\n".to_vec();
    bytes.extend((0..600u32).map(|i| (i % 256) as u8));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

fn recipient() -> String {
    format!("client-{}@garage-dupont.fr", uuid::Uuid::new_v4().simple())
}

fn invitation(to: &str, attachments: Vec<Attachment>) -> Email {
    Email {
        to: to.to_owned(),
        subject: SUBJECT.to_owned(),
        text: "Bonjour Hélène,\n\nvous êtes invitée à rejoindre le portail STVA.\n".to_owned(),
        html: "<p>Bonjour Hélène,</p><p>vous êtes invitée à rejoindre le portail STVA.</p>"
            .to_owned(),
        attachments,
    }
}

pub async fn sends_a_french_message_with_a_pdf(
    mailer: Arc<dyn Mailer>,
    read_back: impl AsyncFn(&str) -> Option<Delivered>,
) {
    let to = recipient();
    let attachment = Attachment {
        filename: "conditions-generales-STVA.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        bytes: pdf(),
    };
    let id = mailer
        .send(&invitation(&to, vec![attachment.clone()]))
        .await
        .expect("send");
    assert!(!id.is_empty());
    let delivered = read_back(&id).await.expect("message delivered");
    assert_eq!(delivered.to, to);
    assert_eq!(delivered.subject, SUBJECT);
    assert_eq!(
        delivered.attachments,
        vec![(
            attachment.filename,
            attachment.content_type,
            attachment.bytes
        )]
    );
    if let Some(multipart) = delivered.multipart {
        assert_eq!(multipart, "multipart/mixed");
    }
}

pub async fn sends_a_message_without_attachments(
    mailer: Arc<dyn Mailer>,
    read_back: impl AsyncFn(&str) -> Option<Delivered>,
) {
    let to = recipient();
    let id = mailer
        .send(&invitation(&to, Vec::new()))
        .await
        .expect("send");
    let delivered = read_back(&id).await.expect("message delivered");
    assert_eq!(delivered.to, to);
    assert_eq!(delivered.subject, SUBJECT);
    assert!(delivered.attachments.is_empty());
    if let Some(multipart) = delivered.multipart {
        assert_eq!(multipart, "multipart/alternative");
    }
}

pub async fn refuses_invalid_recipients(mailer: Arc<dyn Mailer>) {
    for to in [
        "",
        "pas-une-adresse",
        "Jean <jean@garage-dupont.fr>",
        "a@garage-dupont.fr, b@garage-dupont.fr",
        "a@garage-dupont.fr\r\nBcc: b@garage-dupont.fr",
    ] {
        let result = mailer.send(&invitation(to, Vec::new())).await;
        assert!(
            matches!(result, Err(MailError::Rejected(_))),
            "{to:?}: {result:?}"
        );
    }
}

pub async fn concurrent_sends_all_arrive(
    mailer: Arc<dyn Mailer>,
    read_back: impl AsyncFn(&str) -> Option<Delivered>,
) {
    let to = recipient();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let mailer = mailer.clone();
        let email = invitation(&to, Vec::new());
        tasks.push(tokio::spawn(async move { mailer.send(&email).await }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.expect("task").expect("send"));
    }
    assert_eq!(ids.len(), 8, "one id per message");
    for id in ids {
        let delivered = read_back(&id).await.expect("message delivered");
        assert_eq!(delivered.to, to);
    }
}

// Reading a raw MIME message back, as far as the tests need it.

/// Header lines unfolded, until the first empty line.
fn headers(part: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in part.split("\r\n") {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    out
}

fn header(part: &str, name: &str) -> Option<String> {
    headers(part)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// RFC 2047 encoded words (`=?utf-8?B?...?=` or `?Q?`) decoded; the
/// whitespace between two encoded words disappears.
pub fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !(after_word && before.trim().is_empty()) {
            out.extend_from_slice(before.as_bytes());
        }
        let word = &rest[start + 2..];
        let mut parts = word.splitn(3, '?');
        let (Some(_charset), Some(encoding), Some(tail)) =
            (parts.next(), parts.next(), parts.next())
        else {
            break;
        };
        let Some(end) = tail.find("?=") else { break };
        let text = &tail[..end];
        if encoding.eq_ignore_ascii_case("b") {
            out.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .expect("base64 word"),
            );
        } else {
            let mut bytes = text.bytes();
            while let Some(b) = bytes.next() {
                match b {
                    b'_' => out.push(b' '),
                    b'=' => {
                        let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                        let hex = std::str::from_utf8(&hex).expect("hex");
                        out.push(u8::from_str_radix(hex, 16).expect("hex byte"));
                    }
                    _ => out.push(b),
                }
            }
        }
        rest = &tail[end + 2..];
        after_word = true;
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8(out).expect("utf-8")
}

/// The parts of a multipart body (without descending into sub-parts).
fn parts<'a>(message: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    message
        .split(delimiter.as_str())
        .skip(1)
        .take_while(|p| !p.starts_with("--"))
        .map(|p| p.trim_start_matches("\r\n"))
        .collect()
}

/// Reads a raw message as built by the SES adapter.
pub fn parse_raw(raw: &str) -> Delivered {
    let to = header(raw, "to").expect("To");
    let to = to.trim_matches(['<', '>']).to_owned();
    let subject = decode_words(&header(raw, "subject").expect("Subject"));
    let content_type = header(raw, "content-type").expect("Content-Type");
    let multipart = content_type.split(';').next().map(|t| t.trim().to_owned());
    let mut attachments = Vec::new();
    if let Some(boundary) = param(&content_type, "boundary") {
        for part in parts(raw, &boundary) {
            let Some(disposition) = header(part, "content-disposition") else {
                continue;
            };
            if !disposition.starts_with("attachment") {
                continue;
            }
            let filename = decode_words(&param(&disposition, "filename").expect("filename"));
            let part_type = header(part, "content-type").expect("part type");
            let part_type = part_type.split(';').next().unwrap_or_default().to_owned();
            let encoding = header(part, "content-transfer-encoding").expect("encoding");
            assert!(encoding.eq_ignore_ascii_case("base64"), "{encoding}");
            let body = part
                .split_once("\r\n\r\n")
                .map(|(_, b)| b)
                .unwrap_or_default();
            let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(body)
                .expect("base64 body");
            attachments.push((filename, part_type, bytes));
        }
    }
    Delivered {
        to,
        subject,
        attachments,
        multipart,
    }
}

/// The outbox as `GET /_dev/mail` shows it: newest first, exactly the
/// fields of the API contract.
pub async fn outbox_lists_newest_first(outbox: Arc<shared::adapters::outbox::OutboxMailer>) {
    let to = recipient();
    let mut ids = Vec::new();
    for n in 0..3 {
        let mut email = invitation(&to, Vec::new());
        email.subject = format!("Message {n}");
        if n == 1 {
            email.attachments.push(Attachment {
                filename: "bon de commande n°7.pdf".to_owned(),
                content_type: "application/pdf".to_owned(),
                bytes: pdf(),
            });
        }
        ids.push(outbox.send(&email).await.expect("send"));
    }
    let listed = outbox.list().expect("list");
    let listed_ids: Vec<&str> = listed.iter().map(|m| m.id.as_str()).collect();
    ids.reverse();
    assert_eq!(listed_ids, ids);
    let json = serde_json::to_value(&listed).expect("json");
    let first = &json[1];
    let mut keys: Vec<&str> = first
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "attachments",
            "html",
            "id",
            "sent_at",
            "subject",
            "text",
            "to"
        ]
    );
    assert_eq!(
        first["attachments"],
        serde_json::json!([{"filename": "bon de commande n°7.pdf", "content_type": "application/pdf"}])
    );
    let sent_at = first["sent_at"].as_str().expect("sent_at");
    time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
}
