//! Invoices: a manager asks for a presigned PUT of a server-chosen key
//! under the account's prefix, the browser uploads the PDF straight to the
//! blob store, then the manager publishes it; the function checks the
//! object (exists, declared size, at most 10 MB, `%PDF-`), deletes a
//! rejected upload, records the invoice on the order and e-mails the
//! customer. The customer downloads it through a short-lived presigned GET.
//!
//! Each upload has its own key (`accounts/<account>/orders/<order>/invoices/
//! <upload_id>.pdf`), so replacing an invoice never overwrites the previous
//! one: it stays in the store (and the bucket is versioned besides).
//! A pending upload is `ORDER#<id>` / `UPLOAD#<upload_id>`, with a TTL.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Map;
use time::OffsetDateTime;

use crate::app::mail_delivery::{self, MailJob};
use crate::app::order_lifecycle::{load, save};
use crate::app::order_views::OrderView;
use crate::app::validation::owned_order;
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::policy::Actor;
use crate::ports::table::{Condition, Item, Key, Write};
use crate::ports::{BlobError, BlobStore, PresignedRequest, StoreError};
use crate::repo::orders::{InvoiceRef, Order, TimelineEntry};
use crate::services::Services;

/// The only content type an invoice may have.
pub const PDF: &str = "application/pdf";
/// Largest invoice, in bytes (10 MB).
pub const MAX_INVOICE_BYTES: u64 = 10 * 1024 * 1024;
/// How long the presigned PUT is valid.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// How long the presigned GET is valid.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(5 * 60);
/// How long a pending upload may still be published.
pub const PENDING_TTL: Duration = Duration::from_secs(24 * 3600);
const PDF_MAGIC: &[u8] = b"%PDF-";

/// The key of the upload `upload_id` of an order of `account_id`.
pub fn object_key(account_id: &str, order_id: &str, upload_id: &str) -> String {
    format!("{}{upload_id}.pdf", account_prefix(account_id, order_id))
}

/// Every invoice of an order lives under this prefix.
pub fn account_prefix(account_id: &str, order_id: &str) -> String {
    format!("accounts/{account_id}/orders/{order_id}/invoices/")
}

fn pending_key(order_id: &str, upload_id: &str) -> Key {
    Key::new(format!("ORDER#{order_id}"), format!("UPLOAD#{upload_id}"))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UploadUrlInput {
    /// `application/pdf` only.
    #[schema(value_type = String, required = true, example = "application/pdf")]
    pub content_type: Option<String>,
    /// Bytes, 1 to 10 MB.
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 10_000_000)]
    pub size: Option<i64>,
}

/// What the browser must send: exactly this method, URL and headers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UploadTicket {
    pub url: String,
    /// Always `PUT`.
    #[schema(example = "PUT")]
    pub method: String,
    pub headers: BTreeMap<String, String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub upload_id: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PublishInput {
    /// The `upload_id` of the upload URL.
    #[schema(value_type = String, required = true)]
    pub upload_id: Option<String>,
}

fn managers_only(actor: &Actor) -> AppResult<()> {
    if actor.is_manager() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn check_declaration(input: &UploadUrlInput) -> AppResult<u64> {
    let mut errors = Vec::new();
    match input.content_type.as_deref().map(str::trim) {
        None | Some("") => errors.push(crate::domain::FieldError::new(
            "content_type",
            "Ce champ est obligatoire.",
        )),
        Some(t) if t.eq_ignore_ascii_case(PDF) => {}
        Some(_) => errors.push(crate::domain::FieldError::new(
            "content_type",
            "La facture doit être un fichier PDF (application/pdf).",
        )),
    }
    let size = match input.size {
        None => {
            errors.push(crate::domain::FieldError::new(
                "size",
                "Ce champ est obligatoire.",
            ));
            0
        }
        Some(n) if n < 1 => {
            errors.push(crate::domain::FieldError::new(
                "size",
                "Le fichier est vide.",
            ));
            0
        }
        Some(n) => {
            let n = u64::try_from(n).unwrap_or(u64::MAX);
            if n > MAX_INVOICE_BYTES {
                errors.push(crate::domain::FieldError::new(
                    "size",
                    "La facture ne doit pas dépasser 10 Mo.",
                ));
            }
            n
        }
    };
    if errors.is_empty() {
        Ok(size)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// A presigned PUT for a new invoice of the order, and the pending upload.
pub async fn upload_url(
    services: &Services,
    actor: &Actor,
    by: &str,
    order_id: &str,
    input: UploadUrlInput,
) -> AppResult<UploadTicket> {
    managers_only(actor)?;
    let order = owned_order(services, actor, order_id).await?;
    let size = check_declaration(&input)?;
    let upload_id = uuid::Uuid::new_v4().simple().to_string();
    let key = object_key(&order.account_id, &order.id, &upload_id);
    let request = presign_upload(services.blobs.as_ref(), &key, size).await?;
    let now = services.clock.now();
    let valid_until = now.unix_timestamp() + i64::try_from(PENDING_TTL.as_secs()).unwrap_or(0);
    let mut attrs = Map::new();
    attrs.insert("upload_id".into(), upload_id.clone().into());
    attrs.insert("object_key".into(), key.into());
    attrs.insert("size".into(), size.into());
    attrs.insert("requested_by".into(), by.into());
    attrs.insert("valid_until".into(), valid_until.into());
    let item = Item::new(pending_key(&order.id, &upload_id), attrs).with_expiry(valid_until);
    services.table.put(item, Condition::NotExists).await?;
    Ok(ticket(request, upload_id))
}

/// The presigned PUT of an invoice: `Content-Type: application/pdf` and the
/// length signed, valid 15 minutes.
pub async fn presign_upload(
    blobs: &dyn BlobStore,
    key: &str,
    size: u64,
) -> Result<PresignedRequest, BlobError> {
    blobs.presign_put(key, PDF, size, UPLOAD_TTL).await
}

/// The presigned GET of an invoice, valid 5 minutes, saved as `name`.
pub async fn presign_download(
    blobs: &dyn BlobStore,
    key: &str,
    name: &str,
) -> Result<PresignedRequest, BlobError> {
    blobs.presign_get(key, DOWNLOAD_TTL, Some(name)).await
}

fn ticket(request: PresignedRequest, upload_id: String) -> UploadTicket {
    UploadTicket {
        url: request.url,
        method: request.method,
        headers: request.headers.into_iter().collect(),
        expires_at: request.expires_at,
        upload_id,
    }
}

fn unknown_upload() -> AppError {
    AppError::invalid(
        "upload_id",
        "Ce dépôt de facture est inconnu ou a expiré : demandez une nouvelle adresse de dépôt.",
    )
}

/// Why an uploaded object is refused, in French; `None` when it is fine.
fn refusal(size: u64, declared: u64, prefix: &[u8]) -> Option<String> {
    if size > MAX_INVOICE_BYTES {
        return Some(format!(
            "Le fichier déposé fait {} octets : une facture ne doit pas dépasser 10 Mo.",
            size
        ));
    }
    if size != declared {
        return Some(format!(
            "Le fichier déposé fait {size} octets alors que {declared} octets étaient annoncés."
        ));
    }
    if !prefix.starts_with(PDF_MAGIC) {
        return Some("Le fichier déposé n'est pas un PDF.".to_owned());
    }
    None
}

/// Checks the uploaded object and publishes it on the order.
pub async fn publish(
    services: &Services,
    actor: &Actor,
    by: &str,
    order_id: &str,
    input: PublishInput,
) -> AppResult<OrderView> {
    managers_only(actor)?;
    let order = owned_order(services, actor, order_id).await?;
    let upload_id = match input.upload_id.as_deref().map(str::trim) {
        None | Some("") => return Err(AppError::invalid("upload_id", "Ce champ est obligatoire.")),
        Some(id) if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) => id.to_owned(),
        Some(_) => return Err(unknown_upload()),
    };
    let pending = pending_key(&order.id, &upload_id);
    let Some(item) = services.table.get(&pending).await? else {
        // A repeat of a publication that succeeded answers the same.
        let key = object_key(&order.account_id, &order.id, &upload_id);
        if order.invoice.as_ref().is_some_and(|i| i.key == key) {
            return Ok(OrderView::from(&order));
        }
        return Err(unknown_upload());
    };
    let now = services.clock.now();
    let valid_until = item.attrs.get("valid_until").and_then(|v| v.as_i64());
    let key = item
        .attrs
        .get("object_key")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let declared = item.attrs.get("size").and_then(|v| v.as_u64());
    let (Some(valid_until), Some(key), Some(declared)) = (valid_until, key, declared) else {
        return Err(AppError::Unexpected(format!(
            "corrupt pending upload {upload_id}"
        )));
    };
    if now.unix_timestamp() > valid_until {
        services.blobs.delete(&key).await?;
        services.table.delete(&pending, Condition::Always).await?;
        return Err(unknown_upload());
    }
    let Some(meta) = services.blobs.head(&key).await? else {
        return Err(AppError::invalid(
            "upload_id",
            "Aucun fichier n'a été déposé : envoyez la facture à l'adresse de dépôt, puis publiez-la.",
        ));
    };
    let prefix = services
        .blobs
        .read_prefix(&key, PDF_MAGIC.len() as u64)
        .await?
        .unwrap_or_default();
    if let Some(why) = refusal(meta.size, declared, &prefix) {
        services.blobs.delete(&key).await?;
        services.table.delete(&pending, Condition::Always).await?;
        tracing::info!(order_id, upload_id, reason = %why, "invoice upload rejected");
        return Err(AppError::invalid("upload_id", why));
    }
    let invoice = InvoiceRef {
        key,
        size: meta.size,
        uploaded_at: now,
    };
    let published = record(services, order_id, invoice, by, &pending).await?;
    notify(services, &published).await;
    Ok(OrderView::from(&published))
}

/// Saves the invoice on the order with a timeline entry, removing the
/// pending upload in the same transaction.
async fn record(
    services: &Services,
    order_id: &str,
    invoice: InvoiceRef,
    by: &str,
    pending: &Key,
) -> AppResult<Order> {
    for _ in 0..5 {
        let mut order = load(services, order_id).await?;
        let label = if order.invoice.is_some() {
            "Facture remplacée"
        } else {
            "Facture disponible"
        };
        order.timeline.push(TimelineEntry {
            at: invoice.uploaded_at,
            status: order.status,
            label: label.to_owned(),
            by: Some(by.to_owned()),
        });
        order.invoice = Some(invoice.clone());
        order.updated_at = invoice.uploaded_at;
        order.revision += 1;
        let side = vec![Write::Delete {
            key: pending.clone(),
            condition: Condition::Always,
        }];
        match save(services, &order, side).await {
            Ok(()) => return Ok(order),
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "conflict",
        "La commande est très sollicitée : réessayez.",
    ))
}

async fn notify(services: &Services, order: &Order) {
    let mail = emails::invoice_available(order, &services.config.public_url);
    let job = MailJob::InvoiceAvailable {
        order_id: order.id.clone(),
    };
    mail_delivery::send(services, job, &mail).await;
}

/// Where to download the order's invoice: a presigned GET, valid 5 minutes,
/// saved as `facture-<number>.pdf`.
pub async fn download_url(
    services: &Services,
    actor: &Actor,
    order_id: &str,
) -> AppResult<PresignedRequest> {
    let order = owned_order(services, actor, order_id).await?;
    let Some(invoice) = order.invoice else {
        return Err(AppError::not_found(
            "Aucune facture n'est disponible pour cette commande.",
        ));
    };
    let name = format!("facture-{}.pdf", order.number);
    Ok(presign_download(services.blobs.as_ref(), &invoice.key, &name).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_live_under_the_account_prefix() {
        let key = object_key("acc-1", "ord-2", "abc");
        assert_eq!(key, "accounts/acc-1/orders/ord-2/invoices/abc.pdf");
        assert!(key.starts_with(&account_prefix("acc-1", "ord-2")));
    }

    #[test]
    fn declarations_are_checked() {
        let ok = UploadUrlInput {
            content_type: Some("application/pdf".into()),
            size: Some(1),
        };
        assert_eq!(check_declaration(&ok).expect("valid"), 1);
        let max = UploadUrlInput {
            size: Some(10 * 1024 * 1024),
            ..ok.clone()
        };
        assert!(check_declaration(&max).is_ok());
        for bad in [
            UploadUrlInput {
                size: Some(10 * 1024 * 1024 + 1),
                ..ok.clone()
            },
            UploadUrlInput {
                size: Some(0),
                ..ok.clone()
            },
            UploadUrlInput {
                content_type: Some("image/png".into()),
                ..ok.clone()
            },
            UploadUrlInput::default(),
        ] {
            assert!(
                matches!(check_declaration(&bad), Err(AppError::Validation(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn uploads_are_refused_with_a_reason() {
        assert_eq!(refusal(10, 10, b"%PDF-"), None);
        assert!(refusal(10, 10, b"GIF89").is_some_and(|w| w.contains("pas un PDF")));
        assert!(refusal(11, 10, b"%PDF-").is_some_and(|w| w.contains("annoncés")));
        assert!(
            refusal(MAX_INVOICE_BYTES + 1, MAX_INVOICE_BYTES + 1, b"%PDF-")
                .is_some_and(|w| w.contains("10 Mo"))
        );
    }

    fn query(url: &str, name: &str) -> Option<String> {
        url::Url::parse(url)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    fn s3_store() -> crate::adapters::s3::S3BlobStore {
        use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-3"))
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .endpoint_url("http://127.0.0.1:9")
            .force_path_style(true)
            .build();
        crate::adapters::s3::S3BlobStore::new(aws_sdk_s3::Client::from_conf(config), "invoices")
    }

    #[tokio::test]
    async fn the_s3_upload_url_expires_within_15_minutes_signs_the_type_and_stays_under_the_prefix()
    {
        let key = object_key("acc-1", "ord-2", "0123456789abcdef0123456789abcdef");
        let before = OffsetDateTime::now_utc();
        let put = presign_upload(&s3_store(), &key, 2048)
            .await
            .expect("presign");
        assert_eq!(put.method, "PUT");
        let expires: u64 = query(&put.url, "X-Amz-Expires")
            .and_then(|v| v.parse().ok())
            .expect("X-Amz-Expires");
        assert!(expires <= 900, "{expires}");
        assert!(put.expires_at - before <= time::Duration::seconds(901));
        let signed = query(&put.url, "X-Amz-SignedHeaders").expect("signed headers");
        let signed: Vec<&str> = signed.split(';').collect();
        assert!(signed.contains(&"content-type"), "{signed:?}");
        assert!(signed.contains(&"content-length"), "{signed:?}");
        assert!(
            put.headers
                .contains(&("content-type".into(), "application/pdf".into()))
        );
        let path = url::Url::parse(&put.url).expect("url").path().to_owned();
        assert!(
            path.starts_with(&format!("/invoices/{}", account_prefix("acc-1", "ord-2"))),
            "{path}"
        );

        let get = presign_download(&s3_store(), &key, "facture-BC-2026-000001.pdf")
            .await
            .expect("presign");
        let expires: u64 = query(&get.url, "X-Amz-Expires")
            .and_then(|v| v.parse().ok())
            .expect("X-Amz-Expires");
        assert!(expires <= 300, "{expires}");
        assert!(
            query(&get.url, "response-content-disposition")
                .is_some_and(|d| d.contains("facture-BC-2026-000001.pdf"))
        );
    }

    #[tokio::test]
    async fn the_local_upload_url_expires_within_15_minutes_signs_the_type_and_stays_under_the_prefix()
     {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::adapters::local_blobs::LocalBlobStore::new(
            dir.path().to_path_buf(),
            "http://127.0.0.1:3000",
            b"secret".to_vec(),
        );
        let key = object_key("acc-1", "ord-2", "0123456789abcdef0123456789abcdef");
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let put = presign_upload(&store, &key, 2048).await.expect("presign");
        assert_eq!(put.method, "PUT");
        let expires: i64 = query(&put.url, "expires")
            .and_then(|v| v.parse().ok())
            .expect("expires");
        assert!(
            expires - now <= 900 && expires - now >= 899,
            "{}",
            expires - now
        );
        assert_eq!(query(&put.url, "ct").as_deref(), Some("application/pdf"));
        assert!(query(&put.url, "sig").is_some());
        assert!(
            put.headers
                .contains(&("content-type".into(), "application/pdf".into()))
        );
        let path = url::Url::parse(&put.url).expect("url").path().to_owned();
        assert_eq!(path, format!("/_dev/blobs/{key}"));

        let get = presign_download(&store, &key, "facture-BC-2026-000001.pdf")
            .await
            .expect("presign");
        let expires: i64 = query(&get.url, "expires")
            .and_then(|v| v.parse().ok())
            .expect("expires");
        assert!(expires - now <= 300, "{}", expires - now);
        assert_eq!(
            query(&get.url, "dn").as_deref(),
            Some("facture-BC-2026-000001.pdf")
        );
    }
}
