//! Creating and redeeming single-use e-mailed links, the same rules for
//! invitations and password resets.

use time::Duration;

use crate::domain::UserStatus;
use crate::error::{AppError, AppResult};
use crate::ports::{StoreError, Write};
use crate::repo::link_tokens::{LinkPurpose, LinkToken, LinkTokens};
use crate::repo::users::{User, Users};
use crate::security::link_tokens;
use crate::services::Services;

/// A new link for a user: the secret for the URL and the record to store.
pub fn issue(
    services: &Services,
    user_id: &str,
    purpose: LinkPurpose,
    valid_for: Duration,
) -> AppResult<(String, LinkToken)> {
    let (secret, hash) = link_tokens::generate()?;
    let now = services.clock.now();
    let record = LinkToken {
        hash,
        purpose,
        user_id: user_id.to_owned(),
        created_at: now,
        expires_at: now + valid_for,
        used: false,
    };
    Ok((secret, record))
}

pub fn url(services: &Services, path: &str, secret: &str) -> String {
    format!("{}{path}?token={secret}", services.config.public_url)
}

fn invalid() -> AppError {
    AppError::bad_request(
        "link_invalid",
        "Ce lien n'est pas valide : vérifiez qu'il est complet.",
    )
}

fn used() -> AppError {
    AppError::gone(
        "link_used",
        "Ce lien a déjà été utilisé. Connectez-vous, ou demandez un nouveau lien.",
    )
}

/// The link and its user, if the link is known, unused, unexpired, of this
/// purpose, and its user can still use it.
pub async fn check(
    services: &Services,
    secret: &str,
    purpose: LinkPurpose,
) -> AppResult<(LinkToken, User)> {
    if secret.trim().is_empty() {
        return Err(AppError::invalid("token", "Ce champ est obligatoire."));
    }
    let hash = link_tokens::hash(secret);
    let link = services
        .link_tokens()
        .get(&hash)
        .await?
        .filter(|l| l.purpose == purpose)
        .ok_or_else(invalid)?;
    if link.used {
        return Err(used());
    }
    if services.clock.now() > link.expires_at {
        return Err(AppError::gone(
            "link_expired",
            match purpose {
                LinkPurpose::Invitation => {
                    "Ce lien d'invitation a expiré. Demandez une nouvelle invitation à la personne qui vous a invité."
                }
                LinkPurpose::PasswordReset => {
                    "Ce lien a expiré. Demandez un nouveau lien de réinitialisation."
                }
            },
        ));
    }
    let user = services
        .users()
        .get(&link.user_id)
        .await?
        .ok_or_else(invalid)?;
    let expected = match purpose {
        LinkPurpose::Invitation => UserStatus::Invited,
        LinkPurpose::PasswordReset => UserStatus::Active,
    };
    if user.status != expected {
        return Err(match user.status {
            UserStatus::Disabled => AppError::gone(
                "user_disabled",
                "Cet accès a été désactivé. Contactez votre gestionnaire STVA.",
            ),
            _ => used(),
        });
    }
    Ok((link, user))
}

/// Marks the link used and saves the user in one transaction: of two
/// concurrent redemptions, exactly one wins.
pub async fn redeem(services: &Services, link: &LinkToken, user: &User) -> AppResult<()> {
    let writes: Vec<Write> = vec![LinkTokens::consume_write(link)?, Users::update_write(user)?];
    match services.table.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { .. } | StoreError::TransactionConflict) => Err(used()),
        Err(e) => Err(e.into()),
    }
}
