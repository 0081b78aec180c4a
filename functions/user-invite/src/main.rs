//! Lambda entry point: build the services once per cold start, then serve.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let services = shared::runtime::lambda_services().await?;
    lambda_http::run(shared::http::lambda_app(
        user_invite::lambda_routes(),
        services,
    ))
    .await
}
