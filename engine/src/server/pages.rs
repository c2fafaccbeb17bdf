//! The terminals' pages, embedded in the binary (nothing else to deploy) and unpacked at start into the
//! data directory's `web/` folder, from where tower-http serves them: gzip for whoever accepts it,
//! `Last-Modified` and `304 Not Modified` for a terminal that already has the file (`Cache-Control:
//! no-cache`: always revalidated, so a new binary's pages are taken at the next load). A file is only
//! rewritten when its content changed, so its date (the validator) survives restarts.
//! Also the hall's display and voice texts at `/api/texts`.

use super::App;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::Path;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The pages at `/NAME` (served from `NAME.html`).
pub const PAGES: [&str; 6] = ["index", "kiosk", "display", "clerk", "supervisor", "evaluator"];

macro_rules! assets {
    ($($file:literal),* $(,)?) => { &[$(($file, include_bytes!(concat!("../../web/", $file)))),*] };
}

/// Every file of the terminals, by its path under `web/`.
pub const ASSETS: &[(&str, &[u8])] = assets![
    "index.html",
    "kiosk.html",
    "display.html",
    "clerk.html",
    "supervisor.html",
    "evaluator.html",
    "common.js",
    "view.js",
    "voice.js",
    "kiosk.js",
    "display.js",
    "clerk.js",
    "supervisor.js",
    "evaluator.js",
    "style.css",
    "favicon.svg",
];

/// Writes the embedded files into `dir`, each only if missing or different.
pub fn unpack(dir: &Path) -> std::io::Result<()> {
    for (file, body) in ASSETS {
        let path = dir.join(file);
        if std::fs::read(&path).is_ok_and(|old| old == *body) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Written aside then renamed: a page load never sees half a file.
        let aside = path.with_extension("part");
        std::fs::write(&aside, body)?;
        std::fs::rename(&aside, &path)?;
    }
    Ok(())
}

/// `/`, the pages, `/favicon.ico` and `/static/FILE`, from the unpacked folder `dir`.
pub fn router(dir: &Path) -> Router<App> {
    let mut router = Router::new()
        .nest_service("/static", ServeDir::new(dir))
        .route_service("/", ServeFile::new(dir.join("index.html")))
        .route_service("/favicon.ico", ServeFile::new(dir.join("favicon.svg")));
    for page in PAGES {
        router = router.route_service(&format!("/{page}"), ServeFile::new(dir.join(format!("{page}.html"))));
    }
    router
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .layer(CompressionLayer::new())
}

/// `GET /api/texts`: the hall's languages and their call templates (the first the default) and the
/// terminals' settings.
pub async fn texts(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], app.texts.to_string()).into_response()
}
