//! The warm-API data set, written straight into the embedded store's
//! SQLite file before stva-dev starts (much faster than over HTTP): one
//! customer account with a member, two addresses, 1,000 orders and 10,000
//! vehicles, through the shared library's repositories (the very items the
//! API reads).

use std::path::Path;
use std::sync::Arc;

use shared::adapters::sqlite::SqliteTable;
use shared::domain::{AddressFields, Country, OrderStatus, PostalCode, Role, UserStatus};
use shared::ports::Table;
use shared::repo::accounts::{Account, Accounts};
use shared::repo::addresses::{Address, Addresses};
use shared::repo::orders::{Order, OrderEstimate, OrderPlace, OrderVehicle, Orders, TimelineEntry};
use shared::repo::users::{User, Users};
use shared::repo::vehicles::{Vehicle, VehicleStatus, Vehicles};
use shared::security::passwords;
use time::OffsetDateTime;

use crate::BenchResult;

pub const EMAIL: &str = "julie.martin@garage-du-banc.fr";
pub const PASSWORD: &str = "Banc-d-Essai-Transport-2026";

/// What the load needs to know about the seeded data.
pub struct Seeded {
    pub pickup_id: String,
    pub delivery_id: String,
    /// Vehicles for the quotes (one per request: a quote reserves them).
    pub vehicles: Vec<QuoteVehicle>,
}

#[derive(Clone)]
pub struct QuoteVehicle {
    pub id: String,
    pub make: String,
    pub model: String,
    pub plate: String,
}

const MAKES: [(&str, &str); 6] = [
    ("Renault", "Clio"),
    ("Peugeot", "208"),
    ("Citroën", "C3"),
    ("Dacia", "Sandero"),
    ("Volkswagen", "Golf"),
    ("Toyota", "Yaris"),
];
const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ";

/// A unique plate per index (`AB-123-CD` form), for up to 23^2 * 999.
fn plate(i: usize) -> String {
    let digits = i % 999 + 1;
    let k = i / 999;
    let a = LETTERS[k % LETTERS.len()] as char;
    let b = LETTERS[(k / LETTERS.len()) % LETTERS.len()] as char;
    format!("FB{digits:03}{b}{a}")
}

fn place(fields: &AddressFields, id: &str) -> OrderPlace {
    OrderPlace {
        address_id: id.to_owned(),
        fields: fields.clone(),
    }
}

fn fields(label: &str, postal_code: &str, city: &str) -> BenchResult<AddressFields> {
    Ok(AddressFields {
        label: label.to_owned(),
        company: Some("Garage du Banc d'Essai".into()),
        street: "12 avenue de la République".into(),
        postal_code: PostalCode::parse(postal_code, Country::FRANCE)?,
        city: city.to_owned(),
        country: Country::FRANCE,
        contact_name: Some("Julie Martin".into()),
        contact_phone: Some("+33 1 23 45 67 89".into()),
        instructions: None,
    })
}

pub async fn seed(db: &Path, orders: usize, vehicles: usize) -> BenchResult<Seeded> {
    let table: Arc<dyn Table> = Arc::new(SqliteTable::open(db)?);
    let now = OffsetDateTime::now_utc();
    let account = Account {
        id: uuid::Uuid::now_v7().to_string(),
        name: "Garage du Banc d'Essai".into(),
        siret: None,
        billing_email: None,
        created_at: now,
        created_by: "bench".into(),
    };
    Accounts::new(table.clone()).create(&account).await?;
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        email: EMAIL.to_owned(),
        name: "Julie Martin".into(),
        role: Role::Member,
        account_id: Some(account.id.clone()),
        status: UserStatus::Active,
        password_hash: Some(passwords::hash(PASSWORD).await?),
        session_version: 0,
        version: 1,
        created_at: now,
        invited_by: None,
        last_login_at: None,
    };
    table.transact(Users::create_writes(&user)?).await?;

    let addresses = Addresses::new(table.clone());
    let mut ids = Vec::new();
    for (label, postal_code, city) in [
        ("Atelier de Paris", "75011", "Paris"),
        ("Concession de Lyon", "69003", "Lyon"),
    ] {
        let address = Address {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: account.id.clone(),
            fields: fields(label, postal_code, city)?,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        addresses.create(&address).await?;
        ids.push(address);
    }
    let [pickup, delivery] = <[Address; 2]>::try_from(ids).map_err(|_| "two addresses")?;

    // 10,000 vehicles, in stock.
    let mut items = Vec::with_capacity(vehicles);
    let mut for_quotes = Vec::new();
    for i in 0..vehicles {
        let (make, model) = MAKES[i % MAKES.len()];
        let vehicle = Vehicle {
            id: uuid::Uuid::now_v7().to_string(),
            account_id: account.id.clone(),
            source: "manual".into(),
            external_ref: None,
            make: make.into(),
            model: model.into(),
            version: Some("1.5 dCi 90".into()),
            plate: Some(plate(i)),
            vin: None,
            mileage_km: Some(12_000 + u32::try_from(i % 90_000)?),
            first_registration: Some("2023-04-01".into()),
            fuel: Some("diesel".into()),
            colour: Some("gris".into()),
            location: Some("Paris".into()),
            photo_url: None,
            status: VehicleStatus::InStock,
            order_id: None,
            created_at: now,
            updated_at: now,
            revision: 1,
        };
        for_quotes.push(QuoteVehicle {
            id: vehicle.id.clone(),
            make: vehicle.make.clone(),
            model: vehicle.model.clone(),
            plate: plate(i),
        });
        items.push(Vehicles::item(&vehicle)?);
    }
    table.put_many(items).await?;

    // 1,000 orders, through every status after the validation.
    let statuses = [
        OrderStatus::Confirmed,
        OrderStatus::Scheduled,
        OrderStatus::PickedUp,
        OrderStatus::InTransit,
        OrderStatus::Delivered,
    ];
    let mut items = Vec::with_capacity(orders);
    for seq in 0..orders {
        let status = statuses[seq % statuses.len()];
        let id = uuid::Uuid::now_v7().to_string();
        let timeline = [OrderStatus::Quoted, OrderStatus::Validated, status]
            .into_iter()
            .map(|s| TimelineEntry {
                at: now,
                status: s,
                label: s.label_fr().to_owned(),
                by: None,
            })
            .collect();
        let (make, model) = MAKES[seq % MAKES.len()];
        let order = Order {
            number: format!("BC-BANC-{:06}", seq + 1),
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            created_by: user.id.clone(),
            created_by_name: user.name.clone(),
            created_by_email: user.email.clone(),
            customer_reference: Some(format!("REF-{seq}")),
            status,
            vehicles: vec![OrderVehicle {
                vehicle_id: format!("veh_{id}"),
                make: make.into(),
                model: model.into(),
                plate: plate(100_000 + seq),
                vin: None,
            }],
            pickup: place(&pickup.fields, &pickup.id),
            delivery: place(&delivery.fields, &delivery.id),
            estimate: OrderEstimate {
                estimate_id: format!("est_{id}"),
                amount_excl_tax_cents: 50_000,
                vat_cents: 10_000,
                amount_incl_tax_cents: 60_000,
                currency: "EUR".into(),
                valid_until: now,
                distance_km: 470,
            },
            erp_order_id: Some(format!("ERP-BANC-{seq:06}")),
            timeline,
            invoice: None,
            created_at: now,
            updated_at: now,
            validated_at: Some(now),
            erp_attempts: 0,
            revision: 2,
            id,
        };
        items.extend(Orders::items(&order)?);
    }
    table.put_many(items).await?;
    Ok(Seeded {
        pickup_id: pickup.id,
        delivery_id: delivery.id,
        vehicles: for_quotes,
    })
}
