//! Lambda entry point: build the services once per cold start, then sync
//! on every scheduled event.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let services = shared::runtime::lambda_services().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let services = services.clone();
        async move { stock_sync::handle(&services, event).await }
    }))
    .await
}
