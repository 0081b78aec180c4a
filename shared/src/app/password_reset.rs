//! Forgotten passwords: a single-use link by e-mail, valid one hour. The
//! request always answers the same, whether the address is known or not.

use serde::Deserialize;
use time::Duration;

use crate::app::mail_delivery::{self, MailJob};
use crate::app::{links, required};
use crate::domain::{EmailAddress, UserStatus, validate_password};
use crate::emails;
use crate::error::{AppError, AppResult};
use crate::repo::link_tokens::LinkPurpose;
use crate::security::passwords;
use crate::services::Services;

pub const RESET_VALID_MINUTES: i64 = 60;
pub const RESET_PATH: &str = "/reinitialiser-mot-de-passe";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ResetRequestInput {
    #[schema(value_type = String, required = true)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ResetConfirmInput {
    /// The token of the reset link.
    #[schema(value_type = String, required = true)]
    pub token: Option<String>,
    #[schema(value_type = String, required = true, format = Password)]
    pub password: Option<String>,
}

/// A new password that satisfies the policy for this user's e-mail.
pub(crate) fn parse_new_password(value: &Option<String>, email: &str) -> AppResult<String> {
    let Some(password) = value.as_deref().filter(|p| !p.is_empty()) else {
        return Err(AppError::invalid("password", "Ce champ est obligatoire."));
    };
    let local_part = email.split('@').next();
    validate_password(password, local_part)
        .map_err(|e| AppError::invalid("password", e.to_string()))?;
    Ok(password.to_owned())
}

pub async fn request(services: &Services, input: ResetRequestInput) -> AppResult<()> {
    let email = required("email", &input.email)?;
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let Some(user) = services.users().find_by_email(email.as_str()).await? else {
        return Ok(());
    };
    if user.status != UserStatus::Active {
        return Ok(());
    }
    let (secret, link) = links::issue(
        services,
        &user.id,
        LinkPurpose::PasswordReset,
        Duration::minutes(RESET_VALID_MINUTES),
    )?;
    services.link_tokens().create(&link).await?;
    let mail = emails::password_reset(
        &user.email,
        &user.name,
        &links::url(services, RESET_PATH, &secret),
        RESET_VALID_MINUTES,
    );
    let job = MailJob::PasswordReset {
        user_id: user.id.clone(),
    };
    mail_delivery::send(services, job, &mail).await;
    Ok(())
}

/// Sets the new password and ends every session opened with the old one.
pub async fn confirm(services: &Services, input: ResetConfirmInput) -> AppResult<()> {
    let token = required("token", &input.token)?;
    let (link, mut user) = links::check(services, token, LinkPurpose::PasswordReset).await?;
    let password = parse_new_password(&input.password, &user.email)?;
    user.password_hash = Some(passwords::hash(&password).await?);
    user.session_version = user.session_version.wrapping_add(1);
    user.version += 1;
    links::redeem(services, &link, &user).await?;
    services.login_attempts().clear(&user.email).await?;
    Ok(())
}
