//! Entity <-> stored attributes, through serde.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ports::table::{Item, StoreError, StoredAttrs, StoredItem, StoredPage};
use crate::repo::Page;

pub fn to_attrs<T: Serialize>(value: &T) -> Result<Map<String, Value>, StoreError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(StoreError::Invalid(format!(
            "entity is not an object: {other}"
        ))),
        Err(e) => Err(StoreError::Invalid(e.to_string())),
    }
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    let key = item.key;
    serde_json::from_value(Value::Object(item.attrs))
        .map_err(|e| StoreError::Corrupt(format!("{}/{}: {e}", key.pk, key.sk)))
}

/// An entity straight from the store's encoding (no intermediate map when
/// the store kept JSON text).
pub fn from_stored<T: DeserializeOwned>(item: StoredItem) -> Result<T, StoreError> {
    let decoded = match item.attrs {
        StoredAttrs::Json(text) => serde_json::from_str(&text),
        StoredAttrs::Map(map) => serde_json::from_value(Value::Object(map)),
    };
    decoded.map_err(|e| StoreError::Corrupt(format!("{}/{}: {e}", item.key.pk, item.key.sk)))
}

pub fn from_stored_page<T: DeserializeOwned>(page: StoredPage) -> Result<Page<T>, StoreError> {
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(from_stored)
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}
