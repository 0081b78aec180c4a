//! The stock sync: an account's stock connection (configured by a
//! manager), and the sync that brings the account's stock in line with its
//! stock tool's feed (hourly for every connected account, and on demand).
//!
//! Rules:
//! - Secrets (`api_key`, `password`) are stored in the connection's item
//!   (`repo::stock_connections::StoredConnection`), never returned (the
//!   view says `{"configured": true}`), never logged.
//! - One sync of an account at a time: a lease `LEASE#stock-sync#<account>`
//!   (conditional put with an expiry); a second one answers "already
//!   running".
//! - Records match the account's vehicles by source + external reference,
//!   then plate, then VIN, only within the account. Unchanged vehicles are
//!   not written; new ones are created; changed ones updated (conditioned
//!   on the revision read). A vehicle `in_order` is never changed nor
//!   removed (`kept_in_order`).
//! - Vehicles of the feed's source missing from a **complete** feed become
//!   `removed`; an incomplete feed removes nothing, and neither does an
//!   empty feed when the account holds vehicles of that source (a warning:
//!   a tool answering an empty export must not wipe a stock).
//! - New vehicles (fresh ids nobody else can hold) are written with batch
//!   puts (`put_many`: BatchWriteItem, 25 at a time, unprocessed items
//!   retried). Updates and removals go in conditional transactions of at
//!   most 25 items (conflicts and throttling retried); a transaction failing
//!   on a condition is replayed item by item so only the vehicles changed
//!   meanwhile are reported. A sync interrupted between the two leaves new
//!   vehicles that the next sync matches by reference: nothing duplicates.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::app::{accounts, new_id};
use crate::error::{AppError, AppResult};
use crate::ports::{StoreError, Write};
use crate::repo::stock_connections::StoredConnection;
use crate::repo::vehicles::{Vehicle, VehicleStatus, Vehicles};
use crate::services::Services;
use crate::stock::connectors::{
    FeedError, FeedFetcher, FetchRequest, FetchResponse, RecordError, StockConnection, StockRecord,
};
use crate::stock::matching::StockIndex;

/// Most writes in one transaction (DynamoDB's batch size, kept for both).
pub const MAX_WRITES_PER_BATCH: usize = 25;
/// How long a sync holds its account's lease (a Lambda's 15 minutes).
pub const LEASE_SECONDS: i64 = 900;
/// Most errors and warnings kept in the stored report (an item is 400 KB).
pub const MAX_REPORTED: usize = 500;
/// Retries of a transaction refused for a conflict or throttling.
const RETRIES: u32 = 4;
/// The keys whose values are secrets, wherever they are in the settings.
const SECRET_KEYS: [&str; 2] = ["api_key", "password"];

// ---- the connection ----

/// `PUT /api/accounts/{account_id}/stock-connection`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ConnectionInput {
    #[schema(value_type = crate::stock::connectors::Provider, required = true)]
    pub provider: Option<String>,
    /// The provider's settings: `url` (and optional credentials) for feeds,
    /// `base_url` and `api_key` for `radarvo`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Map<String, Value>>,
}

/// A connection as the API shows it: the secrets replaced by
/// `{"configured": true}`, the query of URLs (often a token) hidden.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConnectionView {
    pub account_id: String,
    #[schema(value_type = crate::stock::connectors::Provider)]
    pub provider: String,
    pub source: String,
    /// Secrets shown as `{"configured": true}`.
    #[schema(value_type = Object)]
    pub settings: Map<String, Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

fn mask(settings: &Map<String, Value>) -> Map<String, Value> {
    settings
        .iter()
        .filter(|(key, _)| key.as_str() != "provider")
        .map(|(key, value)| {
            let shown = if SECRET_KEYS.contains(&key.as_str()) {
                serde_json::json!({ "configured": !value.is_null() })
            } else if matches!(key.as_str(), "url" | "base_url") {
                match value.as_str().map(url::Url::parse) {
                    Some(Ok(mut url)) if url.query().is_some() => {
                        url.set_query(Some("********"));
                        Value::String(url.to_string())
                    }
                    _ => value.clone(),
                }
            } else {
                value.clone()
            };
            (key.clone(), shown)
        })
        .collect()
}

fn view(stored: &StoredConnection) -> AppResult<ConnectionView> {
    let connection = parse_connection(&stored.settings)?;
    Ok(ConnectionView {
        account_id: stored.account_id.clone(),
        provider: stored.provider.clone(),
        source: connection
            .source_name()
            .map_err(|e| AppError::invalid("settings", e.to_string()))?,
        settings: mask(&stored.settings),
        updated_at: stored.updated_at,
    })
}

fn parse_connection(settings: &Map<String, Value>) -> AppResult<StockConnection> {
    serde_json::from_value(Value::Object(settings.clone()))
        .map_err(|e| settings_error(&e.to_string()))
}

/// The name between the first pair of backquotes of a serde message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

/// serde's message (which names fields, never values) as a French error
/// on the field at fault.
fn settings_error(message: &str) -> AppError {
    let field = quoted(message).map(|name| format!("settings.{name}"));
    match field {
        Some(field) if message.starts_with("missing field") => {
            AppError::invalid(field, "Ce paramètre est obligatoire pour ce fournisseur.")
        }
        Some(field) if message.starts_with("unknown field") => {
            AppError::invalid(field, "Ce paramètre n'existe pas pour ce fournisseur.")
        }
        _ => AppError::invalid(
            "settings",
            format!("Paramètres de connexion invalides ({message})."),
        ),
    }
}

/// The API's provider name, read: the tag the settings are read with and,
/// for a named tool, its preset.
fn provider_settings(
    provider: &str,
    settings: &mut Map<String, Value>,
) -> AppResult<crate::stock::connectors::Provider> {
    use crate::stock::connectors::Provider;
    let known = Provider::parse(provider).ok_or_else(|| {
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.name()).collect();
        AppError::invalid(
            "provider",
            format!(
                "Fournisseur inconnu. Valeurs possibles : {}.",
                names.join(", ")
            ),
        )
    })?;
    settings.insert("provider".into(), Value::String(known.tag().to_owned()));
    if let Some(preset) = known.preset() {
        settings
            .entry("preset")
            .or_insert_with(|| Value::String(preset.to_owned()));
    }
    if known == Provider::CsvFeed && !settings.contains_key("mapping") {
        return Err(AppError::invalid(
            "settings.mapping",
            "Un flux CSV a besoin de la correspondance de ses colonnes.",
        ));
    }
    Ok(known)
}

/// A secret left out (or sent back as shown, `{"configured": true}`) keeps
/// its stored value when the provider is the same: a manager changing the
/// URL need not type the API key again.
fn keep_secrets(
    settings: &mut Map<String, Value>,
    provider: &str,
    stored: Option<&StoredConnection>,
) {
    for key in SECRET_KEYS {
        let shown = settings.get(key).is_some_and(Value::is_object);
        if settings.contains_key(key) && !shown {
            continue;
        }
        settings.remove(key);
        if let Some(previous) = stored
            .filter(|s| s.provider == provider)
            .and_then(|s| s.settings.get(key))
        {
            settings.insert(key.to_owned(), previous.clone());
        }
    }
}

/// A fetcher that fetches nothing: to check a connection builds its source.
struct NoFetch;

#[async_trait]
impl FeedFetcher for NoFetch {
    async fn get(&self, _request: &FetchRequest) -> Result<FetchResponse, FeedError> {
        Err(FeedError::Network("non utilisé".into()))
    }
}

/// Stores an account's connection (a manager's; the caller checks the
/// role). The settings are checked as the sync will read them.
pub async fn put_connection(
    services: &Services,
    account_id: &str,
    user_id: &str,
    input: ConnectionInput,
) -> AppResult<ConnectionView> {
    let provider = match input.provider.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ => return Err(AppError::invalid("provider", "Ce champ est obligatoire.")),
    };
    let mut settings = input.settings.unwrap_or_default();
    provider_settings(&provider, &mut settings)?;
    let previous = services.stock_connections().get(account_id).await?;
    keep_secrets(&mut settings, &provider, previous.as_ref());
    let connection = parse_connection(&settings)?;
    connection
        .source_name()
        .and_then(|_| connection.source(Arc::new(NoFetch)))
        .map_err(|e| AppError::invalid("settings", e.to_string()))?;
    accounts::require(services, account_id).await?;
    let stored = StoredConnection {
        account_id: account_id.to_owned(),
        provider,
        settings,
        updated_at: services.clock.now(),
        updated_by: user_id.to_owned(),
    };
    services.stock_connections().put(&stored).await?;
    tracing::info!(account_id, provider = %stored.provider, "stock connection saved");
    view(&stored)
}

fn no_connection() -> AppError {
    AppError::not_found("Aucune connexion de stock n'est configurée pour ce compte.")
}

pub async fn get_connection(services: &Services, account_id: &str) -> AppResult<ConnectionView> {
    let stored = services
        .stock_connections()
        .get(account_id)
        .await?
        .ok_or_else(no_connection)?;
    view(&stored)
}

/// The fetcher of real runs: HTTP, 60 s per request, 64 MB at most.
pub fn http_fetcher() -> AppResult<Arc<dyn FeedFetcher>> {
    let fetcher = crate::stock::connectors::http_fetch::HttpFetcher::new(
        crate::stock::connectors::http_fetch::DEFAULT_TIMEOUT,
    )
    .map_err(|e| AppError::Unexpected(e.to_string()))?;
    Ok(Arc::new(fetcher))
}

// ---- the report ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Every record applied.
    Succeeded,
    /// Applied, with records refused (see `errors`).
    CompletedWithErrors,
    /// The feed could not be read: nothing changed.
    Failed,
}

/// `GET /api/stock/syncs/latest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SyncReport {
    pub account_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    pub duration_ms: u64,
    pub provider: String,
    pub source: String,
    pub status: SyncStatus,
    /// Why a failed sync failed (French).
    #[schema(required = true)]
    pub message: Option<String>,
    pub feed_complete: bool,
    #[schema(required = true)]
    pub encoding: Option<String>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Vehicles in an active order the feed changed or dropped: left alone.
    pub kept_in_order: usize,
    /// Vehicle writes made (creations, updates, removals).
    pub writes: usize,
    pub errors: Vec<RecordError>,
    pub warnings: Vec<RecordError>,
    /// All errors and warnings, when more than [`MAX_REPORTED`] were kept.
    pub errors_total: usize,
    pub warnings_total: usize,
}

pub async fn latest_report(services: &Services, account_id: &str) -> AppResult<SyncReport> {
    services
        .stock_connections()
        .latest_report(account_id)
        .await?
        .ok_or_else(|| AppError::not_found("Aucune synchronisation du stock n'a encore eu lieu."))
}

/// What asking for a sync gave.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncOutcome {
    Ran(Box<SyncReport>),
    /// Another sync of the account holds the lease.
    AlreadyRunning,
}

pub fn already_running() -> AppError {
    AppError::conflict(
        "stock_sync_running",
        "Une synchronisation du stock de ce compte est déjà en cours.",
    )
}

// ---- the sync ----

/// Syncs one account from its connection, through `fetcher`.
pub async fn sync_account(
    services: &Services,
    fetcher: Arc<dyn FeedFetcher>,
    account_id: &str,
) -> AppResult<SyncOutcome> {
    let repo = services.stock_connections();
    let stored = repo.get(account_id).await?.ok_or_else(|| {
        AppError::conflict(
            "no_stock_connection",
            "Aucune connexion de stock n'est configurée pour ce compte.",
        )
    })?;
    let now = services.clock.now().unix_timestamp();
    let Some(token) = repo.acquire_lease(account_id, now, LEASE_SECONDS).await? else {
        return Ok(SyncOutcome::AlreadyRunning);
    };
    let result = sync_locked(services, fetcher, &stored).await;
    repo.release_lease(account_id, &token).await;
    let report = result?;
    repo.put_report(account_id, &report).await?;
    tracing::info!(
        account_id,
        provider = %report.provider,
        status = ?report.status,
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        removed = report.removed,
        kept_in_order = report.kept_in_order,
        errors = report.errors_total,
        duration_ms = report.duration_ms,
        "stock synced"
    );
    Ok(SyncOutcome::Ran(Box::new(report)))
}

/// What the hourly run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncAllSummary {
    pub accounts: usize,
    pub synced: usize,
    pub failed: usize,
    pub already_running: usize,
    pub created: usize,
    pub updated: usize,
    pub removed: usize,
    /// `account: reason`, for the accounts whose sync failed.
    pub errors: Vec<String>,
}

/// Syncs every account with a connection, one after the other.
pub async fn sync_all(
    services: &Services,
    fetcher: Arc<dyn FeedFetcher>,
) -> AppResult<SyncAllSummary> {
    let accounts = services.stock_connections().connected_accounts().await?;
    let mut summary = SyncAllSummary {
        accounts: accounts.len(),
        ..SyncAllSummary::default()
    };
    for account_id in accounts {
        match sync_account(services, fetcher.clone(), &account_id).await {
            Ok(SyncOutcome::Ran(report)) => {
                if report.status == SyncStatus::Failed {
                    summary.failed += 1;
                    summary.errors.push(format!(
                        "{account_id}: {}",
                        report.message.as_deref().unwrap_or("échec")
                    ));
                } else {
                    summary.synced += 1;
                }
                summary.created += report.created;
                summary.updated += report.updated;
                summary.removed += report.removed;
            }
            Ok(SyncOutcome::AlreadyRunning) => summary.already_running += 1,
            Err(e) => {
                summary.failed += 1;
                summary.errors.push(format!("{account_id}: {e}"));
            }
        }
    }
    Ok(summary)
}

/// One planned vehicle write.
struct Planned {
    label: String,
    write: Write,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Updated,
    Removed,
}

fn elapsed_ms(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}

async fn sync_locked(
    services: &Services,
    fetcher: Arc<dyn FeedFetcher>,
    stored: &StoredConnection,
) -> AppResult<SyncReport> {
    let start = Instant::now();
    let started_at = services.clock.now();
    let account_id = stored.account_id.as_str();
    let mut report = SyncReport {
        account_id: account_id.to_owned(),
        started_at,
        finished_at: started_at,
        duration_ms: 0,
        provider: stored.provider.clone(),
        source: String::new(),
        status: SyncStatus::Succeeded,
        message: None,
        feed_complete: false,
        encoding: None,
        created: 0,
        updated: 0,
        unchanged: 0,
        removed: 0,
        kept_in_order: 0,
        writes: 0,
        errors: Vec::new(),
        warnings: Vec::new(),
        errors_total: 0,
        warnings_total: 0,
    };
    let fail = |mut report: SyncReport, message: String| {
        report.status = SyncStatus::Failed;
        report.message = Some(message);
        report.finished_at = services.clock.now();
        report.duration_ms = elapsed_ms(start);
        report
    };
    let connection = match parse_connection(&stored.settings) {
        Ok(connection) => connection,
        Err(e) => return Ok(fail(report, e.to_string())),
    };
    let feed = match connection
        .source(fetcher)
        .map(|source| async move { source.fetch().await })
    {
        Ok(fetching) => fetching.await,
        Err(e) => Err(e),
    };
    let feed = match feed {
        Ok(feed) => feed,
        Err(e) => return Ok(fail(report, e.to_string())),
    };
    report.source = feed.source.clone();
    report.feed_complete = feed.complete;
    report.encoding = Some(feed.encoding.to_owned());
    let mut errors = feed.errors.clone();
    let mut warnings = feed.warnings.clone();

    let mut index = StockIndex::new(services.vehicles().all(account_id).await?);
    let now = services.clock.now();
    let mut new_items = Vec::new();
    let mut planned = Vec::new();
    // Vehicle id -> the record that matched it.
    let mut matched: HashMap<String, String> = HashMap::new();

    for record in &feed.records {
        let label = record.label();
        let found = record
            .external_ref
            .as_deref()
            .and_then(|r| index.by_reference(&feed.source, r))
            .or_else(|| {
                record
                    .plate
                    .as_ref()
                    .and_then(|p| index.by_plate(p.as_str()))
            })
            .or_else(|| record.vin.as_ref().and_then(|v| index.by_vin(v.as_str())))
            .cloned();
        let Some(existing) = found else {
            let vehicle = new_vehicle(account_id, record, now);
            new_items.push(Vehicles::item(&vehicle)?);
            matched.insert(vehicle.id.clone(), record.label());
            index.put(vehicle);
            continue;
        };
        if let Some(first) = matched.get(&existing.id) {
            errors.push(RecordError::new(
                label,
                format!("Ce véhicule est déjà celui de la fiche « {first} » du flux."),
            ));
            continue;
        }
        matched.insert(existing.id.clone(), label.clone());
        let next = merge(&existing, record);
        if next == existing {
            report.unchanged += 1;
            continue;
        }
        if existing.status == VehicleStatus::InOrder {
            report.kept_in_order += 1;
            continue;
        }
        if let Some(plate) = &next.plate
            && index
                .other_active_with_plate(plate, Some(&existing.id))
                .next()
                .is_some()
        {
            errors.push(RecordError::new(
                label,
                format!(
                    "L'immatriculation {} est déjà celle d'un autre véhicule du stock.",
                    crate::app::vehicles::display_plate(plate)
                ),
            ));
            continue;
        }
        let mut next = next;
        next.updated_at = now;
        next.revision = existing.revision + 1;
        planned.push(Planned {
            label,
            write: Vehicles::update_write(&next)?,
            kind: Kind::Updated,
        });
        index.put(next);
    }

    // Vehicles of this source the feed no longer lists.
    let gone: Vec<Vehicle> = index
        .vehicles()
        .filter(|v| {
            v.source == feed.source
                && v.status != VehicleStatus::Removed
                && !matched.contains_key(&v.id)
        })
        .cloned()
        .collect();
    if !gone.is_empty() {
        if !feed.complete {
            warnings.push(RecordError::new(
                "flux",
                format!(
                    "Le flux est incomplet : {} véhicule(s) absent(s) du flux sont gardés.",
                    gone.len()
                ),
            ));
        } else if feed.records.is_empty() {
            warnings.push(RecordError::new(
                "flux",
                format!(
                    "Le flux ne contient aucun véhicule : les {} véhicules du stock sont gardés (vérifiez l'export de l'outil de stock).",
                    gone.len()
                ),
            ));
        } else {
            for vehicle in gone {
                if vehicle.status == VehicleStatus::InOrder {
                    report.kept_in_order += 1;
                    continue;
                }
                let mut next = vehicle.clone();
                next.status = VehicleStatus::Removed;
                next.updated_at = now;
                next.revision = vehicle.revision + 1;
                planned.push(Planned {
                    label: vehicle_label(&vehicle),
                    write: Vehicles::update_write(&next)?,
                    kind: Kind::Removed,
                });
            }
        }
    }

    let new_vehicles = new_items.len();
    services.table.put_many(new_items).await?;
    report.created += new_vehicles;
    report.writes += new_vehicles;
    write_batches(services, planned, &mut report, &mut errors).await?;

    report.errors_total = errors.len();
    report.warnings_total = warnings.len();
    errors.truncate(MAX_REPORTED);
    warnings.truncate(MAX_REPORTED);
    report.status = if errors.is_empty() {
        SyncStatus::Succeeded
    } else {
        SyncStatus::CompletedWithErrors
    };
    report.errors = errors;
    report.warnings = warnings;
    report.finished_at = services.clock.now();
    report.duration_ms = elapsed_ms(start);
    Ok(report)
}

fn vehicle_label(vehicle: &Vehicle) -> String {
    vehicle
        .external_ref
        .clone()
        .or_else(|| {
            vehicle
                .plate
                .as_deref()
                .map(crate::app::vehicles::display_plate)
        })
        .or_else(|| vehicle.vin.clone())
        .unwrap_or_else(|| vehicle.id.clone())
}

/// The record applied to the vehicle it matched: the same vehicle when
/// nothing changes. A value the feed leaves empty keeps the stored one; the
/// vehicle becomes the feed's (source and reference); a `removed` vehicle
/// comes back `in_stock`.
fn merge(existing: &Vehicle, record: &StockRecord) -> Vehicle {
    fn keep(target: &mut Option<String>, value: Option<&String>) {
        if let Some(value) = value {
            *target = Some(value.clone());
        }
    }
    let mut next = existing.clone();
    next.source = record.source.clone();
    if record.external_ref.is_some() {
        next.external_ref = record.external_ref.clone();
    }
    next.make = record.make.clone();
    next.model = record.model.clone();
    keep(&mut next.version, record.version.as_ref());
    if let Some(plate) = &record.plate {
        next.plate = Some(plate.as_str().to_owned());
    }
    if let Some(vin) = &record.vin {
        next.vin = Some(vin.as_str().to_owned());
    }
    if record.mileage_km.is_some() {
        next.mileage_km = record.mileage_km;
    }
    keep(
        &mut next.first_registration,
        record.first_registration.as_ref(),
    );
    keep(&mut next.fuel, record.fuel.as_ref());
    keep(&mut next.colour, record.colour.as_ref());
    keep(&mut next.location, record.location.as_ref());
    keep(&mut next.photo_url, record.photo_url.as_ref());
    if next.status == VehicleStatus::Removed {
        next.status = VehicleStatus::InStock;
    }
    next
}

fn new_vehicle(account_id: &str, record: &StockRecord, now: OffsetDateTime) -> Vehicle {
    Vehicle {
        id: new_id(),
        account_id: account_id.to_owned(),
        source: record.source.clone(),
        external_ref: record.external_ref.clone(),
        make: record.make.clone(),
        model: record.model.clone(),
        version: record.version.clone(),
        plate: record.plate.as_ref().map(|p| p.as_str().to_owned()),
        vin: record.vin.as_ref().map(|v| v.as_str().to_owned()),
        mileage_km: record.mileage_km,
        first_registration: record.first_registration.clone(),
        fuel: record.fuel.clone(),
        colour: record.colour.clone(),
        location: record.location.clone(),
        photo_url: record.photo_url.clone(),
        status: VehicleStatus::InStock,
        order_id: None,
        created_at: now,
        updated_at: now,
        revision: 1,
    }
}

/// A transaction, retried when refused for a conflict or throttling.
async fn transact_with_retries(services: &Services, writes: Vec<Write>) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        match services.table.transact(writes.clone()).await {
            Err(StoreError::TransactionConflict | StoreError::Unavailable(_))
                if attempt < RETRIES =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
            other => return other,
        }
    }
}

fn count(report: &mut SyncReport, kind: Kind) {
    report.writes += 1;
    match kind {
        Kind::Updated => report.updated += 1,
        Kind::Removed => report.removed += 1,
    }
}

/// Writes in transactions of [`MAX_WRITES_PER_BATCH`]; a transaction that
/// fails on a condition is replayed one write at a time.
async fn write_batches(
    services: &Services,
    planned: Vec<Planned>,
    report: &mut SyncReport,
    errors: &mut Vec<RecordError>,
) -> AppResult<()> {
    let mut rest = planned.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Planned> = rest.by_ref().take(MAX_WRITES_PER_BATCH).collect();
        let writes: Vec<Write> = chunk.iter().map(|p| p.write.clone()).collect();
        match transact_with_retries(services, writes).await {
            Ok(()) => chunk.iter().for_each(|p| count(report, p.kind)),
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => {
                for p in chunk {
                    match transact_with_retries(services, vec![p.write.clone()]).await {
                        Ok(()) => count(report, p.kind),
                        Err(
                            StoreError::ConditionFailed { .. } | StoreError::TransactionConflict,
                        ) => errors.push(RecordError::new(
                            p.label,
                            "Ce véhicule a été modifié pendant la synchronisation (par exemple réservé dans un devis) : il n'a pas été modifié.",
                        )),
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "stock_sync_tests.rs"]
mod tests;
