//! Repositories: one per aggregate, written once on top of the `Table`
//! port, so the DynamoDB and embedded stores share every key and rule.
//! The key design is documented in `docs/data-model.md`.

pub mod accounts;
pub mod addresses;
pub mod codec;
pub mod link_tokens;
pub mod login_attempts;
pub mod orders;
pub mod stock_connections;
pub mod users;
pub mod vehicles;

/// A page of a list, as the API returns it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The `cursor` of the next page (opaque); `null` on the last page.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Page size bounds for every list.
pub const DEFAULT_PAGE_SIZE: usize = 50;
pub const MAX_PAGE_SIZE: usize = 200;

pub fn page_size(requested: Option<usize>) -> usize {
    requested
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
}
