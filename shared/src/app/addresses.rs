//! The address book of an account (pickup and delivery places).

use crate::app::{PageQuery, accounts, new_id};
use crate::domain::AddressInput;
use crate::error::{AppError, AppResult};
use crate::repo::addresses::Address;
use crate::repo::{Page, page_size};
use crate::services::Services;

fn missing() -> AppError {
    AppError::not_found("Cette adresse est introuvable.")
}

/// Every use case here takes the account the policy resolved
/// (`policy::data_account`), never one from the request body.
pub async fn list(
    services: &Services,
    account_id: &str,
    page: PageQuery,
) -> AppResult<Page<Address>> {
    Ok(services
        .addresses()
        .list(account_id, page_size(page.limit), page.cursor)
        .await?)
}

pub async fn create(
    services: &Services,
    account_id: &str,
    input: AddressInput,
) -> AppResult<Address> {
    let fields = input.validate().map_err(AppError::Validation)?;
    accounts::require(services, account_id).await?;
    let now = services.clock.now();
    let address = Address {
        id: new_id(),
        account_id: account_id.to_owned(),
        fields,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    services.addresses().create(&address).await?;
    Ok(address)
}

pub async fn get(services: &Services, account_id: &str, address_id: &str) -> AppResult<Address> {
    services
        .addresses()
        .get(account_id, address_id)
        .await?
        .ok_or_else(missing)
}

pub async fn update(
    services: &Services,
    account_id: &str,
    address_id: &str,
    input: AddressInput,
) -> AppResult<Address> {
    let fields = input.validate().map_err(AppError::Validation)?;
    let mut address = get(services, account_id, address_id).await?;
    address.fields = fields;
    address.updated_at = services.clock.now();
    address.version += 1;
    services.addresses().update(&address).await?;
    Ok(address)
}

pub async fn delete(services: &Services, account_id: &str, address_id: &str) -> AppResult<()> {
    match services.addresses().delete(account_id, address_id).await {
        Ok(()) => Ok(()),
        Err(crate::ports::StoreError::ConditionFailed { .. }) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}
