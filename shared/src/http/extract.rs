//! Request extractors whose failures are problem+json in French, naming
//! the faulty field when there is one.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::domain::FieldError;
use crate::http::problem::Problem;

/// Most bytes of a JSON body (the address book's largest form is ~2 KiB).
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// A JSON body, with French errors: 415 without a JSON content type, 400
/// for malformed JSON, 413 for an oversized body, 422 naming the field of a
/// wrong type.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

pub struct Rejection(Problem);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

fn too_large() -> Rejection {
    Rejection(Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "Requête trop volumineuse",
        format!(
            "Le corps de la requête est trop volumineux ({} Kio au plus).",
            MAX_JSON_BODY / 1024
        ),
    ))
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// serde's message, in French, for one field.
pub(crate) fn field_message(message: &str) -> String {
    if message.starts_with("missing field") {
        "Ce champ est obligatoire.".to_owned()
    } else if message.starts_with("invalid type") {
        match message.split("expected ").nth(1) {
            Some(expected) if expected.contains("string") => {
                "Ce champ doit être du texte.".to_owned()
            }
            Some(expected) if expected.contains("bool") => {
                "Ce champ doit valoir true ou false.".to_owned()
            }
            Some(expected) if expected.contains("sequence") => {
                "Ce champ doit être une liste.".to_owned()
            }
            Some(expected) if expected.contains("integer") || expected.contains("number") => {
                "Ce champ doit être un nombre entier.".to_owned()
            }
            _ => "Ce champ n'a pas le bon type.".to_owned(),
        }
    } else if message.starts_with("unknown variant") || message.starts_with("invalid value") {
        "Cette valeur n'est pas reconnue.".to_owned()
    } else if message.starts_with("unknown field") {
        "Ce champ n'est pas attendu.".to_owned()
    } else {
        "Cette valeur est invalide.".to_owned()
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => Ok(value),
        Err(err) => {
            let inner = err.inner();
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                return Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "Requête invalide",
                    "Le corps de la requête n'est pas un JSON valide.",
                ));
            }
            let path = err.path().to_string();
            let message = inner.to_string();
            let field = if let Some(name) = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                if path == "." {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                }
            } else if path == "." {
                String::new()
            } else {
                path
            };
            let french = if field.is_empty() {
                "Le corps de la requête doit être un objet JSON.".to_owned()
            } else {
                field_message(&message)
            };
            let errors = if field.is_empty() {
                Vec::new()
            } else {
                vec![FieldError::new(field, french.clone())]
            };
            Err(Problem {
                errors,
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "Données invalides",
                    french,
                )
            })
        }
    }
}

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(Rejection(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Format non pris en charge",
                "Le corps de la requête doit être du JSON (en-tête Content-Type: application/json).",
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                Rejection(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "Requête invalide",
                    "Le corps de la requête n'a pas pu être lu.",
                ))
            }
        })?;
        parse_json(&bytes).map(ApiJson).map_err(Rejection)
    }
}

/// Query parameters, with a French error naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(deserializer)
            .map(ApiQuery)
            .map_err(|err| {
                let field = err.path().to_string();
                let message = field_message(&err.inner().to_string());
                Rejection(Problem {
                    errors: vec![FieldError::new(field.clone(), message.clone())],
                    ..Problem::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_query",
                        "Requête invalide",
                        format!("Paramètre « {field} » : {message}"),
                    )
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: Option<String>,
        count: Option<u32>,
        required: String,
    }

    #[test]
    fn names_the_faulty_field_in_french() {
        let err = parse_json::<Body>(br#"{"name": 5, "required": "x"}"#).expect_err("type");
        assert_eq!(err.status, 422);
        assert_eq!(err.errors[0].field, "name");
        assert_eq!(err.errors[0].message, "Ce champ doit être du texte.");
        let err = parse_json::<Body>(br#"{"name": "a"}"#).expect_err("missing");
        assert_eq!(err.errors[0].field, "required");
        assert_eq!(err.errors[0].message, "Ce champ est obligatoire.");
        let err = parse_json::<Body>(br#"{"name": "#).expect_err("syntax");
        assert_eq!(err.status, 400);
        let err = parse_json::<Body>(b"[1,2]").expect_err("not an object");
        assert_eq!(err.status, 422);
        assert!(parse_json::<Body>(br#"{"count": 3, "required": ""}"#).is_ok());
    }
}
