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
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<usize>,
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
