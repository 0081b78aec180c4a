//! Use cases, one module each, written against the ports only.

pub mod accounts;
pub mod addresses;
pub mod bootstrap;
pub mod invitations;
pub mod invoices;
mod links;
pub mod mail_delivery;
pub mod order_lifecycle;
pub mod order_views;
pub mod orders;
pub mod password_reset;
pub mod purchase_orders;
pub mod quotes;
pub mod sessions;
pub mod status_poll;
pub mod stock_sync;
pub mod users;
pub mod validation;
pub mod vehicles;
pub mod views;

use serde::Deserialize;

use crate::domain::{EmailAddress, PersonName};
use crate::error::{AppError, AppResult};

/// `?cursor=&limit=` of every list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "page_limit")]
    pub limit: Option<usize>,
}

/// `?limit=`: absent, or 1 to [`crate::repo::MAX_PAGE_SIZE`]; anything else
/// is refused (400 `invalid_query`) rather than silently clamped, as the
/// document says `minimum: 1, maximum: 200`.
pub fn page_limit<'de, D>(deserializer: D) -> Result<Option<usize>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match Option::<usize>::deserialize(deserializer)? {
        Some(n) if !(1..=crate::repo::MAX_PAGE_SIZE).contains(&n) => {
            Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Unsigned(n as u64),
                &"un nombre de 1 à 200",
            ))
        }
        limit => Ok(limit),
    }
}

/// A required text field: missing or blank is a French field error.
pub(crate) fn required<'a>(field: &str, value: &'a Option<String>) -> AppResult<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(AppError::invalid(field, "Ce champ est obligatoire.")),
    }
}

pub(crate) fn parse_email(field: &str, value: &Option<String>) -> AppResult<EmailAddress> {
    EmailAddress::parse(required(field, value)?)
        .map_err(|e| AppError::invalid(field, e.to_string()))
}

pub(crate) fn parse_name(field: &str, value: &Option<String>) -> AppResult<PersonName> {
    PersonName::parse(required(field, value)?).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// Collects several field checks into one validation error.
#[derive(Default)]
pub(crate) struct Checks(Vec<crate::domain::FieldError>);

impl Checks {
    pub fn take<T>(&mut self, result: AppResult<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(AppError::Validation(errors)) => {
                self.0.extend(errors);
                None
            }
            Err(other) => {
                self.0
                    .push(crate::domain::FieldError::new("", other.to_string()));
                None
            }
        }
    }

    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod page_limit_tests {
    use super::PageQuery;

    fn parse(query: &str) -> Result<PageQuery, serde_urlencoded::de::Error> {
        serde_urlencoded::from_str(query)
    }

    #[test]
    fn a_limit_outside_1_to_200_is_refused_not_clamped() {
        assert_eq!(parse("").unwrap().limit, None);
        assert_eq!(parse("limit=1").unwrap().limit, Some(1));
        assert_eq!(parse("limit=200").unwrap().limit, Some(200));
        assert!(parse("limit=0").is_err());
        assert!(parse("limit=201").is_err());
        assert!(parse("limit=267149206714").is_err());
    }
}
