//! Entity <-> stored attributes, through serde.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ports::table::{Item, QueryPage, StoreError};
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

pub fn from_page<T: DeserializeOwned>(page: QueryPage) -> Result<Page<T>, StoreError> {
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(from_item)
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}
