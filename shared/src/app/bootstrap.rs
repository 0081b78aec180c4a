//! The first manager of an empty portal, for local runs (`stva-dev`). A
//! deployed stack invites its first manager by e-mail instead.

use crate::domain::{EmailAddress, PersonName, Role, UserStatus};
use crate::error::{AppError, AppResult};
use crate::ports::StoreError;
use crate::repo::users::{User, Users};
use crate::security::passwords;
use crate::services::Services;

/// Creates an active manager when no manager exists; returns whether it did.
pub async fn ensure_first_manager(
    services: &Services,
    email: &str,
    password: &str,
) -> AppResult<bool> {
    if services.users().any_manager().await? {
        return Ok(false);
    }
    let email = EmailAddress::parse(email)
        .map_err(|e| AppError::Unexpected(format!("bootstrap manager e-mail: {e}")))?;
    crate::app::password_reset::parse_new_password(&Some(password.to_owned()), email.as_str())
        .map_err(|e| AppError::Unexpected(format!("bootstrap manager password: {e:?}")))?;
    let name =
        PersonName::parse("Gestionnaire STVA").map_err(|e| AppError::Unexpected(e.to_string()))?;
    let user = User {
        id: crate::app::new_id(),
        email: email.into_string(),
        name: name.into_string(),
        role: Role::Manager,
        account_id: None,
        status: UserStatus::Active,
        password_hash: Some(passwords::hash(password).await?),
        session_version: 0,
        version: 1,
        created_at: services.clock.now(),
        invited_by: None,
        last_login_at: None,
    };
    match services.table.transact(Users::create_writes(&user)?).await {
        Ok(()) => Ok(true),
        // Another instance (or an earlier run) created it first.
        Err(StoreError::ConditionFailed { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
