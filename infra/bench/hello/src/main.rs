//! The cold-start floor: the smallest lambda_http function, built with the
//! same profile as the portal's functions (`scripts/bench.sh`).

use lambda_http::{Body, Error, Request, Response, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|_request: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
