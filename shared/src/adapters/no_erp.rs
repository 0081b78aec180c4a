//! The ERP when none is configured (`STVA_ERP_URL` unset, or a test that
//! prices nothing): every call fails as "unavailable", with the reason.

use async_trait::async_trait;

use crate::ports::erp::{ChangePage, Erp, ErpError, ErpOrder, Estimate, EstimateRequest};

pub struct NoErp {
    pub reason: &'static str,
}

impl NoErp {
    fn fail(&self) -> ErpError {
        ErpError::Unavailable(self.reason.to_owned())
    }
}

#[async_trait]
impl Erp for NoErp {
    async fn estimate(&self, _: &EstimateRequest) -> Result<Estimate, ErpError> {
        Err(self.fail())
    }

    async fn create_order(&self, _: &str, _: &str, _: &str) -> Result<ErpOrder, ErpError> {
        Err(self.fail())
    }

    async fn order(&self, _: &str) -> Result<ErpOrder, ErpError> {
        Err(self.fail())
    }

    async fn cancel_order(&self, _: &str, _: &str) -> Result<ErpOrder, ErpError> {
        Err(self.fail())
    }

    async fn changes(&self, _: Option<&str>, _: u32) -> Result<ChangePage, ErpError> {
        Err(self.fail())
    }
}
