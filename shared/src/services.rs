//! The dependencies of every use case, built once per cold start (or once
//! per dev server) and shared by reference.

use std::sync::Arc;

use crate::config::Config;
use crate::ports::erp::Erp;
use crate::ports::{BlobStore, Clock, Mailer, Table};
use crate::repo::accounts::Accounts;
use crate::repo::addresses::Addresses;
use crate::repo::link_tokens::LinkTokens;
use crate::repo::login_attempts::LoginAttemptsRepo;
use crate::repo::orders::Orders;
use crate::repo::stock_connections::StockConnections;
use crate::repo::users::Users;
use crate::repo::vehicles::Vehicles;
use crate::security::session_tokens::SessionTokens;

#[derive(Clone)]
pub struct Services {
    pub table: Arc<dyn Table>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub erp: Arc<dyn Erp>,
    pub tokens: Arc<SessionTokens>,
    pub config: Arc<Config>,
}

impl Services {
    pub fn accounts(&self) -> Accounts {
        Accounts::new(self.table.clone())
    }

    pub fn users(&self) -> Users {
        Users::new(self.table.clone())
    }

    pub fn addresses(&self) -> Addresses {
        Addresses::new(self.table.clone())
    }

    pub fn link_tokens(&self) -> LinkTokens {
        LinkTokens::new(self.table.clone())
    }

    pub fn orders(&self) -> Orders {
        Orders::new(self.table.clone())
    }

    pub fn vehicles(&self) -> Vehicles {
        Vehicles::new(self.table.clone())
    }

    pub fn stock_connections(&self) -> StockConnections {
        StockConnections::new(self.table.clone())
    }

    pub fn login_attempts(&self) -> LoginAttemptsRepo {
        LoginAttemptsRepo::new(self.table.clone())
    }
}
