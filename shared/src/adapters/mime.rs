//! MIME pieces shared by the blob and mail adapters: the download
//! `Content-Disposition` (RFC 6266), the raw e-mail (RFC 5322 / 2045-2049,
//! built with `mail-builder`) and the checks that keep header injection out.

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::ports::mailer::{Email, MailError};

/// RFC 5987 `attr-char`: everything else is percent-encoded in `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="..."`, plus `filename*=UTF-8''...` (RFC 6266)
/// when the name is not plain printable ASCII; the quoted fallback then
/// spells French letters without accents and replaces anything else by `_`.
pub fn attachment_disposition(filename: &str) -> String {
    let name: String = filename.chars().filter(|c| !c.is_control()).collect();
    let name = name.trim();
    if name.is_empty() {
        return "attachment".to_owned();
    }
    let mut fallback = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '"' | '\\' => fallback.push('_'),
            ' '..='~' => fallback.push(c),
            _ => fallback.push_str(ascii_spelling(c)),
        }
    }
    if fallback == name {
        format!("attachment; filename=\"{name}\"")
    } else {
        let encoded = utf8_percent_encode(name, ATTR_CHAR);
        format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
    }
}

fn ascii_spelling(c: char) -> &'static str {
    match c {
        'à' | 'â' | 'ä' | 'á' => "a",
        'À' | 'Â' | 'Ä' | 'Á' => "A",
        'ç' => "c",
        'Ç' => "C",
        'é' | 'è' | 'ê' | 'ë' => "e",
        'É' | 'È' | 'Ê' | 'Ë' => "E",
        'î' | 'ï' | 'í' => "i",
        'Î' | 'Ï' | 'Í' => "I",
        'ô' | 'ö' | 'ó' => "o",
        'Ô' | 'Ö' | 'Ó' => "O",
        'ù' | 'û' | 'ü' | 'ú' => "u",
        'Ù' | 'Û' | 'Ü' | 'Ú' => "U",
        'ÿ' => "y",
        'Ÿ' => "Y",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        '–' | '—' => "-",
        '’' | '‘' => "'",
        _ => "_",
    }
}

/// A single bare address (`name@domain`): no display name, no list, nothing
/// that could end a header line. Both mailers refuse anything else the same way.
pub fn validate_recipient(to: &str) -> Result<(), MailError> {
    let rejected = || MailError::Rejected(format!("invalid recipient address: {to:?}"));
    if to.is_empty() || to.len() > 254 {
        return Err(rejected());
    }
    if to
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "<>,;:\"()[]\\".contains(c))
    {
        return Err(rejected());
    }
    match to.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(())
        }
        _ => Err(rejected()),
    }
}

/// A sender given as `addr@domain` or `Display Name <addr@domain>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: Option<String>,
    pub address: String,
}

impl Sender {
    pub fn parse(from: &str) -> Result<Self, MailError> {
        let from = from.trim();
        let (name, address) = match from.strip_suffix('>').and_then(|f| f.rsplit_once('<')) {
            Some((name, address)) => {
                let name = name.trim().trim_matches('"').trim();
                ((!name.is_empty()).then(|| name.to_owned()), address.trim())
            }
            None => (None, from),
        };
        validate_recipient(address)
            .map_err(|_| MailError::Unavailable(format!("invalid sender address: {from:?}")))?;
        if name
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
        {
            return Err(MailError::Unavailable(format!(
                "invalid sender name: {from:?}"
            )));
        }
        Ok(Self {
            name,
            address: address.to_owned(),
        })
    }

    fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map_or("localhost", |(_, domain)| domain)
    }
}

/// Control characters (CR, LF, tab...) become spaces: a header stays one line.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `type/subtype` with token characters only (parameters are not accepted).
fn checked_content_type(content_type: &str) -> Result<&str, MailError> {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    match content_type.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => Ok(content_type),
        _ => Err(MailError::Rejected(format!(
            "invalid attachment content type: {content_type:?}"
        ))),
    }
}

/// The raw message: `multipart/alternative` (text + HTML), wrapped in
/// `multipart/mixed` when there are attachments; non-ASCII headers are
/// RFC 2047 encoded, bodies quoted-printable or base64 as fits best.
pub fn build_raw_message(sender: &Sender, email: &Email) -> Result<Vec<u8>, MailError> {
    validate_recipient(&email.to)?;
    let from: Address<'_> = match &sender.name {
        Some(name) => (name.as_str(), sender.address.as_str()).into(),
        None => sender.address.as_str().into(),
    };
    let message_id = format!("{}@{}", uuid::Uuid::now_v7().simple(), sender.domain());
    let mut builder = MessageBuilder::new()
        .message_id(message_id)
        .from(from)
        .to(email.to.as_str())
        .subject(one_line(&email.subject))
        .text_body(email.text.as_str());
    if !email.html.is_empty() {
        builder = builder.html_body(email.html.as_str());
    }
    for attachment in &email.attachments {
        builder = builder.attachment(
            checked_content_type(&attachment.content_type)?,
            one_line(&attachment.filename),
            attachment.bytes.as_slice(),
        );
    }
    builder
        .write_to_vec()
        .map_err(|err| MailError::Unavailable(format!("cannot build the message: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::mailer::Attachment;

    #[test]
    fn ascii_names_are_quoted_only() {
        assert_eq!(
            attachment_disposition("facture-42.pdf"),
            "attachment; filename=\"facture-42.pdf\""
        );
    }

    #[test]
    fn non_ascii_names_get_an_extended_parameter() {
        assert_eq!(
            attachment_disposition("Facture été n°42.pdf"),
            "attachment; filename=\"Facture ete n_42.pdf\"; \
             filename*=UTF-8''Facture%20%C3%A9t%C3%A9%20n%C2%B042.pdf"
        );
    }

    #[test]
    fn quotes_and_line_breaks_cannot_escape_the_header() {
        let value = attachment_disposition("a\"b\r\nSet-Cookie: x.pdf");
        assert!(!value.contains('\r') && !value.contains('\n'));
        assert!(value.starts_with("attachment; filename=\"a_bSet-Cookie: x.pdf\"; filename*="));
        assert_eq!(attachment_disposition(" \r\n"), "attachment");
    }

    #[test]
    fn recipients_are_single_bare_addresses() {
        assert!(validate_recipient("jean.dupont@garage-dupont.fr").is_ok());
        for bad in [
            "",
            "jean",
            "@x.fr",
            "jean@",
            "a@b@c",
            "Jean <jean@x.fr>",
            "a@x.fr, b@x.fr",
            "a@x.fr\r\nBcc: b@x.fr",
        ] {
            assert!(
                matches!(validate_recipient(bad), Err(MailError::Rejected(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn senders_with_and_without_names() {
        let plain = Sender::parse("noreply@stva.fr").expect("plain");
        assert_eq!(plain.name, None);
        assert_eq!(plain.address, "noreply@stva.fr");
        let named = Sender::parse("\"STVA Portail\" <noreply@stva.fr>").expect("named");
        assert_eq!(named.name.as_deref(), Some("STVA Portail"));
        assert_eq!(named.address, "noreply@stva.fr");
        assert!(Sender::parse("STVA").is_err());
    }

    fn email(attachments: Vec<Attachment>) -> Email {
        Email {
            to: "client@example.fr".into(),
            subject: "Votre accès au portail STVA — invitation\r\nBcc: evil@x.fr".into(),
            text: "Bonjour,\nvoici votre accès.".into(),
            html: "<p>Bonjour,<br>voici votre accès.</p>".into(),
            attachments,
        }
    }

    #[test]
    fn builds_alternative_then_mixed_with_encoded_headers() {
        let sender = Sender::parse("STVA <noreply@stva.fr>").expect("sender");
        let raw = build_raw_message(&sender, &email(vec![])).expect("raw");
        let raw = String::from_utf8(raw).expect("ascii");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(!raw.contains("multipart/mixed"), "{raw}");
        assert!(
            raw.contains("=?utf-8?"),
            "subject is RFC 2047 encoded: {raw}"
        );
        assert!(!raw.contains("\r\nBcc:"), "no header injection: {raw}");
        assert!(
            raw.contains("@stva.fr>"),
            "message id on the sender's domain"
        );

        let pdf = Attachment {
            filename: "invitation.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
        };
        let raw = build_raw_message(&sender, &email(vec![pdf])).expect("raw");
        let raw = String::from_utf8(raw).expect("ascii");
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("filename=\"invitation.pdf\""), "{raw}");
    }

    #[test]
    fn refuses_bad_recipients_and_content_types() {
        let sender = Sender::parse("noreply@stva.fr").expect("sender");
        let mut bad_to = email(vec![]);
        bad_to.to = "x@y.fr\r\nBcc: z@y.fr".into();
        assert!(matches!(
            build_raw_message(&sender, &bad_to),
            Err(MailError::Rejected(_))
        ));
        let bad_type = email(vec![Attachment {
            filename: "a.pdf".into(),
            content_type: "application/pdf\r\nX-Evil: 1".into(),
            bytes: vec![1],
        }]);
        assert!(matches!(
            build_raw_message(&sender, &bad_type),
            Err(MailError::Rejected(_))
        ));
    }
}
