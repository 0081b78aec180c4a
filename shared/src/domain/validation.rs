//! Field-level validation errors, shared by every domain type and use case.

use serde::Serialize;

/// One invalid field: `field` is the JSON path the client sent
/// (`postal_code`, `vehicles[2].plate`), `message` is French, for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    #[schema(example = "postal_code")]
    pub field: String,
    #[schema(example = "Le code postal doit comporter 5 chiffres.")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
