//! The rules DynamoDB enforces on requests to the [`Table`](super::Table),
//! written once. Both adapters check them before doing any work (the
//! DynamoDB one before any network call), so the production store, its
//! emulator and the embedded store refuse the same requests with the same
//! [`StoreError::Invalid`] message.

use std::collections::HashSet;

use super::table::{
    Condition, Index, Item, Key, MAX_TRANSACTION_ITEMS, QueryRequest, RESERVED_ATTRIBUTES,
    SortKeyCondition, StoreError, Write,
};

/// DynamoDB's size limit of a partition key (table or index), in UTF-8 bytes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// DynamoDB's size limit of a sort key (table or index), in UTF-8 bytes.
pub const MAX_SORT_KEY_BYTES: usize = 1024;

/// A table key: both parts non-empty and within DynamoDB's size limits.
pub fn check_key(key: &Key) -> Result<(), StoreError> {
    check_key_part("pk", &key.pk, MAX_PARTITION_KEY_BYTES)?;
    check_key_part("sk", &key.sk, MAX_SORT_KEY_BYTES)
}

/// An item to store: its table key and index keys as [`check_key`], and no
/// attribute under a name of [`RESERVED_ATTRIBUTES`].
pub fn check_item(item: &Item) -> Result<(), StoreError> {
    check_key(&item.key)?;
    for (index, key) in [(Index::Gsi1, &item.gsi1), (Index::Gsi2, &item.gsi2)] {
        if let Some(key) = key {
            let (pk, sk) = index.key_attributes();
            check_key_part(pk, &key.pk, MAX_PARTITION_KEY_BYTES)?;
            check_key_part(sk, &key.sk, MAX_SORT_KEY_BYTES)?;
        }
    }
    if let Some(reserved) = RESERVED_ATTRIBUTES
        .iter()
        .find(|name| item.attrs.contains_key(**name))
    {
        return Err(StoreError::Invalid(format!(
            "attribute name {reserved:?} is reserved for the store"
        )));
    }
    Ok(())
}

/// A write's condition: `Equals` may not name a reserved attribute (the
/// entity's fields never do, so such a condition is a mistake).
pub fn check_condition(condition: &Condition) -> Result<(), StoreError> {
    match condition {
        Condition::Equals(name, _) if RESERVED_ATTRIBUTES.contains(&name.as_str()) => Err(
            StoreError::Invalid(format!("condition on reserved attribute {name:?}")),
        ),
        Condition::Always | Condition::NotExists | Condition::Exists | Condition::Equals(..) => {
            Ok(())
        }
    }
}

/// A counter: a valid key, and an entity attribute (not a reserved name,
/// not empty, no path: the adapters address it as one top-level name).
pub fn check_counter(key: &Key, attribute: &str) -> Result<(), StoreError> {
    check_key(key)?;
    if attribute.is_empty() || RESERVED_ATTRIBUTES.contains(&attribute) {
        return Err(StoreError::Invalid(format!(
            "counter attribute {attribute:?} is empty or reserved for the store"
        )));
    }
    if !attribute
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(StoreError::Invalid(format!(
            "counter attribute {attribute:?}: letters, digits and '_' only"
        )));
    }
    Ok(())
}

/// A transaction: at most [`MAX_TRANSACTION_ITEMS`] writes, each one valid
/// ([`check_item`] or [`check_key`], then [`check_condition`]), each key
/// once. Writes are checked in order; the first fault is the error.
pub fn check_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.len() > MAX_TRANSACTION_ITEMS {
        return Err(StoreError::Invalid(format!(
            "a transaction holds at most {MAX_TRANSACTION_ITEMS} writes, not {}",
            writes.len()
        )));
    }
    let mut keys = HashSet::with_capacity(writes.len());
    for write in writes {
        let (key, condition) = match write {
            Write::Put { item, condition } => {
                check_item(item)?;
                (&item.key, condition)
            }
            Write::Delete { key, condition } | Write::Check { key, condition } => {
                check_key(key)?;
                (key, condition)
            }
        };
        check_condition(condition)?;
        if !keys.insert(key) {
            return Err(StoreError::Invalid(format!(
                "a transaction writes {}/{} more than once",
                key.pk, key.sk
            )));
        }
    }
    Ok(())
}

/// A query: the partition key as a table key's, and `Between` bounds in
/// order (DynamoDB refuses `BETWEEN` with a lower bound above the upper).
/// The cursor is the adapter's to check: its shape is the adapter's own.
pub fn check_query(request: &QueryRequest) -> Result<(), StoreError> {
    check_key_part(
        "the queried partition key",
        &request.pk,
        MAX_PARTITION_KEY_BYTES,
    )?;
    if let SortKeyCondition::Between(from, to) = &request.sk
        && from > to
    {
        return Err(StoreError::Invalid(format!(
            "BETWEEN bounds are reversed: {from:?} > {to:?}"
        )));
    }
    Ok(())
}

fn check_key_part(name: &str, value: &str, max_bytes: usize) -> Result<(), StoreError> {
    if value.is_empty() {
        return Err(StoreError::Invalid(format!("{name} is empty")));
    }
    if value.len() > max_bytes {
        return Err(StoreError::Invalid(format!(
            "{name} is {} bytes long (at most {max_bytes})",
            value.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::table::{IndexKey, test_item as item};
    use serde_json::json;

    /// The message of an `Invalid` error; anything else fails the test.
    fn invalid(result: Result<(), StoreError>) -> String {
        match result {
            Err(StoreError::Invalid(message)) => message,
            other => panic!("expected StoreError::Invalid, got {other:?}"),
        }
    }

    fn check(key: Key, condition: Condition) -> Write {
        Write::Check { key, condition }
    }

    #[test]
    fn keys_are_non_empty_and_within_dynamodb_limits() {
        assert!(check_key(&Key::new("P", "S")).is_ok());
        let longest = Key::new(
            "p".repeat(MAX_PARTITION_KEY_BYTES),
            "s".repeat(MAX_SORT_KEY_BYTES),
        );
        assert!(check_key(&longest).is_ok());
        assert_eq!(invalid(check_key(&Key::new("", "S"))), "pk is empty");
        assert_eq!(invalid(check_key(&Key::new("P", ""))), "sk is empty");
        assert_eq!(
            invalid(check_key(&Key::new(
                "p".repeat(MAX_PARTITION_KEY_BYTES + 1),
                "S"
            ))),
            "pk is 2049 bytes long (at most 2048)"
        );
        // Bytes, not characters: 513 two-byte characters are too many.
        assert_eq!(
            invalid(check_key(&Key::new("P", "é".repeat(513)))),
            "sk is 1026 bytes long (at most 1024)"
        );
    }

    #[test]
    fn items_follow_dynamodb() {
        assert!(check_item(&item("P", "S", json!({"name": "x"}))).is_ok());
        for bad in [
            item("", "S", json!({})),
            item("P", "", json!({})),
            item("P", "S", json!({"ttl": 1})),
            item("P", "S", json!({"gsi1pk": "x"})),
            item("P", &"s".repeat(MAX_SORT_KEY_BYTES + 1), json!({})),
            item(&"p".repeat(MAX_PARTITION_KEY_BYTES + 1), "S", json!({})),
            item("P", "S", json!({})).with_gsi1(IndexKey::new("", "x")),
            item("P", "S", json!({})).with_gsi2(IndexKey::new("G", "")),
        ] {
            assert!(
                matches!(check_item(&bad), Err(StoreError::Invalid(_))),
                "{bad:?}"
            );
        }
        let long_index_sk = item("P", "S", json!({}))
            .with_gsi1(IndexKey::new("G", "g".repeat(MAX_SORT_KEY_BYTES + 1)));
        assert_eq!(
            invalid(check_item(&long_index_sk)),
            "gsi1sk is 1025 bytes long (at most 1024)"
        );
        let empty_index_sk = item("P", "S", json!({})).with_gsi2(IndexKey::new("G", ""));
        assert_eq!(invalid(check_item(&empty_index_sk)), "gsi2sk is empty");
        for name in RESERVED_ATTRIBUTES {
            assert_eq!(
                invalid(check_item(&item("P", "S", json!({ name: "x" })))),
                format!("attribute name {name:?} is reserved for the store")
            );
        }
    }

    #[test]
    fn conditions_may_not_name_a_reserved_attribute() {
        for condition in [
            Condition::Always,
            Condition::NotExists,
            Condition::Exists,
            Condition::equals("version", 3),
        ] {
            assert!(check_condition(&condition).is_ok(), "{condition:?}");
        }
        for name in RESERVED_ATTRIBUTES {
            assert_eq!(
                invalid(check_condition(&Condition::equals(name, "x"))),
                format!("condition on reserved attribute {name:?}")
            );
        }
    }

    #[test]
    fn transactions_name_each_key_once() {
        assert!(check_transaction(&[]).is_ok());
        let key = Key::new("P", "S");
        let twice = [
            check(key.clone(), Condition::Exists),
            Write::Delete {
                key,
                condition: Condition::Always,
            },
        ];
        assert_eq!(
            invalid(check_transaction(&twice)),
            "a transaction writes P/S more than once"
        );
        // The same key in two partitions or two sort keys is two keys.
        let distinct = [
            check(Key::new("P", "S"), Condition::Exists),
            check(Key::new("Q", "S"), Condition::Exists),
            check(Key::new("P", "T"), Condition::Exists),
        ];
        assert!(check_transaction(&distinct).is_ok());
    }

    #[test]
    fn transactions_hold_at_most_100_writes() {
        let writes = |count: usize| -> Vec<Write> {
            (0..count)
                .map(|n| check(Key::new("P", n.to_string()), Condition::Exists))
                .collect()
        };
        assert!(check_transaction(&writes(MAX_TRANSACTION_ITEMS)).is_ok());
        assert_eq!(
            invalid(check_transaction(&writes(MAX_TRANSACTION_ITEMS + 1))),
            "a transaction holds at most 100 writes, not 101"
        );
    }

    #[test]
    fn transactions_check_each_write() {
        let good = check(Key::new("OK", "1"), Condition::Always);
        for (bad, message) in [
            (
                Write::Put {
                    item: item("P", "S", json!({"sk": "x"})),
                    condition: Condition::Always,
                },
                r#"attribute name "sk" is reserved for the store"#,
            ),
            (
                Write::Put {
                    item: item("P", "S", json!({})),
                    condition: Condition::equals("ttl", 1),
                },
                r#"condition on reserved attribute "ttl""#,
            ),
            (
                Write::Delete {
                    key: Key::new("", "S"),
                    condition: Condition::Always,
                },
                "pk is empty",
            ),
            (
                check(Key::new("P", "S"), Condition::equals("gsi1pk", "G")),
                r#"condition on reserved attribute "gsi1pk""#,
            ),
        ] {
            assert_eq!(invalid(check_transaction(&[good.clone(), bad])), message);
        }
        // The first fault in write order is the one reported.
        let faults = [
            check(Key::new("P", ""), Condition::Always),
            check(Key::new("OK", "1"), Condition::Always),
            check(Key::new("OK", "1"), Condition::Always),
        ];
        assert_eq!(invalid(check_transaction(&faults)), "sk is empty");
    }

    #[test]
    fn queries_name_a_partition_and_ordered_bounds() {
        for good in [
            QueryRequest::table("P"),
            QueryRequest::table("P").begins_with(""),
            QueryRequest::index(Index::Gsi2, "G").between("a", "a"),
            QueryRequest::table("P").between("a", "b"),
            QueryRequest::table("p".repeat(MAX_PARTITION_KEY_BYTES)),
        ] {
            assert!(check_query(&good).is_ok(), "{good:?}");
        }
        assert_eq!(
            invalid(check_query(&QueryRequest::table(""))),
            "the queried partition key is empty"
        );
        assert_eq!(
            invalid(check_query(&QueryRequest::index(
                Index::Gsi1,
                "p".repeat(MAX_PARTITION_KEY_BYTES + 1)
            ))),
            "the queried partition key is 2049 bytes long (at most 2048)"
        );
        assert_eq!(
            invalid(check_query(&QueryRequest::table("P").between("b", "a"))),
            r#"BETWEEN bounds are reversed: "b" > "a""#
        );
        // Bounds compare as the sort keys do: by UTF-8 bytes.
        assert!(check_query(&QueryRequest::table("P").between("Z", "a")).is_ok());
        assert!(check_query(&QueryRequest::table("P").between("é", "z")).is_err());
    }
}
