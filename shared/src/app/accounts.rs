//! Customer accounts, created and listed by managers.

use serde::Deserialize;

use crate::app::views::AccountView;
use crate::app::{Checks, PageQuery, new_id, required};
use crate::domain::EmailAddress;
use crate::error::{AppError, AppResult};
use crate::policy::{Action, Actor, authorize};
use crate::ports::StoreError;
use crate::repo::accounts::Account;
use crate::repo::{Page, page_size};
use crate::services::Services;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewAccountInput {
    pub name: Option<String>,
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

pub async fn list(
    services: &Services,
    actor: &Actor,
    page: PageQuery,
) -> AppResult<Page<AccountView>> {
    authorize(actor, Action::ListAccounts)?;
    Ok(services
        .accounts()
        .list(page_size(page.limit), page.cursor)
        .await?
        .map(AccountView::from))
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
