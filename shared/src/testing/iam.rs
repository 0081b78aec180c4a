//! Each function's IAM role, read from `template.yaml`, enforced on the
//! ports its tests run against: a store, object or mail call that the role
//! does not allow panics, naming the action, the resource and the role,
//! where AWS would answer `AccessDenied` in production. The embedded
//! adapters need no permission, so without this a grant missing from the
//! template would only show once deployed.
//!
//! The actions each port method needs are AWS's: a transaction needs the
//! action of each of its writes (`PutItem`, `DeleteItem`,
//! `ConditionCheckItem`), a query on an index needs `Query` on
//! `<table>/index/<name>`, `HeadObject` and ranged reads need `GetObject`,
//! and a presigned URL needs the action of the request it signs.
//!
//! Each grant a call uses is written to the folder named by
//! [`USAGE_DIR`] when it is set: `infra/checks/iam_usage.py` then fails on
//! a grant no test used (least privilege, the other way round).
//!
//! ```text
//! let services = iam::confine(&services, "quote");
//! ```

#![allow(clippy::panic, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use yaml_rust2::{Yaml, YamlLoader};

use crate::Services;
use crate::ports::blobs::{BlobError, BlobMeta, BlobStore, PresignedRequest};
use crate::ports::mailer::{Email, MailError, Mailer};
use crate::ports::table::{
    Condition, Item, Key, QueryPage, QueryRequest, StoreError, StoredItem, StoredPage, Table, Write,
};

/// `services` with its table, object store and mailer confined to what the
/// role of the function built as `binary` (its crate's name) allows.
pub fn confine(services: &Services, binary: &str) -> Services {
    let role = role_of(binary);
    let mut confined = services.clone();
    confined.table = Arc::new(ConfinedTable {
        inner: services.table.clone(),
        role: role.clone(),
    });
    confined.blobs = Arc::new(ConfinedBlobs {
        inner: services.blobs.clone(),
        role: role.clone(),
    });
    confined.mailer = Arc::new(ConfinedMailer {
        inner: services.mailer.clone(),
        role,
    });
    confined
}

/// What a call touches, to match against a statement's `Resource`.
#[derive(Debug)]
enum Target<'a> {
    Table,
    Index(&'a str),
    Object(&'a str),
    MailIdentity,
}

/// The allowed (action, resource) pairs of one role, the resources as the
/// template writes them once their tag is dropped (`Table.Arn`,
/// `${Table.Arn}/index/gsi1`, `${InvoicesBucket.Arn}/accounts/*`, ...).
#[derive(Debug)]
pub struct Role {
    name: String,
    grants: Vec<(String, String)>,
}

impl Role {
    /// The first statement's (action, resource) that allows the call.
    fn grant_for(&self, action: &str, target: &Target<'_>) -> Option<&(String, String)> {
        self.grants
            .iter()
            .find(|(granted, resource)| granted == action && covers(resource, target))
    }

    #[cfg(test)]
    fn allows(&self, action: &str, target: &Target<'_>) -> bool {
        self.grant_for(action, target).is_some()
    }

    fn require(&self, action: &str, target: Target<'_>) {
        match self.grant_for(action, &target) {
            Some((action, resource)) => record_use(&self.name, action, resource),
            None => panic!(
                "AccessDenied: template.yaml's {} does not allow {action} on {target:?}",
                self.name
            ),
        }
    }
}

/// The environment variable naming the folder where the grants the tests
/// use are written, for `infra/checks/iam_usage.py` (the test command sets
/// it; unset, nothing is written).
pub const USAGE_DIR: &str = "STVA_IAM_USAGE_DIR";

/// Appends `role<TAB>action<TAB>resource` to `<USAGE_DIR>/<pid>.tsv`, once
/// per grant and process.
fn record_use(role: &str, action: &str, resource: &str) {
    static RECORDED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let Some(dir) = std::env::var_os(USAGE_DIR) else {
        return;
    };
    let line = format!("{role}\t{action}\t{resource}\n");
    let mut recorded = RECORDED.lock().unwrap_or_else(PoisonError::into_inner);
    if recorded.contains(&line) {
        return;
    }
    let path = Path::new(&dir).join(format!("{}.tsv", std::process::id()));
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?
            .write_all(line.as_bytes())
    });
    if let Err(e) = written {
        panic!("{}: {e}", path.display());
    }
    recorded.insert(line);
}

fn covers(resource: &str, target: &Target<'_>) -> bool {
    match target {
        Target::Table => resource == "Table.Arn",
        Target::Index(name) => resource
            .strip_prefix("${Table.Arn}/index/")
            .is_some_and(|index| index == "*" || index == *name),
        Target::Object(key) => {
            resource
                .strip_prefix("${InvoicesBucket.Arn}/")
                .is_some_and(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => key.starts_with(prefix),
                    None => pattern == *key,
                })
        }
        Target::MailIdentity => resource.contains(":ses:") && resource.contains(":identity/"),
    }
}

/// The role of the function built as `binary`, parsed once per test binary.
pub fn role_of(binary: &str) -> Arc<Role> {
    static ROLES: OnceLock<HashMap<String, Arc<Role>>> = OnceLock::new();
    let roles = ROLES.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        roles_by_binary(&text)
    });
    roles
        .get(binary)
        .unwrap_or_else(|| panic!("template.yaml has no function built from the binary {binary}"))
        .clone()
}

/// Every function's role in the template, by the binary it is built from.
fn roles_by_binary(template: &str) -> HashMap<String, Arc<Role>> {
    let docs = YamlLoader::load_from_str(template).expect("template.yaml is YAML");
    let resources = &docs[0]["Resources"];
    let Some(resources) = resources.as_hash() else {
        panic!("template.yaml has no Resources");
    };
    let mut roles = HashMap::new();
    for function in resources.values() {
        if function["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let Some(binary) = function["Metadata"]["BuildProperties"]["Binary"].as_str() else {
            continue;
        };
        // `Role: !GetAtt XRole.Arn` reads as "XRole.Arn" once its tag is dropped.
        let Some(role_name) = function["Properties"]["Role"]
            .as_str()
            .and_then(|r| r.strip_suffix(".Arn"))
        else {
            panic!("the function built from {binary} has no `Role: !GetAtt <Role>.Arn`");
        };
        let role = &resources[&Yaml::String(role_name.to_owned())];
        roles.insert(
            binary.to_owned(),
            Arc::new(Role {
                name: role_name.to_owned(),
                grants: grants(role),
            }),
        );
    }
    roles
}

fn grants(role: &Yaml) -> Vec<(String, String)> {
    let mut grants = Vec::new();
    let policies = role["Properties"]["Policies"].as_vec().cloned();
    for policy in policies.unwrap_or_default() {
        for statement in policy["PolicyDocument"]["Statement"]
            .as_vec()
            .cloned()
            .unwrap_or_default()
        {
            if statement["Effect"].as_str() != Some("Allow") {
                continue;
            }
            for action in strings(&statement["Action"]) {
                for resource in strings(&statement["Resource"]) {
                    grants.push((action.clone(), resource));
                }
            }
        }
    }
    grants
}

/// A string, or each string of a list.
fn strings(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

struct ConfinedTable {
    inner: Arc<dyn Table>,
    role: Arc<Role>,
}

impl ConfinedTable {
    fn query_target<'a>(&self, request: &'a QueryRequest) -> Target<'a> {
        request
            .index
            .map_or(Target::Table, |index| Target::Index(index.name()))
    }
}

#[async_trait]
impl Table for ConfinedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.role.require("dynamodb:GetItem", Target::Table);
        self.inner.get(key).await
    }

    async fn get_stored(&self, key: &Key) -> Result<Option<StoredItem>, StoreError> {
        self.role.require("dynamodb:GetItem", Target::Table);
        self.inner.get_stored(key).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.role.require("dynamodb:PutItem", Target::Table);
        self.inner.put(item, condition).await
    }

    async fn delete(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        self.role.require("dynamodb:DeleteItem", Target::Table);
        self.inner.delete(key, condition).await
    }

    async fn query(&self, request: QueryRequest) -> Result<QueryPage, StoreError> {
        self.role
            .require("dynamodb:Query", self.query_target(&request));
        self.inner.query(request).await
    }

    async fn query_stored(&self, request: QueryRequest) -> Result<StoredPage, StoreError> {
        self.role
            .require("dynamodb:Query", self.query_target(&request));
        self.inner.query_stored(request).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        for write in &writes {
            let action = match write {
                Write::Put { .. } => "dynamodb:PutItem",
                Write::Delete { .. } => "dynamodb:DeleteItem",
                Write::Check { .. } => "dynamodb:ConditionCheckItem",
            };
            self.role.require(action, Target::Table);
        }
        self.inner.transact(writes).await
    }

    async fn put_many(&self, items: Vec<Item>) -> Result<(), StoreError> {
        self.role.require("dynamodb:BatchWriteItem", Target::Table);
        self.inner.put_many(items).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.role.require("dynamodb:BatchGetItem", Target::Table);
        self.inner.get_many(keys).await
    }

    async fn increment(&self, key: &Key, attribute: &str, by: u64) -> Result<u64, StoreError> {
        self.role.require("dynamodb:UpdateItem", Target::Table);
        self.inner.increment(key, attribute, by).await
    }
}

struct ConfinedBlobs {
    inner: Arc<dyn BlobStore>,
    role: Arc<Role>,
}

#[async_trait]
impl BlobStore for ConfinedBlobs {
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: u64,
        ttl: Duration,
    ) -> Result<PresignedRequest, BlobError> {
        self.role.require("s3:PutObject", Target::Object(key));
        self.inner
            .presign_put(key, content_type, content_length, ttl)
            .await
    }

    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> Result<PresignedRequest, BlobError> {
        self.role.require("s3:GetObject", Target::Object(key));
        self.inner.presign_get(key, ttl, download_name).await
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        self.role.require("s3:GetObject", Target::Object(key));
        self.inner.head(key).await
    }

    async fn read_prefix(&self, key: &str, len: u64) -> Result<Option<Vec<u8>>, BlobError> {
        self.role.require("s3:GetObject", Target::Object(key));
        self.inner.read_prefix(key, len).await
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        self.role.require("s3:GetObject", Target::Object(key));
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        self.role.require("s3:PutObject", Target::Object(key));
        self.inner.put(key, bytes, content_type).await
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        self.role.require("s3:DeleteObject", Target::Object(key));
        self.inner.delete(key).await
    }
}

struct ConfinedMailer {
    inner: Arc<dyn Mailer>,
    role: Arc<Role>,
}

#[async_trait]
impl Mailer for ConfinedMailer {
    async fn send(&self, email: &Email) -> Result<String, MailError> {
        self.role.require("ses:SendRawEmail", Target::MailIdentity);
        self.inner.send(email).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  QuoteRole:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: quote
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [dynamodb:GetItem, dynamodb:PutItem]
                Resource: !GetAtt Table.Arn
              - Effect: Allow
                Action: dynamodb:Query
                Resource: !Sub "${Table.Arn}/index/gsi1"
              - Effect: Allow
                Action: [s3:GetObject]
                Resource: !Sub "${InvoicesBucket.Arn}/accounts/*"
  QuoteFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildProperties: { Binary: quote }
    Properties:
      Role: !GetAtt QuoteRole.Arn
"#;

    #[test]
    fn a_role_allows_what_its_statements_grant_and_nothing_else() {
        let roles = roles_by_binary(TEMPLATE);
        let role = &roles["quote"];
        assert_eq!(role.name, "QuoteRole");
        assert!(role.allows("dynamodb:GetItem", &Target::Table));
        assert!(!role.allows("dynamodb:DeleteItem", &Target::Table));
        assert!(role.allows("dynamodb:Query", &Target::Index("gsi1")));
        assert!(!role.allows("dynamodb:Query", &Target::Index("gsi2")));
        assert!(!role.allows("dynamodb:Query", &Target::Table));
        assert!(role.allows("s3:GetObject", &Target::Object("accounts/a/invoices/1.pdf")));
        assert!(!role.allows("s3:GetObject", &Target::Object("uploads/1.pdf")));
        assert!(!role.allows("ses:SendRawEmail", &Target::MailIdentity));
    }

    #[test]
    fn every_function_of_the_template_has_a_role() {
        let functions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../functions");
        for entry in std::fs::read_dir(functions).expect("functions/") {
            let name = entry.expect("an entry").file_name();
            let role = role_of(&name.to_string_lossy());
            assert!(!role.grants.is_empty(), "{role:?}");
        }
    }
}
