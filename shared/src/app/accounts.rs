//! Customer accounts, created and listed by managers.

use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::views::{
    AccountOverview, AccountView, LastSyncSummary, OrderCounts, StockConnectionSummary, UserCounts,
};
use crate::app::{Checks, PageQuery, new_id, required};
use crate::domain::EmailAddress;
use crate::error::{AppError, AppResult};
use crate::policy::{Action, Actor, authorize};
use crate::ports::StoreError;
use crate::ports::table::{Index, Item, QueryRequest};
use crate::repo::accounts::Account;
use crate::repo::{Page, page_size};
use crate::services::Services;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewAccountInput {
    /// 2 to 120 characters.
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
    /// 14 digits (spaces allowed), checked.
    pub siret: Option<String>,
    pub billing_email: Option<String>,
}

fn parse_account_name(value: &Option<String>) -> AppResult<String> {
    let name = required("name", value)?;
    let length = name.chars().count();
    if !(2..=120).contains(&length) {
        return Err(AppError::invalid(
            "name",
            "Le nom du compte doit comporter entre 2 et 120 caractères.",
        ));
    }
    Ok(name.to_owned())
}

/// A SIRET: 14 digits (spaces allowed) passing the Luhn check, except La
/// Poste's establishments (SIREN 356000000), which use a digit sum.
pub fn parse_siret(value: &str) -> AppResult<String> {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 14 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "siret",
            "Le SIRET doit comporter 14 chiffres.",
        ));
    }
    let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    let valid = if digits.starts_with("356000000") {
        values.iter().sum::<u32>().is_multiple_of(5)
    } else {
        let sum: u32 = values
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                if i % 2 == 1 {
                    let doubled = d * 2;
                    if doubled > 9 { doubled - 9 } else { doubled }
                } else {
                    d
                }
            })
            .sum();
        sum.is_multiple_of(10)
    };
    if !valid {
        return Err(AppError::invalid(
            "siret",
            "Ce SIRET n'est pas valide : vérifiez les 14 chiffres.",
        ));
    }
    Ok(digits)
}

pub async fn create(
    services: &Services,
    actor: &Actor,
    input: NewAccountInput,
) -> AppResult<AccountView> {
    authorize(actor, Action::CreateAccount)?;
    let mut checks = Checks::default();
    let name = checks.take(parse_account_name(&input.name));
    let siret = match input
        .siret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => checks.take(parse_siret(s)).map(Some),
        None => Some(None),
    };
    let billing_email = match input
        .billing_email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(e) => checks.take(
            EmailAddress::parse(e)
                .map(|e| Some(e.into_string()))
                .map_err(|err| AppError::invalid("billing_email", err.to_string())),
        ),
        None => Some(None),
    };
    checks.finish()?;
    let (Some(name), Some(siret), Some(billing_email)) = (name, siret, billing_email) else {
        return Err(AppError::Unexpected("checked fields missing".into()));
    };
    let account = Account {
        id: new_id(),
        name,
        siret,
        billing_email,
        created_at: services.clock.now(),
        created_by: actor.user_id.clone(),
    };
    match services.accounts().create(&account).await {
        Ok(()) => Ok(AccountView::from(account)),
        Err(StoreError::ConditionFailed { index: Some(1) }) => Err(AppError::conflict(
            "siret_taken",
            "Un compte client existe déjà avec ce SIRET.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The managers' overview: a page of accounts, each with its users by
/// status, its stock connection's provider and last sync, and its orders.
/// Every figure comes from the account's own partitions, so a page costs
/// O(its accounts), never O(all orders).
pub async fn list(
    services: &Services,
    actor: &Actor,
    page: PageQuery,
) -> AppResult<Page<AccountOverview>> {
    authorize(actor, Action::ListAccounts)?;
    let accounts = services
        .accounts()
        .list(page_size(page.limit), page.cursor)
        .await?;
    let mut items = Vec::with_capacity(accounts.items.len());
    for account in accounts.items {
        items.push(overview(services, account).await?);
    }
    Ok(Page {
        items,
        next_cursor: accounts.next_cursor,
    })
}

/// Orders counted per account at most; beyond, `count_capped` is set.
pub const ORDERS_COUNT_CAP: u32 = 1_000;

async fn overview(services: &Services, account: Account) -> AppResult<AccountOverview> {
    let (users, stock_connection, last_sync, orders) = tokio::join!(
        user_counts(services, &account.id),
        stock_connection(services, &account.id),
        last_sync(services, &account.id),
        order_counts(services, &account.id),
    );
    Ok(AccountOverview {
        account: AccountView::from(account),
        users: users?,
        stock_connection: stock_connection?,
        last_sync: last_sync?,
        orders: orders?,
    })
}

fn text_attr<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.attrs.get(name).and_then(Value::as_str)
}

fn instant_attr(item: &Item, name: &str) -> Option<OffsetDateTime> {
    text_attr(item, name).and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
}

async fn user_counts(services: &Services, account_id: &str) -> AppResult<UserCounts> {
    let mut counts = UserCounts::default();
    let mut cursor = None;
    loop {
        let page = services
            .table
            .query(
                QueryRequest::index(Index::Gsi1, format!("ACCOUNT#{account_id}#USERS"))
                    .limit(500)
                    .after(cursor),
            )
            .await?;
        for item in &page.items {
            match text_attr(item, "status") {
                Some("invited") => counts.invited += 1,
                Some("active") => counts.active += 1,
                Some("disabled") => counts.disabled += 1,
                _ => {}
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(counts),
        }
    }
}

/// The provider only: the stored connection also holds secrets, which are
/// never deserialised here.
async fn stock_connection(
    services: &Services,
    account_id: &str,
) -> AppResult<Option<StockConnectionSummary>> {
    let item = services
        .table
        .get(&crate::repo::stock_connections::connection_key(account_id))
        .await?;
    Ok(item.map(|item| StockConnectionSummary {
        provider: text_attr(&item, "provider").unwrap_or_default().to_owned(),
    }))
}

async fn last_sync(services: &Services, account_id: &str) -> AppResult<Option<LastSyncSummary>> {
    let item = services
        .table
        .get(&crate::repo::stock_connections::report_key(account_id))
        .await?;
    Ok(item.map(|item| LastSyncSummary {
        finished_at: instant_attr(&item, "finished_at"),
        status: text_attr(&item, "status").map(str::to_owned),
    }))
}

/// Counts through the account's orders index, newest first, stopping at
/// [`ORDERS_COUNT_CAP`].
async fn order_counts(services: &Services, account_id: &str) -> AppResult<OrderCounts> {
    let mut counts = OrderCounts::default();
    let mut cursor = None;
    loop {
        let wanted = (ORDERS_COUNT_CAP + 1 - counts.count) as usize;
        let page = services
            .table
            .query(
                QueryRequest::index(Index::Gsi1, format!("ACCOUNT#{account_id}#ORDERS"))
                    .descending()
                    .limit(wanted.min(500))
                    .after(cursor),
            )
            .await?;
        if counts.last_order_at.is_none() {
            counts.last_order_at = page
                .items
                .first()
                .and_then(|i| instant_attr(i, "created_at"));
        }
        counts.count += u32::try_from(page.items.len()).unwrap_or(u32::MAX);
        if counts.count > ORDERS_COUNT_CAP {
            counts.count = ORDERS_COUNT_CAP;
            counts.count_capped = true;
            return Ok(counts);
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(counts),
        }
    }
}

pub async fn get(services: &Services, actor: &Actor, account_id: &str) -> AppResult<AccountView> {
    authorize(actor, Action::ReadAccount { account_id })?;
    Ok(AccountView::from(require(services, account_id).await?))
}

/// The account, or a 404 (a manager may name any id).
pub(crate) async fn require(services: &Services, account_id: &str) -> AppResult<Account> {
    services
        .accounts()
        .get(account_id)
        .await?
        .ok_or_else(|| AppError::not_found("Ce compte client est introuvable."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_siret_with_luhn() {
        assert_eq!(
            parse_siret("732 829 320 00074").ok().as_deref(),
            Some("73282932000074")
        );
        assert!(parse_siret("73282932000075").is_err());
        assert!(parse_siret("1234").is_err());
        assert!(parse_siret("3560000000000A").is_err());
    }
}
