//! `AppError` -> `application/problem+json` (RFC 9457), in one place.
//! `detail` is French, for the user; `code` is stable, for programs; 5xx
//! answers never carry internals (they are logged instead).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::FieldError;
use crate::error::AppError;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An error, as `application/problem+json` (RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `https://portail.stva.fr/problemes/<code>`.
    #[serde(rename = "type")]
    #[schema(example = "https://portail.stva.fr/problemes/validation_failed")]
    pub kind: String,
    /// A short French title of the kind of problem.
    #[schema(value_type = String, example = "Données invalides")]
    pub title: &'static str,
    /// The HTTP status.
    #[schema(minimum = 400, maximum = 599, example = 422)]
    pub status: u16,
    /// What went wrong, in French, for the user.
    #[schema(example = "Le code postal doit comporter 5 chiffres.")]
    pub detail: String,
    /// Stable and machine-readable (see docs/api.md for the list).
    #[schema(value_type = String, example = "validation_failed")]
    pub code: &'static str,
    /// The invalid fields (validation problems only; absent otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: format!("https://portail.stva.fr/problemes/{code}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            code,
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

const UNEXPECTED: &str = "Une erreur inattendue est survenue. Réessayez dans un instant ; si elle persiste, contactez STVA.";

impl From<&AppError> for Problem {
    fn from(err: &AppError) -> Self {
        match err {
            AppError::Validation(errors) => {
                let detail = match errors.as_slice() {
                    [one] => one.message.clone(),
                    _ => "Certains champs sont invalides : corrigez-les puis réessayez.".to_owned(),
                };
                Problem {
                    errors: errors.clone(),
                    ..Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        "Données invalides",
                        detail,
                    )
                }
            }
            AppError::BadRequest { code, detail } => {
                Problem::new(StatusCode::BAD_REQUEST, code, "Requête invalide", detail)
            }
            AppError::Unauthenticated { code, detail } => Problem::new(
                StatusCode::UNAUTHORIZED,
                code,
                "Authentification requise",
                detail,
            ),
            AppError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Action non autorisée",
                "Votre rôle ne permet pas cette action.",
            ),
            AppError::NotFound { detail } => {
                Problem::new(StatusCode::NOT_FOUND, "not_found", "Introuvable", *detail)
            }
            AppError::Conflict { code, detail } => {
                Problem::new(StatusCode::CONFLICT, code, "Conflit", detail)
            }
            AppError::Gone { code, detail } => {
                Problem::new(StatusCode::GONE, code, "Lien inutilisable", detail)
            }
            AppError::TooManyRequests { retry_after_secs } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Trop de tentatives",
                format!(
                    "Trop de tentatives de connexion pour cette adresse. Réessayez dans {} ou réinitialisez votre mot de passe.",
                    french_duration(*retry_after_secs)
                ),
            ),
            AppError::Upstream { service, .. } => Problem::new(
                StatusCode::BAD_GATEWAY,
                "upstream_unavailable",
                "Service indisponible",
                format!(
                    "Un service dont dépend le portail ({}) ne répond pas. Réessayez dans un instant.",
                    match *service {
                        "erp" => "l'ERP STVA",
                        "mailer" => "l'envoi d'e-mails",
                        _ => "le stockage",
                    }
                ),
            ),
            AppError::Unexpected(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Erreur interne",
                UNEXPECTED,
            ),
        }
    }
}

fn french_duration(secs: u64) -> String {
    match secs {
        0..=1 => "1 seconde".to_owned(),
        2..=59 => format!("{secs} secondes"),
        60..=119 => "1 minute".to_owned(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Upstream { .. } | AppError::Unexpected(_) => {
                tracing::error!(error = %self, "request failed");
            }
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let problem = Problem::from(&self);
        let mut response = problem.into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if response.status() == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_internals_of_server_errors() {
        let problem = Problem::from(&AppError::Unexpected("secret table name".into()));
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("secret"));
        let problem = Problem::from(&AppError::Upstream {
            service: "store",
            message: "arn:aws:dynamodb:...".into(),
        });
        assert_eq!(problem.status, 502);
        assert!(!problem.detail.contains("arn"));
    }

    #[test]
    fn validation_lists_fields() {
        let problem = Problem::from(&AppError::invalid(
            "postal_code",
            "Le code postal doit comporter 5 chiffres.",
        ));
        assert_eq!(problem.status, 422);
        assert_eq!(problem.code, "validation_failed");
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(problem.detail, "Le code postal doit comporter 5 chiffres.");
    }
}
