//! The stock of an account as its users keep it: list and search, hand
//! entry, correction, and the manual CSV import of `API.md`. The stock sync
//! (connectors) writes the same records; the quote reserves them.
//!
//! Rules:
//! - Every use case takes the account the policy resolved
//!   (`policy::data_account`), never one from the request.
//! - A plate is stored normalised (`AB123CD`) and shown in its usual layout
//!   (`AB-123-CD`); doubtful plates and VINs are accepted with warnings.
//! - A plate is unique among the account's active vehicles (`in_stock`,
//!   `in_order`); a `removed` vehicle keeps its plate for the history. The
//!   check reads the plate index, so two entries of one plate at the very
//!   same moment may both pass (DynamoDB indexes are eventually
//!   consistent): acceptable for hand entry, and the quote checks its lot.
//! - A vehicle `in_order` belongs to its order: only the order's own writes
//!   (the quote's corrections, the release) change it. A correction answers
//!   409 `vehicle_in_order`; an import leaves it alone (see [`import_csv`]).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use crate::app::{Checks, accounts, new_id, required};
use crate::domain::{FieldError, Plate, Vin};
use crate::error::{AppError, AppResult};
use crate::ports::table::MAX_TRANSACTION_ITEMS;
use crate::ports::{StoreError, Write};
use crate::repo::vehicles::{Vehicle, VehicleStatus, Vehicles};
use crate::repo::{Page, page_size};
use crate::services::Services;
use crate::stock::csv::{self as stock_csv, FileError, LineMessage, StockRow};
use crate::stock::matching::{Search, StockIndex, is_active};

/// Longest make or model.
pub const MAX_NAME_CHARS: usize = stock_csv::MAX_NAME_CHARS;
/// Longest version (trim).
pub const MAX_VERSION_CHARS: usize = stock_csv::MAX_DETAIL_CHARS;
/// Most vehicles one list call examines before it answers with what it
/// found and a cursor (a search over a large stock continues page by page).
pub const MAX_EXAMINED_PER_LIST: usize = 5_000;
/// The source of hand-entered vehicles.
pub const SOURCE_MANUAL: &str = "manual";
/// The source of vehicles imported from the manual CSV.
pub const SOURCE_CSV: &str = "csv";

fn missing() -> AppError {
    AppError::not_found("Ce véhicule est introuvable.")
}

// ---- what the API shows ----

/// A vehicle as the API shows it: the plate in its usual layout, never the
/// internal `revision`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VehicleView {
    pub id: String,
    pub account_id: String,
    /// `manual`, `csv`, or the stock connector's (`radarvo`, `planetvo`, ...).
    pub source: String,
    #[schema(required = true)]
    pub external_ref: Option<String>,
    pub make: String,
    pub model: String,
    #[schema(required = true)]
    pub version: Option<String>,
    /// `AB-123-CD`, `123 ABC 45`, or as stored for other plates.
    #[schema(required = true)]
    pub plate: Option<String>,
    #[schema(required = true)]
    pub vin: Option<String>,
    pub status: VehicleStatus,
    /// The active order holding the vehicle, when `in_order`.
    #[schema(required = true)]
    pub order_id: Option<String>,
    #[schema(required = true)]
    pub mileage_km: Option<u32>,
    #[schema(required = true)]
    pub first_registration: Option<String>,
    #[schema(required = true)]
    pub fuel: Option<String>,
    #[schema(required = true)]
    pub colour: Option<String>,
    #[schema(required = true)]
    pub location: Option<String>,
    #[schema(required = true)]
    pub photo_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The usual layout of a stored (normalised) plate.
pub fn display_plate(normalised: &str) -> String {
    Plate::parse(normalised)
        .map(|parsed| parsed.plate.display())
        .unwrap_or_else(|_| normalised.to_owned())
}

impl From<&Vehicle> for VehicleView {
    fn from(v: &Vehicle) -> Self {
        Self {
            id: v.id.clone(),
            account_id: v.account_id.clone(),
            source: v.source.clone(),
            external_ref: v.external_ref.clone(),
            make: v.make.clone(),
            model: v.model.clone(),
            version: v.version.clone(),
            plate: v.plate.as_deref().map(display_plate),
            vin: v.vin.clone(),
            status: v.status,
            order_id: v.order_id.clone(),
            mileage_km: v.mileage_km,
            first_registration: v.first_registration.clone(),
            fuel: v.fuel.clone(),
            colour: v.colour.clone(),
            location: v.location.clone(),
            photo_url: v.photo_url.clone(),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A vehicle just entered or corrected, with what looked doubtful
/// (a foreign plate, a VIN check digit): `warnings: [{field, message}]`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SavedVehicle {
    #[serde(flatten)]
    pub vehicle: VehicleView,
    pub warnings: Vec<FieldError>,
}

// ---- list and search ----

/// `GET /api/vehicles?status=&q=&cursor=&limit=`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VehicleQuery {
    /// Without it, the active stock (`in_stock` and `in_order`).
    pub status: Option<VehicleStatus>,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

fn encode_cursor(vehicle_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(vehicle_id)
}

fn decode_cursor(cursor: &str) -> AppResult<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .ok_or_else(|| StoreError::InvalidCursor.into())
}

/// The account's vehicles, newest first, filtered by status and text. Reads
/// pages of the table until the page is full (or
/// [`MAX_EXAMINED_PER_LIST`] vehicles were examined); `next_cursor` names
/// the last vehicle examined, so the next call goes on from there. A page
/// may hold fewer items than `limit` and still have a cursor.
pub async fn list(
    services: &Services,
    account_id: &str,
    query: VehicleQuery,
) -> AppResult<Page<VehicleView>> {
    accounts::require(services, account_id).await?;
    let size = page_size(query.limit);
    let search = query.q.as_deref().and_then(Search::new);
    let wanted = |v: &Vehicle| match query.status {
        Some(status) => v.status == status,
        None => is_active(v),
    };
    // Without a text, nearly every vehicle passes: one more than the page
    // tells whether more follow. With one, read wider pages.
    let batch = if search.is_none() {
        size + 1
    } else {
        (size * 2).clamp(100, 500)
    };
    // The API cursor bounds every table page of this call, so that the
    // table's own cursor stays valid from one page to the next.
    let before = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let repo = services.vehicles();
    let mut items = Vec::new();
    let mut examined = 0usize;
    let mut last_examined: Option<String> = None;
    let mut table_cursor = None;
    loop {
        let page = repo
            .page_newest_first(account_id, before.as_deref(), batch, table_cursor)
            .await?;
        let count = page.items.len();
        for (i, vehicle) in page.items.into_iter().enumerate() {
            examined += 1;
            if wanted(&vehicle) && search.as_ref().is_none_or(|s| s.matches(&vehicle)) {
                items.push(VehicleView::from(&vehicle));
                if items.len() == size {
                    let more = i + 1 < count || page.next_cursor.is_some();
                    return Ok(Page {
                        items,
                        next_cursor: more.then(|| encode_cursor(&vehicle.id)),
                    });
                }
            }
            last_examined = Some(vehicle.id);
        }
        match page.next_cursor {
            None => {
                return Ok(Page {
                    items,
                    next_cursor: None,
                });
            }
            Some(_) if examined >= MAX_EXAMINED_PER_LIST => {
                return Ok(Page {
                    items,
                    next_cursor: last_examined.as_deref().map(encode_cursor),
                });
            }
            Some(next) => table_cursor = Some(next),
        }
    }
}

/// One vehicle of the account.
pub async fn get(
    services: &Services,
    account_id: &str,
    vehicle_id: &str,
) -> AppResult<VehicleView> {
    let vehicle = find(services, account_id, vehicle_id).await?;
    Ok(VehicleView::from(&vehicle))
}

/// The stored vehicle, or 404 (also for another account's vehicle).
pub async fn find(services: &Services, account_id: &str, vehicle_id: &str) -> AppResult<Vehicle> {
    services
        .vehicles()
        .get(account_id, vehicle_id)
        .await?
        .ok_or_else(missing)
}

// ---- hand entry and correction ----

/// `POST /api/vehicles`: every field optional, so that a missing one gives
/// a French field error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct VehicleInput {
    #[schema(value_type = String, required = true)]
    pub make: Option<String>,
    #[schema(value_type = String, required = true)]
    pub model: Option<String>,
    #[schema(value_type = String, required = true)]
    pub plate: Option<String>,
    pub vin: Option<String>,
    pub version: Option<String>,
}

/// `PATCH /api/vehicles/{id}`: an absent field is left as it is; `vin` and
/// `version` are cleared with `null` or `""`; make, model and plate cannot
/// be cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct VehiclePatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub make: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub model: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = String)]
    pub plate: Option<Option<String>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub vin: Option<Option<String>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub version: Option<Option<String>>,
}

/// A field that is in the body: `Some(None)` for `null`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A make or model: required, at most [`MAX_NAME_CHARS`] characters.
pub fn check_name(field: &str, value: &Option<String>) -> AppResult<String> {
    let text = required(field, value)?;
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            field,
            format!("{MAX_NAME_CHARS} caractères au plus."),
        ));
    }
    Ok(text.to_owned())
}

/// A plate as typed: the normalised plate, and its warning as a field
/// warning.
pub fn check_plate(
    field: &str,
    value: &Option<String>,
    warnings: &mut Vec<FieldError>,
) -> AppResult<Plate> {
    let text = value.as_deref().unwrap_or("");
    let parsed = Plate::parse(text).map_err(|e| AppError::invalid(field, e.to_string()))?;
    if let Some(warning) = parsed.warning {
        warnings.push(FieldError::new(field, warning));
    }
    Ok(parsed.plate)
}

/// An optional VIN (blank is none); a check-digit mismatch is a warning.
pub fn check_vin(
    field: &str,
    value: &Option<String>,
    warnings: &mut Vec<FieldError>,
) -> AppResult<Option<Vin>> {
    let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let parsed = Vin::parse(text).map_err(|e| AppError::invalid(field, e.to_string()))?;
    if let Some(warning) = parsed.warning {
        warnings.push(FieldError::new(field, warning));
    }
    Ok(Some(parsed.vin))
}

fn check_version(field: &str, value: &Option<String>) -> AppResult<Option<String>> {
    let Some(text) = value.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_VERSION_CHARS {
        return Err(AppError::invalid(
            field,
            format!("{MAX_VERSION_CHARS} caractères au plus."),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// 409 `plate_exists` when another active vehicle of the account has the
/// plate.
pub async fn ensure_plate_free(
    services: &Services,
    account_id: &str,
    plate: &Plate,
    except: Option<&str>,
) -> AppResult<()> {
    let holders = services
        .vehicles()
        .find_by_plate(account_id, plate.as_str())
        .await?;
    match holders
        .iter()
        .find(|v| is_active(v) && Some(v.id.as_str()) != except)
    {
        Some(other) => Err(AppError::conflict(
            "plate_exists",
            format!(
                "Le véhicule immatriculé {} ({} {}) est déjà dans votre stock.",
                plate.display(),
                other.make,
                other.model
            ),
        )),
        None => Ok(()),
    }
}

/// Hand entry: `{make, model, plate, vin?, version?}`, source `manual`.
pub async fn create(
    services: &Services,
    account_id: &str,
    input: VehicleInput,
) -> AppResult<SavedVehicle> {
    let mut warnings = Vec::new();
    let mut checks = Checks::default();
    let make = checks.take(check_name("make", &input.make));
    let model = checks.take(check_name("model", &input.model));
    let plate = checks.take(check_plate("plate", &input.plate, &mut warnings));
    let vin = checks.take(check_vin("vin", &input.vin, &mut warnings));
    let version = checks.take(check_version("version", &input.version));
    checks.finish()?;
    let (Some(make), Some(model), Some(plate), Some(vin), Some(version)) =
        (make, model, plate, vin, version)
    else {
        return Err(AppError::Unexpected("checked fields missing".into()));
    };
    accounts::require(services, account_id).await?;
    ensure_plate_free(services, account_id, &plate, None).await?;
    let now = services.clock.now();
    let vehicle = Vehicle {
        id: new_id(),
        account_id: account_id.to_owned(),
        source: SOURCE_MANUAL.to_owned(),
        external_ref: None,
        make,
        model,
        version,
        plate: Some(plate.into_string()),
        vin: vin.map(Vin::into_string),
        mileage_km: None,
        first_registration: None,
        fuel: None,
        colour: None,
        location: None,
        photo_url: None,
        status: VehicleStatus::InStock,
        order_id: None,
        created_at: now,
        updated_at: now,
        revision: 1,
    };
    services.vehicles().create(&vehicle).await?;
    Ok(SavedVehicle {
        vehicle: VehicleView::from(&vehicle),
        warnings,
    })
}

/// A vehicle with a patch applied, checked; nothing is written. The quote
/// uses it for the corrections of its lot.
#[derive(Debug, Clone, PartialEq)]
pub struct Corrected {
    pub vehicle: Vehicle,
    pub warnings: Vec<FieldError>,
    /// Whether any field differs from the stored vehicle.
    pub changed: bool,
    /// The new plate, when it changed (check it with [`ensure_plate_free`]).
    pub new_plate: Option<Plate>,
}

/// Applies a patch to a vehicle (pure: no status rule, no write, the
/// revision untouched).
pub fn apply_patch(vehicle: &Vehicle, patch: &VehiclePatch) -> AppResult<Corrected> {
    let mut warnings = Vec::new();
    let mut checks = Checks::default();
    let mut next = vehicle.clone();
    if let Some(make) = &patch.make
        && let Some(make) = checks.take(check_name("make", make))
    {
        next.make = make;
    }
    if let Some(model) = &patch.model
        && let Some(model) = checks.take(check_name("model", model))
    {
        next.model = model;
    }
    let mut new_plate = None;
    if let Some(plate) = &patch.plate
        && let Some(plate) = checks.take(check_plate("plate", plate, &mut warnings))
        && vehicle.plate.as_deref() != Some(plate.as_str())
    {
        next.plate = Some(plate.as_str().to_owned());
        new_plate = Some(plate);
    }
    if let Some(vin) = &patch.vin
        && let Some(vin) = checks.take(check_vin("vin", vin, &mut warnings))
    {
        next.vin = vin.map(Vin::into_string);
    }
    if let Some(version) = &patch.version
        && let Some(version) = checks.take(check_version("version", version))
    {
        next.version = version;
    }
    checks.finish()?;
    Ok(Corrected {
        changed: next != *vehicle,
        vehicle: next,
        warnings,
        new_plate,
    })
}

/// Correction of make, model, plate, VIN or version. A vehicle in an order
/// answers 409 `vehicle_in_order` (the quote corrects the vehicles of its
/// lot itself). A patch that changes nothing writes nothing.
pub async fn update(
    services: &Services,
    account_id: &str,
    vehicle_id: &str,
    patch: VehiclePatch,
) -> AppResult<SavedVehicle> {
    let vehicle = find(services, account_id, vehicle_id).await?;
    if vehicle.status == VehicleStatus::InOrder {
        return Err(in_order());
    }
    let corrected = apply_patch(&vehicle, &patch)?;
    if !corrected.changed {
        return Ok(SavedVehicle {
            vehicle: VehicleView::from(&vehicle),
            warnings: corrected.warnings,
        });
    }
    if let Some(plate) = &corrected.new_plate {
        ensure_plate_free(services, account_id, plate, Some(vehicle_id)).await?;
    }
    let mut next = corrected.vehicle;
    next.updated_at = services.clock.now();
    next.revision = vehicle.revision + 1;
    match services.vehicles().update(&next).await {
        Ok(()) => Ok(SavedVehicle {
            vehicle: VehicleView::from(&next),
            warnings: corrected.warnings,
        }),
        // Reserved or changed since it was read: say which, when we can.
        Err(StoreError::ConditionFailed { .. }) => {
            match services.vehicles().get(account_id, vehicle_id).await? {
                Some(now) if now.status == VehicleStatus::InOrder => Err(in_order()),
                _ => Err(StoreError::ConditionFailed { index: None }.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn in_order() -> AppError {
    AppError::conflict(
        "vehicle_in_order",
        "Ce véhicule fait partie d'une commande en cours : ses informations se corrigent dans le devis.",
    )
}

// ---- CSV import ----

/// What an import did. `errors` and `warnings` name the file's lines as a
/// spreadsheet shows them (the header is line 1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<LineMessage>,
    pub warnings: Vec<LineMessage>,
}

fn file_error(err: FileError) -> AppError {
    let code = match err {
        FileError::Empty | FileError::MissingColumns(_) => "invalid_csv",
        FileError::TooLarge => "file_too_large",
        FileError::TooManyRows => "too_many_rows",
    };
    AppError::bad_request(code, err.to_string())
}

/// A planned write of the import, and the file line it comes from.
struct Planned {
    line: usize,
    write: Write,
    created: bool,
}

/// The row applied to the vehicle it matched: the same vehicle when
/// nothing changes. Optional columns (and empty cells) leave the stored
/// value alone; a reference turns a hand-entered or CSV vehicle into the
/// CSV vehicle of that reference (a connector's vehicle keeps its own); a
/// `removed` vehicle comes back `in_stock`.
fn merge(existing: &Vehicle, row: &StockRow) -> Vehicle {
    let mut next = existing.clone();
    next.make = row.make.clone();
    next.model = row.model.clone();
    next.plate = Some(row.plate.as_str().to_owned());
    if let Some(vin) = &row.vin {
        next.vin = Some(vin.as_str().to_owned());
    }
    if let Some(version) = &row.version {
        next.version = Some(version.clone());
    }
    if let Some(reference) = &row.reference
        && (existing.source == SOURCE_MANUAL || existing.source == SOURCE_CSV)
    {
        next.source = SOURCE_CSV.to_owned();
        next.external_ref = Some(reference.clone());
    }
    if next.status == VehicleStatus::Removed {
        next.status = VehicleStatus::InStock;
    }
    next
}

fn new_vehicle(account_id: &str, row: &StockRow, now: OffsetDateTime) -> Vehicle {
    Vehicle {
        id: new_id(),
        account_id: account_id.to_owned(),
        source: SOURCE_CSV.to_owned(),
        external_ref: row.reference.clone(),
        make: row.make.clone(),
        model: row.model.clone(),
        version: row.version.clone(),
        plate: Some(row.plate.as_str().to_owned()),
        vin: row.vin.as_ref().map(|v| v.as_str().to_owned()),
        mileage_km: None,
        first_registration: None,
        fuel: None,
        colour: None,
        location: None,
        photo_url: None,
        status: VehicleStatus::InStock,
        order_id: None,
        created_at: now,
        updated_at: now,
        revision: 1,
    }
}

/// Imports the manual CSV (`POST /api/vehicles/import`) as an upsert: a row
/// matches the CSV vehicle of its `reference`, else the vehicle with its
/// plate (an active one first); unmatched rows create vehicles (source
/// `csv`); a row that changes nothing writes nothing (`unchanged`).
///
/// A vehicle `in_order` is never modified: a row identical to it counts as
/// unchanged, a row that would change it is reported as an error line (the
/// user learns why the change did not apply). A row whose plate is already
/// another active vehicle's, or that matches a vehicle an earlier row of
/// the file matched, is an error line too.
///
/// Writes go in transactions of up to 100 vehicles, each conditioned on
/// the revision it was read at (or on being new); a vehicle changed in the
/// meantime (reserved by a quote, say) becomes an error line. An import is
/// idempotent: after a failure, sending the file again finishes the job.
pub async fn import_csv(
    services: &Services,
    account_id: &str,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    let file = stock_csv::parse(bytes).map_err(file_error)?;
    accounts::require(services, account_id).await?;
    let mut stock = StockIndex::new(services.vehicles().all(account_id).await?);
    let now = services.clock.now();
    let mut report = ImportReport {
        errors: file.errors,
        warnings: file.warnings,
        ..ImportReport::default()
    };
    let mut planned: Vec<Planned> = Vec::new();
    let mut matched_by_line: HashMap<String, usize> = HashMap::new();

    for row in &file.rows {
        let matched = row
            .reference
            .as_deref()
            .and_then(|r| stock.by_reference(SOURCE_CSV, r))
            .or_else(|| stock.by_plate(row.plate.as_str()))
            .cloned();
        let Some(existing) = matched else {
            let vehicle = new_vehicle(account_id, row, now);
            planned.push(Planned {
                line: row.line,
                write: Vehicles::create_write(&vehicle)?,
                created: true,
            });
            matched_by_line.insert(vehicle.id.clone(), row.line);
            stock.put(vehicle);
            continue;
        };
        if let Some(first) = matched_by_line.get(&existing.id) {
            report.errors.push(LineMessage::new(
                row.line,
                format!("Cette ligne désigne le même véhicule que la ligne {first} du fichier."),
            ));
            continue;
        }
        matched_by_line.insert(existing.id.clone(), row.line);
        let next = merge(&existing, row);
        if next == existing {
            report.unchanged += 1;
            continue;
        }
        if stock
            .other_active_with_plate(row.plate.as_str(), Some(&existing.id))
            .next()
            .is_some()
        {
            report.errors.push(LineMessage::new(
                row.line,
                format!(
                    "L'immatriculation {} est déjà celle d'un autre véhicule de votre stock.",
                    row.plate.display()
                ),
            ));
            continue;
        }
        if existing.status == VehicleStatus::InOrder {
            report.errors.push(LineMessage::new(
                row.line,
                format!(
                    "Le véhicule {} fait partie d'une commande en cours : il n'a pas été modifié.",
                    row.plate.display()
                ),
            ));
            continue;
        }
        let mut next = next;
        next.updated_at = now;
        next.revision = existing.revision + 1;
        planned.push(Planned {
            line: row.line,
            write: Vehicles::update_write(&next)?,
            created: false,
        });
        stock.put(next);
    }

    write_planned(services, planned, &mut report).await?;
    report.errors.sort_by_key(|e| e.line);
    tracing::info!(
        account_id,
        created = report.created,
        updated = report.updated,
        unchanged = report.unchanged,
        errors = report.errors.len(),
        encoding = file.encoding,
        "stock CSV imported"
    );
    Ok(report)
}

/// Writes the planned vehicles in transactions; when one fails on a
/// condition, its writes go one by one so that only the vehicles changed
/// in the meantime are reported.
async fn write_planned(
    services: &Services,
    planned: Vec<Planned>,
    report: &mut ImportReport,
) -> AppResult<()> {
    let mut rest = planned.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Planned> = rest.by_ref().take(MAX_TRANSACTION_ITEMS).collect();
        let writes: Vec<Write> = chunk.iter().map(|p| p.write.clone()).collect();
        match services.table.transact(writes).await {
            Ok(()) => chunk.iter().for_each(|p| count(report, p)),
            Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => {
                for p in chunk {
                    match services.table.transact(vec![p.write.clone()]).await {
                        Ok(()) => count(report, &p),
                        Err(
                            StoreError::ConditionFailed { .. } | StoreError::TransactionConflict,
                        ) => {
                            report.errors.push(LineMessage::new(
                                p.line,
                                "Ce véhicule a été modifié pendant l'import (par exemple réservé dans un devis) : il n'a pas été modifié, réimportez le fichier pour réessayer.",
                            ));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn count(report: &mut ImportReport, planned: &Planned) {
    if planned.created {
        report.created += 1;
    } else {
        report.updated += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fixtures::{TestPortal, embedded_portal, seed_account};

    async fn portal() -> (TestPortal, String) {
        let portal = embedded_portal();
        let account = seed_account(&portal.services, "Garage du Centre").await;
        (portal, account.id)
    }

    fn input(make: &str, model: &str, plate: &str) -> VehicleInput {
        VehicleInput {
            make: Some(make.into()),
            model: Some(model.into()),
            plate: Some(plate.into()),
            ..VehicleInput::default()
        }
    }

    fn fields(err: &AppError) -> Vec<&str> {
        match err {
            AppError::Validation(errors) => errors.iter().map(|e| e.field.as_str()).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    fn code(err: &AppError) -> &'static str {
        match err {
            AppError::Conflict { code, .. } | AppError::BadRequest { code, .. } => code,
            AppError::NotFound { .. } => "not_found",
            other => panic!("unexpected error: {other:?}"),
        }
    }

    async fn stored(portal: &TestPortal, account: &str, id: &str) -> Vehicle {
        portal
            .services
            .vehicles()
            .get(account, id)
            .await
            .unwrap()
            .unwrap()
    }

    async fn reserve(portal: &TestPortal, account: &str, id: &str) {
        let mut v = stored(portal, account, id).await;
        v.status = VehicleStatus::InOrder;
        v.order_id = Some("order-1".into());
        v.revision += 1;
        portal.services.vehicles().update(&v).await.unwrap();
    }

    async fn set_status(portal: &TestPortal, account: &str, id: &str, status: VehicleStatus) {
        let mut v = stored(portal, account, id).await;
        v.status = status;
        v.revision += 1;
        portal.services.vehicles().update(&v).await.unwrap();
    }

    #[tokio::test]
    async fn hand_entry_checks_fields_warns_and_refuses_a_plate_in_stock() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let saved = create(s, &account, input(" Citroën ", "C3", "ab 123-cd"))
            .await
            .unwrap();
        assert_eq!(saved.vehicle.make, "Citroën");
        assert_eq!(saved.vehicle.plate.as_deref(), Some("AB-123-CD"));
        assert_eq!(saved.vehicle.source, "manual");
        assert_eq!(saved.vehicle.status, VehicleStatus::InStock);
        assert!(saved.warnings.is_empty());
        let json = serde_json::to_value(&saved).unwrap();
        assert!(json.get("revision").is_none(), "{json}");
        assert_eq!(json["warnings"], serde_json::json!([]));
        assert_eq!(
            stored(&portal, &account, &saved.vehicle.id)
                .await
                .plate
                .as_deref(),
            Some("AB123CD")
        );

        let err = create(s, &account, input("Renault", "Clio", "AB-123-CD"))
            .await
            .unwrap_err();
        assert_eq!(code(&err), "plate_exists");

        let mut foreign = input("BMW", "X1", "B-MW 1234");
        foreign.vin = Some("1M8GDM9A1KP042788".into());
        let saved = create(s, &account, foreign).await.unwrap();
        let warned: Vec<&str> = saved.warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(warned, ["plate", "vin"]);

        let err = create(
            s,
            &account,
            VehicleInput {
                make: Some("x".repeat(61)),
                plate: Some("AB#1".into()),
                vin: Some("123".into()),
                ..VehicleInput::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(fields(&err), ["make", "model", "plate", "vin"]);

        let err = create(s, "no-such-account", input("Renault", "Clio", "EF-456-GH"))
            .await
            .unwrap_err();
        assert_eq!(code(&err), "not_found");
    }

    #[tokio::test]
    async fn a_removed_vehicle_does_not_hold_its_plate() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let old = create(s, &account, input("Renault", "Clio", "AB-123-CD"))
            .await
            .unwrap();
        set_status(&portal, &account, &old.vehicle.id, VehicleStatus::Removed).await;
        let again = create(s, &account, input("Renault", "Clio V", "AB-123-CD"))
            .await
            .unwrap();
        assert_ne!(again.vehicle.id, old.vehicle.id);
    }

    #[tokio::test]
    async fn the_list_pages_newest_first_filters_and_searches() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let mut ids = Vec::new();
        for (i, make) in [
            "Citroën", "Renault", "Peugeot", "Citroen", "Škoda", "Renault", "CITROËN",
        ]
        .iter()
        .enumerate()
        {
            let saved = create(
                s,
                &account,
                input(make, "Modèle", &format!("AB-{:03}-CD", i + 1)),
            )
            .await
            .unwrap();
            ids.push(saved.vehicle.id);
        }
        let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

        // Plain pages of 3: 3, 3, 1.
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = list(
                s,
                &account,
                VehicleQuery {
                    limit: Some(3),
                    cursor,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            pages += 1;
            seen.extend(page.items.iter().map(|v| v.id.clone()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, newest_first);
        assert_eq!(pages, 3);

        // A search over pages of 1: every Citroën, whatever the accents.
        let mut found = Vec::new();
        let mut cursor = None;
        loop {
            let page = list(
                s,
                &account,
                VehicleQuery {
                    q: Some("citroen".into()),
                    limit: Some(1),
                    cursor,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert!(page.items.len() <= 1);
            found.extend(page.items.iter().map(|v| v.id.clone()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(found, [ids[6].clone(), ids[3].clone(), ids[0].clone()]);

        // Plates, normalised.
        let page = list(
            s,
            &account,
            VehicleQuery {
                q: Some("ab-005".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].make, "Škoda");
        assert_eq!(page.next_cursor, None);

        // Status: removed ones only when asked.
        set_status(&portal, &account, &ids[1], VehicleStatus::Removed).await;
        reserve(&portal, &account, &ids[2]).await;
        let all = list(s, &account, VehicleQuery::default()).await.unwrap();
        assert_eq!(all.items.len(), 6);
        let removed = list(
            s,
            &account,
            VehicleQuery {
                status: Some(VehicleStatus::Removed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            removed
                .items
                .iter()
                .map(|v| v.id.as_str())
                .collect::<Vec<_>>(),
            [ids[1].as_str()]
        );
        let in_order = list(
            s,
            &account,
            VehicleQuery {
                status: Some(VehicleStatus::InOrder),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(in_order.items[0].order_id.as_deref(), Some("order-1"));

        // Another account sees nothing; a forged cursor is a 400.
        let other = seed_account(s, "Autre").await;
        assert!(
            list(s, &other.id, VehicleQuery::default())
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let err = list(
            s,
            &account,
            VehicleQuery {
                cursor: Some("%%%".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(code(&err), "invalid_cursor");
    }

    #[tokio::test]
    async fn corrections_patch_fields_and_leave_orders_alone() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let mut first = input("Citroën", "C3", "AB-123-CD");
        first.vin = Some("VF7SXHMZ6KT512345".into());
        first.version = Some("Shine".into());
        let a = create(s, &account, first).await.unwrap().vehicle;
        let b = create(s, &account, input("Renault", "Clio", "EF-456-GH"))
            .await
            .unwrap()
            .vehicle;

        let patch: VehiclePatch = serde_json::from_str(
            r#"{"model": "C3 Aircross", "version": null, "plate": "ab-123-ce"}"#,
        )
        .unwrap();
        let saved = update(s, &account, &a.id, patch).await.unwrap();
        assert_eq!(saved.vehicle.model, "C3 Aircross");
        assert_eq!(saved.vehicle.version, None);
        assert_eq!(saved.vehicle.vin.as_deref(), Some("VF7SXHMZ6KT512345"));
        assert_eq!(saved.vehicle.plate.as_deref(), Some("AB-123-CE"));
        assert_eq!(stored(&portal, &account, &a.id).await.revision, 2);

        // Nothing changes: nothing is written.
        let same: VehiclePatch = serde_json::from_str(r#"{"model": "C3 Aircross"}"#).unwrap();
        update(s, &account, &a.id, same).await.unwrap();
        assert_eq!(stored(&portal, &account, &a.id).await.revision, 2);

        // Another active vehicle's plate: 409; blank make: 422.
        let clash: VehiclePatch = serde_json::from_str(r#"{"plate": "EF 456 GH"}"#).unwrap();
        assert_eq!(
            code(&update(s, &account, &a.id, clash).await.unwrap_err()),
            "plate_exists"
        );
        let blank: VehiclePatch = serde_json::from_str(r#"{"make": null, "model": " "}"#).unwrap();
        assert_eq!(
            fields(&update(s, &account, &a.id, blank).await.unwrap_err()),
            ["make", "model"]
        );

        // In an order: 409, whatever the patch.
        reserve(&portal, &account, &b.id).await;
        let patch: VehiclePatch = serde_json::from_str(r#"{"model": "Clio V"}"#).unwrap();
        assert_eq!(
            code(&update(s, &account, &b.id, patch.clone()).await.unwrap_err()),
            "vehicle_in_order"
        );
        // Another account's vehicle: 404.
        let other = seed_account(s, "Autre").await;
        assert_eq!(
            code(&update(s, &other.id, &a.id, patch).await.unwrap_err()),
            "not_found"
        );
        assert_eq!(
            code(&get(s, &other.id, &a.id).await.unwrap_err()),
            "not_found"
        );
    }

    fn csv_1252(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[tokio::test]
    async fn an_import_upserts_by_reference_then_plate_and_reports_each_line() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let hand = create(s, &account, input("Renault", "Megane", "EF-456-GH"))
            .await
            .unwrap()
            .vehicle;
        let reserved = create(s, &account, input("Peugeot", "208", "JK-789-LM"))
            .await
            .unwrap()
            .vehicle;
        reserve(&portal, &account, &reserved.id).await;
        let gone = create(s, &account, input("Fiat", "500", "NP-111-QR"))
            .await
            .unwrap()
            .vehicle;
        set_status(&portal, &account, &gone.id, VehicleStatus::Removed).await;

        let file = "Marque;Modèle;Immatriculation;VIN;Référence\r\n\
                    Citroën;Berlingo;AB-123-CD;;VO-1\r\n\
                    Renault;Mégane;ef 456 gh;;VO-2\r\n\
                    Peugeot;208 GT;JK-789-LM;;\r\n\
                    Peugeot;208;JK-789-LM;;\r\n\
                    ;Clio;ST-222-VW;;VO-5\r\n\
                    Fiat;500;NP-111-QR;;\r\n";
        let report = import_csv(s, &account, &csv_1252(file)).await.unwrap();
        assert_eq!(
            (report.created, report.updated, report.unchanged),
            (1, 2, 0),
            "{report:?}"
        );
        let lines: Vec<usize> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [4, 5, 6], "{report:?}");
        assert!(
            report.errors[0].message.contains("commande en cours"),
            "{report:?}"
        );
        assert!(
            report.errors[1]
                .message
                .contains("JK-789-LM figure déjà à la ligne 4"),
            "{report:?}"
        );
        assert_eq!(report.errors[2].message, "La marque est obligatoire.");

        let hand_now = stored(&portal, &account, &hand.id).await;
        assert_eq!(hand_now.model, "Mégane");
        assert_eq!(hand_now.source, "csv");
        assert_eq!(hand_now.external_ref.as_deref(), Some("VO-2"));
        let gone_now = stored(&portal, &account, &gone.id).await;
        assert_eq!(gone_now.status, VehicleStatus::InStock);
        let reserved_now = stored(&portal, &account, &reserved.id).await;
        assert_eq!(
            reserved_now.model, "208",
            "a vehicle in an order is never modified"
        );
        let created = list(
            s,
            &account,
            VehicleQuery {
                q: Some("berlingo".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(created.items[0].make, "Citroën");
        assert_eq!(created.items[0].external_ref.as_deref(), Some("VO-1"));
        assert_eq!(created.items[0].source, "csv");
    }

    #[tokio::test]
    async fn an_import_never_changes_a_vehicle_in_an_order_and_a_second_run_writes_nothing() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let file = "marque;modele;immatriculation;reference\nCitroën;C3;AB-123-CD;R1\nŠkoda;Octavia;EF-456-GH;R2\n";
        let first = import_csv(s, &account, file.as_bytes()).await.unwrap();
        assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
        let again = import_csv(s, &account, file.as_bytes()).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
        assert!(again.errors.is_empty());

        let c3 = list(
            s,
            &account,
            VehicleQuery {
                q: Some("AB123CD".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
        reserve(&portal, &account, &c3.id).await;
        // Identical: unchanged. Different: an error line, nothing written.
        let same = import_csv(s, &account, file.as_bytes()).await.unwrap();
        assert_eq!((same.updated, same.unchanged, same.errors.len()), (0, 2, 0));
        let changed = "marque;modele;immatriculation;reference\nCitroën;C3 Aircross;AB-123-CD;R1\n";
        let report = import_csv(s, &account, changed.as_bytes()).await.unwrap();
        assert_eq!((report.updated, report.unchanged), (0, 0));
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].line, 2);
        assert!(
            report.errors[0].message.contains("commande en cours"),
            "{report:?}"
        );
        assert_eq!(stored(&portal, &account, &c3.id).await.model, "C3");

        // A reference that moves to another vehicle's plate is refused.
        let clash = "marque;modele;immatriculation;reference\nŠkoda;Octavia;AB-123-CD;R2\n";
        let report = import_csv(s, &account, clash.as_bytes()).await.unwrap();
        assert_eq!(report.errors.len(), 1, "{report:?}");
        assert!(
            report.errors[0].message.contains("autre véhicule"),
            "{report:?}"
        );

        // A file that is not a stock table is refused whole.
        let err = import_csv(s, &account, b"nom;prenom\nDupont;Jean\n")
            .await
            .unwrap_err();
        assert_eq!(code(&err), "invalid_csv");
    }

    #[tokio::test]
    async fn an_import_in_many_transactions_counts_every_vehicle() {
        let (portal, account) = portal().await;
        let s = &portal.services;
        let mut file = String::from("make,model,plate\n");
        for i in 0..250 {
            file.push_str(&format!("Renault,Clio,AB-{:03}-CD\n", i + 1));
        }
        let report = import_csv(s, &account, file.as_bytes()).await.unwrap();
        assert_eq!(report.created, 250, "{report:?}");
        assert_eq!(s.vehicles().all(&account).await.unwrap().len(), 250);
        let page = list(
            s,
            &account,
            VehicleQuery {
                limit: Some(200),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.items.len(), 200);
        assert!(page.next_cursor.is_some());
    }
}
