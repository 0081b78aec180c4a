//! The HTTP pieces every function shares: the problem+json mapping, the
//! JSON and query extractors with French errors, the session extractor and
//! cookie, and the layers around every router.

pub mod app;
pub mod cookie;
pub mod extract;
pub mod openapi;
pub mod problem;
pub mod session;

pub use app::{api_router, lambda_app};
pub use extract::{ApiJson, ApiQuery};
pub use session::Session;
