//! Sign-in, sign-out, the current user, and the check of every request's
//! session. Failed sign-ins are throttled per e-mail address.

use std::time::Duration;

use time::OffsetDateTime;

use crate::app::views::{MeView, SessionGrant};
use crate::domain::UserStatus;
use crate::error::{AppError, AppResult};
use crate::policy::Actor;
use crate::ports::StoreError;
use crate::repo::login_attempts::LoginAttempts;
use crate::repo::users::User;
use crate::security::passwords;
use crate::security::session_tokens::Subject;
use crate::services::Services;

/// Failures in a row before an e-mail address is locked.
pub const MAX_FAILURES: u32 = 5;
const FIRST_LOCK_SECS: i64 = 30;
const MAX_LOCK_SECS: i64 = 15 * 60;

fn wrong_credentials() -> AppError {
    AppError::Unauthenticated {
        code: "invalid_credentials",
        detail: "E-mail ou mot de passe incorrect.".to_owned(),
    }
}

/// How long an address stays locked after `failures` failures in a row:
/// 30 s at the fifth, doubling with each further one, at most 15 minutes.
pub fn lock_duration(failures: u32) -> Option<Duration> {
    if failures < MAX_FAILURES {
        return None;
    }
    let doublings = (failures - MAX_FAILURES).min(16);
    let secs = (FIRST_LOCK_SECS << doublings).min(MAX_LOCK_SECS);
    Some(Duration::from_secs(secs.unsigned_abs()))
}

pub async fn login(services: &Services, email: &str, password: &str) -> AppResult<SessionGrant> {
    let email = email.trim().to_lowercase();
    let now = services.clock.now();
    let attempts = services.login_attempts();
    let locked_until = attempts.get(&email).await?.and_then(|r| r.locked_until);
    if let Some(until) = locked_until.filter(|until| *until > now) {
        let wait = (until - now).whole_seconds().max(1);
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.unsigned_abs(),
        });
    }
    let user = services.users().find_by_email(&email).await?;
    let usable_hash = user
        .as_ref()
        .filter(|u| u.status == UserStatus::Active)
        .and_then(|u| u.password_hash.as_deref());
    if !passwords::verify(password, usable_hash).await? {
        record_failure(services, &email, now).await?;
        return Err(wrong_credentials());
    }
    let Some(mut user) = user else {
        return Err(wrong_credentials());
    };
    attempts.clear(&email).await?;
    user.last_login_at = Some(now);
    user.version += 1;
    if let Err(e) = services.users().update(&user).await {
        // Losing a last-login time to a concurrent update is harmless.
        tracing::info!(error = %e, "last login time not recorded");
        user.version -= 1;
    }
    grant(services, &user).await
}

async fn record_failure(services: &Services, email: &str, now: OffsetDateTime) -> AppResult<()> {
    let repo = services.login_attempts();
    for _ in 0..5 {
        let previous = repo.get(email).await?;
        let failures = previous.as_ref().map_or(0, |r| r.failures) + 1;
        let record = LoginAttempts {
            email: email.to_owned(),
            failures,
            locked_until: lock_duration(failures).map(|d| now + d),
            version: previous.as_ref().map_or(0, |r| r.version) + 1,
        };
        match repo.save(&record, now).await {
            Ok(()) => return Ok(()),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::TooManyRequests {
        retry_after_secs: 1,
    })
}

/// A new session token for a user who just proved who they are.
pub async fn grant(services: &Services, user: &User) -> AppResult<SessionGrant> {
    let subject = Subject {
        user_id: user.id.clone(),
        role: user.role,
        account_id: user.account_id.clone(),
        session_version: user.session_version,
    };
    let (token, expires_at) = services.tokens.issue(&subject, services.clock.now())?;
    Ok(SessionGrant {
        token,
        expires_at,
        user: me_view(services, user).await?,
    })
}

async fn me_view(services: &Services, user: &User) -> AppResult<MeView> {
    let account_name = match &user.account_id {
        Some(id) => services.accounts().get(id).await?.map(|a| a.name),
        None => None,
    };
    Ok(MeView {
        id: user.id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role,
        account_id: user.account_id.clone(),
        account_name,
    })
}

fn session_ended() -> AppError {
    AppError::Unauthenticated {
        code: "invalid_session",
        detail: "Votre session a expiré ou n'est pas valide : reconnectez-vous.".to_owned(),
    }
}

/// The caller behind a session token: the token must verify and its user
/// must still be active, with the same session version and role.
pub async fn authenticate(services: &Services, token: &str) -> AppResult<(Actor, User)> {
    let claims = services.tokens.verify(token)?;
    let user = services
        .users()
        .get(&claims.sub)
        .await?
        .ok_or_else(session_ended)?;
    let still_valid = user.status == UserStatus::Active
        && user.session_version == claims.sv
        && user.role == claims.role
        && user.account_id == claims.acc;
    if !still_valid {
        return Err(session_ended());
    }
    let actor = Actor {
        user_id: user.id.clone(),
        role: user.role,
        account_id: user.account_id.clone(),
    };
    Ok((actor, user))
}

pub async fn me(services: &Services, user: &User) -> AppResult<MeView> {
    me_view(services, user).await
}

/// A fresh token for a signed-in user (the frontend renews before expiry).
pub async fn refresh(services: &Services, user: &User) -> AppResult<SessionGrant> {
    grant(services, user).await
}

/// Ends every session of the user, this one included.
pub async fn logout(services: &Services, actor: &Actor) -> AppResult<()> {
    let users = services.users();
    for _ in 0..5 {
        let Some(mut user) = users.get(&actor.user_id).await? else {
            return Ok(());
        };
        user.session_version = user.session_version.wrapping_add(1);
        user.version += 1;
        match users.update(&user).await {
            Ok(()) => return Ok(()),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "conflict",
        "La déconnexion n'a pas pu aboutir : réessayez.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_from_the_fifth_failure_doubling_up_to_fifteen_minutes() {
        assert_eq!(lock_duration(4), None);
        assert_eq!(lock_duration(5), Some(Duration::from_secs(30)));
        assert_eq!(lock_duration(6), Some(Duration::from_secs(60)));
        assert_eq!(lock_duration(9), Some(Duration::from_secs(480)));
        assert_eq!(lock_duration(10), Some(Duration::from_secs(900)));
        assert_eq!(lock_duration(u32::MAX), Some(Duration::from_secs(900)));
    }
}
