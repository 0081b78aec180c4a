//! The library's one error type. Every use case returns it; `http::problem`
//! maps it to `application/problem+json` in exactly one place.

use crate::domain::FieldError;
use crate::ports::{BlobError, MailError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Some fields are invalid; each message is French, for the user.
    #[error("invalid input: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("bad request ({code}): {detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("not authenticated ({code})")]
    Unauthenticated { code: &'static str, detail: String },
    /// The caller's role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Missing, or another account's: both look the same to the caller.
    #[error("not found: {detail}")]
    NotFound { detail: &'static str },
    #[error("conflict ({code}): {detail}")]
    Conflict { code: &'static str, detail: String },
    /// Existed once, no longer usable (a used or expired link).
    #[error("gone ({code}): {detail}")]
    Gone { code: &'static str, detail: String },
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// A service we depend on (ERP, AWS, mail) failed; `message` is logged only.
    #[error("{service} failed: {message}")]
    Upstream {
        service: &'static str,
        message: String,
    },
    /// A bug or an impossible state; `message` is logged only.
    #[error("unexpected: {0}")]
    Unexpected(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn gone(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Gone {
            code,
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: &'static str) -> Self {
        AppError::NotFound { detail }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::ConditionFailed { .. } | StoreError::TransactionConflict => {
                AppError::conflict(
                    "conflict",
                    "Ces données ont été modifiées entre-temps : rechargez la page et réessayez.",
                )
            }
            StoreError::InvalidCursor => AppError::bad_request(
                "invalid_cursor",
                "Le curseur de pagination est invalide : recommencez depuis la première page.",
            ),
            StoreError::Unavailable(message) => AppError::Upstream {
                service: "store",
                message,
            },
            other @ (StoreError::Invalid(_) | StoreError::Corrupt(_)) => {
                AppError::Unexpected(other.to_string())
            }
        }
    }
}

impl From<BlobError> for AppError {
    fn from(err: BlobError) -> Self {
        match err {
            BlobError::InvalidKey(key) => AppError::Unexpected(format!("invalid blob key {key}")),
            BlobError::Unavailable(message) => AppError::Upstream {
                service: "blob store",
                message,
            },
        }
    }
}

impl From<MailError> for AppError {
    fn from(err: MailError) -> Self {
        AppError::Upstream {
            service: "mailer",
            message: err.to_string(),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
