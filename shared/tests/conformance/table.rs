//! The `Table` port's contract, run against every adapter.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use shared::ports::table::{
    Condition, Index, IndexKey, Item, Key, QueryRequest, StoreError, StoredAttrs, Table, Write,
};

fn attrs(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn item(pk: &str, sk: &str, value: Value) -> Item {
    Item::new(Key::new(pk, sk), attrs(value))
}

async fn all_sort_keys(table: &dyn Table, request: QueryRequest) -> Vec<String> {
    let page = table.query(request).await.expect("query");
    page.items.into_iter().map(|i| i.key.sk).collect()
}

pub async fn round_trips_an_item(table: Arc<dyn Table>) {
    let stored = item(
        "ACCOUNT#1",
        "ADDRESS#a",
        json!({
            "label": "Dépôt de Lyon — Citroën Škoda",
            "count": 42,
            "ratio_bp": -7,
            "active": true,
            "nothing": null,
            "tags": ["a", "b"],
            "nested": { "x": 1, "y": "deux" },
            "empty": ""
        }),
    )
    .with_gsi1(IndexKey::new("G1", "g1sort"))
    .with_gsi2(IndexKey::new("G2", "g2sort"))
    .with_expiry(4_102_444_800);
    table
        .put(stored.clone(), Condition::Always)
        .await
        .expect("put");
    let read = table.get(&stored.key).await.expect("get");
    assert_eq!(read, Some(stored));
}

pub async fn missing_item_is_none(table: Arc<dyn Table>) {
    let read = table.get(&Key::new("NOPE", "NOPE")).await.expect("get");
    assert_eq!(read, None);
}

pub async fn put_replaces_the_whole_item(table: Arc<dyn Table>) {
    let first = item("P", "S", json!({"a": 1, "b": 2})).with_gsi1(IndexKey::new("G", "1"));
    table.put(first, Condition::Always).await.expect("put");
    let second = item("P", "S", json!({"a": 3}));
    table
        .put(second.clone(), Condition::Always)
        .await
        .expect("put");
    assert_eq!(table.get(&second.key).await.expect("get"), Some(second));
    let in_index = table
        .query(QueryRequest::index(Index::Gsi1, "G"))
        .await
        .expect("query");
    assert!(
        in_index.items.is_empty(),
        "a replaced item leaves its old index entry"
    );
}

pub async fn not_exists_condition_guards_creation(table: Arc<dyn Table>) {
    let first = item("EMAIL#a@b.fr", "EMAIL", json!({"user_id": "1"}));
    table
        .put(first.clone(), Condition::NotExists)
        .await
        .expect("first put");
    let second = item("EMAIL#a@b.fr", "EMAIL", json!({"user_id": "2"}));
    let err = table
        .put(second, Condition::NotExists)
        .await
        .expect_err("duplicate");
    assert!(matches!(err, StoreError::ConditionFailed { .. }), "{err:?}");
    assert_eq!(table.get(&first.key).await.expect("get"), Some(first));
}

pub async fn exists_and_equals_conditions(table: Arc<dyn Table>) {
    let key = Key::new("ORDER#1", "ORDER");
    let err = table
        .put(item("ORDER#1", "ORDER", json!({"v": 1})), Condition::Exists)
        .await
        .expect_err("exists on missing");
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    assert_eq!(table.get(&key).await.expect("get"), None);

    let v1 = item(
        "ORDER#1",
        "ORDER",
        json!({"version": 1, "status": "quoted"}),
    );
    table.put(v1, Condition::NotExists).await.expect("create");
    let v2 = item(
        "ORDER#1",
        "ORDER",
        json!({"version": 2, "status": "validated"}),
    );
    table
        .put(v2.clone(), Condition::equals("version", 1))
        .await
        .expect("version 1 matches");
    let stale = item(
        "ORDER#1",
        "ORDER",
        json!({"version": 2, "status": "cancelled"}),
    );
    let err = table
        .put(stale, Condition::equals("version", 1))
        .await
        .expect_err("stale version");
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    let err = table
        .put(v2.clone(), Condition::equals("status", "quoted"))
        .await
        .expect_err("status is no longer quoted");
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    table
        .put(v2.clone(), Condition::equals("status", "validated"))
        .await
        .expect("string equality");
    let err = table
        .put(v2.clone(), Condition::equals("missing_attribute", 1))
        .await
        .expect_err("missing attribute never equals");
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    assert_eq!(table.get(&key).await.expect("get"), Some(v2));
}

pub async fn delete_honours_conditions(table: Arc<dyn Table>) {
    let stored = item("T", "1", json!({"used": false}));
    table
        .put(stored.clone(), Condition::Always)
        .await
        .expect("put");
    let err = table
        .delete(&stored.key, Condition::equals("used", true))
        .await
        .expect_err("condition false");
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    assert!(table.get(&stored.key).await.expect("get").is_some());
    table
        .delete(&stored.key, Condition::equals("used", false))
        .await
        .expect("delete");
    assert_eq!(table.get(&stored.key).await.expect("get"), None);
    let err = table
        .delete(&stored.key, Condition::Exists)
        .await
        .expect_err("already gone");
    assert!(matches!(err, StoreError::ConditionFailed { .. }));
    table
        .delete(&stored.key, Condition::Always)
        .await
        .expect("deleting nothing is fine");
}

pub async fn query_filters_and_orders_sort_keys(table: Arc<dyn Table>) {
    for sk in [
        "USER#b",
        "ADDRESS#2",
        "ADDRESS#1",
        "ADDRESS#10",
        "ACCOUNT",
        "ADDRESSX",
    ] {
        table
            .put(item("ACCOUNT#1", sk, json!({})), Condition::Always)
            .await
            .expect("put");
    }
    table
        .put(item("ACCOUNT#2", "ADDRESS#1", json!({})), Condition::Always)
        .await
        .expect("put other account");

    let addresses = all_sort_keys(
        table.as_ref(),
        QueryRequest::table("ACCOUNT#1").begins_with("ADDRESS#"),
    )
    .await;
    assert_eq!(addresses, ["ADDRESS#1", "ADDRESS#10", "ADDRESS#2"]);

    let newest_first = all_sort_keys(
        table.as_ref(),
        QueryRequest::table("ACCOUNT#1")
            .begins_with("ADDRESS#")
            .descending(),
    )
    .await;
    assert_eq!(newest_first, ["ADDRESS#2", "ADDRESS#10", "ADDRESS#1"]);

    let everything = all_sort_keys(table.as_ref(), QueryRequest::table("ACCOUNT#1")).await;
    assert_eq!(
        everything,
        [
            "ACCOUNT",
            "ADDRESS#1",
            "ADDRESS#10",
            "ADDRESS#2",
            "ADDRESSX",
            "USER#b"
        ]
    );

    let range = all_sort_keys(
        table.as_ref(),
        QueryRequest::table("ACCOUNT#1").between("ADDRESS#1", "ADDRESS#2"),
    )
    .await;
    assert_eq!(range, ["ADDRESS#1", "ADDRESS#10", "ADDRESS#2"]);

    let none = all_sort_keys(table.as_ref(), QueryRequest::table("ACCOUNT#3")).await;
    assert!(none.is_empty());
}

pub async fn query_pages_with_cursors(table: Arc<dyn Table>) {
    for n in 0..7 {
        table
            .put(
                item("P", &format!("ITEM#{n:02}"), json!({"n": n})),
                Condition::Always,
            )
            .await
            .expect("put");
    }
    for descending in [false, true] {
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let mut request = QueryRequest::table("P")
                .begins_with("ITEM#")
                .limit(3)
                .after(cursor);
            if descending {
                request = request.descending();
            }
            let page = table.query(request).await.expect("query");
            assert!(page.items.len() <= 3);
            seen.extend(page.items.into_iter().map(|i| i.key.sk));
            pages += 1;
            assert!(pages <= 4, "pagination does not end");
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut expected: Vec<String> = (0..7).map(|n| format!("ITEM#{n:02}")).collect();
        if descending {
            expected.reverse();
        }
        assert_eq!(seen, expected, "descending={descending}");
    }
    let err = table
        .query(QueryRequest::table("P").after(Some("not a cursor".into())))
        .await
        .expect_err("garbage cursor");
    assert!(matches!(err, StoreError::InvalidCursor), "{err:?}");
}

pub async fn index_queries(table: Arc<dyn Table>) {
    let users = [("u1", "zoe@a.fr"), ("u2", "alice@a.fr"), ("u3", "bob@a.fr")];
    for (id, email) in users {
        table
            .put(
                item(&format!("USER#{id}"), "USER", json!({"email": email}))
                    .with_gsi1(IndexKey::new("ACCOUNT#1#USERS", email)),
                Condition::Always,
            )
            .await
            .expect("put");
    }
    table
        .put(
            item("USER#u4", "USER", json!({"email": "x@b.fr"}))
                .with_gsi1(IndexKey::new("ACCOUNT#2#USERS", "x@b.fr"))
                .with_gsi2(IndexKey::new("MANAGERS", "x")),
            Condition::Always,
        )
        .await
        .expect("put");
    table
        .put(item("USER#u5", "USER", json!({})), Condition::Always)
        .await
        .expect("put without index keys");

    let page = table
        .query(QueryRequest::index(Index::Gsi1, "ACCOUNT#1#USERS"))
        .await
        .expect("query");
    let emails: Vec<_> = page
        .items
        .iter()
        .map(|i| i.attrs["email"].clone())
        .collect();
    assert_eq!(
        emails,
        [json!("alice@a.fr"), json!("bob@a.fr"), json!("zoe@a.fr")]
    );
    assert_eq!(page.items[0].key, Key::new("USER#u2", "USER"));

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = table
            .query(
                QueryRequest::index(Index::Gsi1, "ACCOUNT#1#USERS")
                    .limit(2)
                    .descending()
                    .after(cursor),
            )
            .await
            .expect("paged index query");
        seen.extend(page.items.into_iter().map(|i| i.key.pk));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["USER#u1", "USER#u3", "USER#u2"]);

    let managers = table
        .query(QueryRequest::index(Index::Gsi2, "MANAGERS").begins_with("x"))
        .await
        .expect("gsi2");
    assert_eq!(managers.items.len(), 1);
    assert_eq!(managers.items[0].key.pk, "USER#u4");
}

pub async fn transactions_are_all_or_nothing(table: Arc<dyn Table>) {
    table
        .put(
            item("EMAIL#taken@a.fr", "EMAIL", json!({"user_id": "old"})),
            Condition::Always,
        )
        .await
        .expect("seed");
    let user = item("USER#new", "USER", json!({"email": "taken@a.fr"}));
    let err = table
        .transact(vec![
            Write::Put {
                item: user.clone(),
                condition: Condition::NotExists,
            },
            Write::Put {
                item: item("EMAIL#taken@a.fr", "EMAIL", json!({"user_id": "new"})),
                condition: Condition::NotExists,
            },
        ])
        .await
        .expect_err("e-mail taken");
    assert!(
        matches!(err, StoreError::ConditionFailed { index: Some(1) }),
        "{err:?}"
    );
    assert_eq!(
        table.get(&user.key).await.expect("get"),
        None,
        "rolled back"
    );

    let token = item("TOKEN#h", "TOKEN", json!({"used": false}));
    table
        .put(token.clone(), Condition::Always)
        .await
        .expect("seed token");
    table
        .transact(vec![
            Write::Put {
                item: user.clone(),
                condition: Condition::NotExists,
            },
            Write::Delete {
                key: token.key.clone(),
                condition: Condition::equals("used", false),
            },
            Write::Check {
                key: Key::new("EMAIL#taken@a.fr", "EMAIL"),
                condition: Condition::Exists,
            },
        ])
        .await
        .expect("transaction");
    assert_eq!(table.get(&user.key).await.expect("get"), Some(user));
    assert_eq!(table.get(&token.key).await.expect("get"), None);

    let err = table
        .transact(vec![
            Write::Put {
                item: item("A", "1", json!({})),
                condition: Condition::Always,
            },
            Write::Check {
                key: Key::new("MISSING", "X"),
                condition: Condition::Exists,
            },
        ])
        .await
        .expect_err("check fails");
    assert!(matches!(
        err,
        StoreError::ConditionFailed { index: Some(1) }
    ));
    assert_eq!(table.get(&Key::new("A", "1")).await.expect("get"), None);
}

pub async fn put_many_and_get_many(table: Arc<dyn Table>) {
    let items: Vec<Item> = (0..60)
        .map(|n| item("STOCK", &format!("V#{n:03}"), json!({"n": n})))
        .collect();
    table.put_many(items.clone()).await.expect("put_many");
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = table
            .query(QueryRequest::table("STOCK").limit(25).after(cursor))
            .await
            .expect("query");
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(all, items);

    let mut keys: Vec<Key> = items.iter().step_by(7).map(|i| i.key.clone()).collect();
    keys.push(Key::new("STOCK", "V#999"));
    let mut got = table.get_many(&keys).await.expect("get_many");
    got.sort_by(|a, b| a.key.sk.cmp(&b.key.sk));
    let expected: Vec<Item> = items.iter().step_by(7).cloned().collect();
    assert_eq!(got, expected);
    assert!(table.get_many(&[]).await.expect("empty").is_empty());
}

pub async fn concurrent_creates_have_one_winner(table: Arc<dyn Table>) {
    let mut tasks = Vec::new();
    for n in 0..20 {
        let table = table.clone();
        tasks.push(tokio::spawn(async move {
            table
                .put(
                    item("RACE", "ONE", json!({"winner": n})),
                    Condition::NotExists,
                )
                .await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(()) => wins += 1,
            Err(StoreError::ConditionFailed { .. }) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(wins, 1);
}

pub async fn concurrent_versioned_updates_lose_nothing(table: Arc<dyn Table>) {
    table
        .put(
            item("COUNTER", "C", json!({"version": 0})),
            Condition::Always,
        )
        .await
        .expect("seed");
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let table = table.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let current = table
                    .get(&Key::new("COUNTER", "C"))
                    .await
                    .expect("get")
                    .expect("exists");
                let version = current.attrs["version"].as_i64().expect("number");
                let next = item("COUNTER", "C", json!({"version": version + 1}));
                match table.put(next, Condition::equals("version", version)).await {
                    Ok(()) => break,
                    Err(StoreError::ConditionFailed { .. }) => continue,
                    Err(other) => panic!("unexpected error {other:?}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("join");
    }
    let last = table
        .get(&Key::new("COUNTER", "C"))
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(last.attrs["version"], json!(10));
}

pub async fn increments_create_count_and_keep_the_rest(table: Arc<dyn Table>) {
    let counter = Key::new("COUNTER#T", "COUNTER");
    assert_eq!(
        table.increment(&counter, "value", 1).await.expect("create"),
        1
    );
    assert_eq!(table.increment(&counter, "value", 2).await.expect("add"), 3);
    let read = table.get(&counter).await.expect("get").expect("created");
    assert_eq!(read.attrs.get("value"), Some(&json!(3)));

    // An existing item keeps its other attributes, index keys and expiry.
    let stored = item("P", "S", json!({"label": "garde", "value": 41}))
        .with_gsi1(IndexKey::new("G", "1"))
        .with_expiry(4_102_444_800);
    table
        .put(stored.clone(), Condition::Always)
        .await
        .expect("put");
    assert_eq!(
        table.increment(&stored.key, "value", 1).await.expect("add"),
        42
    );
    let mut expected = stored.clone();
    expected.attrs.insert("value".into(), json!(42));
    assert_eq!(
        table.get(&stored.key).await.expect("get"),
        Some(expected.clone())
    );

    // A text attribute is not a counter: refused, and nothing changes.
    let refused = table.increment(&stored.key, "label", 1).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(table.get(&stored.key).await.expect("get"), Some(expected));
}

pub async fn concurrent_increments_are_all_distinct(table: Arc<dyn Table>) {
    let counter = Key::new("COUNTER#RACE", "COUNTER");
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let table = table.clone();
            let counter = counter.clone();
            tokio::spawn(async move { table.increment(&counter, "value", 1).await })
        })
        .collect();
    let mut values = Vec::new();
    for task in tasks {
        values.push(task.await.expect("task").expect("increment"));
    }
    values.sort_unstable();
    assert_eq!(values, (1..=16).collect::<Vec<u64>>());
}

pub async fn stored_pages_match_query_pages(table: Arc<dyn Table>) {
    let items: Vec<Item> = (0..5)
        .map(|n| {
            item(
                "LIST",
                &format!("S#{n}"),
                json!({"n": n, "label": format!("é{n}")}),
            )
            .with_gsi1(IndexKey::new("LISTED", format!("{}", 9 - n)))
        })
        .collect();
    table.put_many(items).await.expect("put_many");
    for request in [
        QueryRequest::table("LIST").limit(2),
        QueryRequest::index(Index::Gsi1, "LISTED")
            .descending()
            .limit(3),
    ] {
        let mut cursor = None;
        loop {
            let request = request.clone().after(cursor.clone());
            let page = table.query(request.clone()).await.expect("query");
            let stored = table.query_stored(request).await.expect("query_stored");
            assert_eq!(stored.next_cursor, page.next_cursor);
            assert_eq!(stored.items.len(), page.items.len());
            for (stored, item) in stored.items.into_iter().zip(page.items) {
                assert_eq!(stored.key, item.key);
                let attrs: Map<String, Value> = match stored.attrs {
                    StoredAttrs::Json(text) => serde_json::from_str(&text).expect("JSON object"),
                    StoredAttrs::Map(map) => map,
                };
                assert_eq!(attrs, item.attrs);
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
    }
}
