//! The built frontend (`web/dist`) at `/`, with the single-page app's
//! `index.html` for every other path; unknown `/api` paths stay problem+json.

use std::path::Path;

use axum::Router;
use axum::response::Html;
use axum::routing::any;
use tower_http::services::{ServeDir, ServeFile};

async fn not_built() -> Html<&'static str> {
    Html(
        "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Portail STVA</title>\
         <body style=\"font-family:sans-serif;max-width:40rem;margin:3rem auto\">\
         <h1>Portail STVA</h1><p>L'interface web n'est pas encore construite. \
         Lancez <code>scripts/run.sh</code>, qui la construit, ou utilisez l'API sous \
         <a href=\"/api/health\">/api</a>.</p></body></html>",
    )
}

pub fn routes(web_dir: &Path) -> Router {
    let api_not_found = any(shared::http::app::not_found);
    let router = Router::new()
        .route("/api", api_not_found.clone())
        .route("/api/{*rest}", api_not_found);
    let index = web_dir.join("index.html");
    if index.exists() {
        router.fallback_service(ServeDir::new(web_dir).fallback(ServeFile::new(index)))
    } else {
        router.fallback(not_built)
    }
}
