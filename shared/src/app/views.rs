//! What the API returns about users and sessions (never a password hash).

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{Role, UserStatus};
use crate::repo::accounts::Account;
use crate::repo::users::User;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    /// `null` for managers.
    #[schema(required = true)]
    pub account_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_login_at: Option<OffsetDateTime>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            status: user.status,
            account_id: user.account_id.clone(),
            created_at: user.created_at,
            last_login_at: user.last_login_at,
        }
    }
}

/// `GET /api/me` and the `user` of a sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MeView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// `null` for managers.
    #[schema(required = true)]
    pub account_id: Option<String>,
    #[schema(required = true)]
    pub account_name: Option<String>,
}

/// A new session: the token also goes into the cookie.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SessionGrant {
    pub token: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub user: MeView,
}

/// A customer account as the API shows it (who created it stays internal).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub siret: Option<String>,
    #[schema(required = true)]
    pub billing_email: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Account> for AccountView {
    fn from(account: Account) -> Self {
        Self {
            id: account.id,
            name: account.name,
            siret: account.siret,
            billing_email: account.billing_email,
            created_at: account.created_at,
        }
    }
}

/// How many users an account has, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserCounts {
    pub invited: u32,
    pub active: u32,
    pub disabled: u32,
}

/// Which stock feed an account is connected to (never its settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StockConnectionSummary {
    #[schema(value_type = crate::stock::connectors::Provider)]
    pub provider: String,
}

/// The account's latest stock sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LastSyncSummary {
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub finished_at: Option<OffsetDateTime>,
    #[schema(required = true, value_type = Option<crate::app::stock_sync::SyncStatus>)]
    pub status: Option<String>,
}

/// The account's orders: `count` stops at a cap (`count_capped` then).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OrderCounts {
    pub count: u32,
    pub count_capped: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_order_at: Option<OffsetDateTime>,
}

/// An account in the managers' overview (`GET /api/accounts`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AccountOverview {
    #[serde(flatten)]
    pub account: AccountView,
    pub users: UserCounts,
    #[schema(required = true)]
    pub stock_connection: Option<StockConnectionSummary>,
    #[schema(required = true)]
    pub last_sync: Option<LastSyncSummary>,
    pub orders: OrderCounts,
}
