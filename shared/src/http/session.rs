//! The signed-in caller of a request, from `Authorization: Bearer` or the
//! session cookie. The account always comes from here, never from the body.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::cookie::CookieJar;

use crate::app::sessions;
use crate::error::AppError;
use crate::policy::Actor;
use crate::repo::users::User;
use crate::services::Services;

#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub user: User,
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn cookie(parts: &Parts) -> Option<String> {
    CookieJar::from_headers(&parts.headers)
        .get(crate::http::cookie::NAME)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

impl<S> FromRequestParts<S> for Session
where
    Services: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let services = Services::from_ref(state);
        let token = bearer(parts)
            .or_else(|| cookie(parts))
            .ok_or(AppError::Unauthenticated {
                code: "not_authenticated",
                detail: "Connectez-vous pour accéder à cette page.".to_owned(),
            })?;
        let (actor, user) = sessions::authenticate(&services, &token).await?;
        Ok(Session { actor, user })
    }
}
