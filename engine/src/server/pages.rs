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
pub const PAGES: [&str; 7] = ["index", "kiosk", "display", "clerk", "supervisor", "evaluator", "reports"];

/// Every file of `engine/web`, by its path under it (listed by `build.rs`).
pub const ASSETS: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

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

/// `/`, the pages, `/favicon.ico`, `/static/FILE` and `/voice/SET/CLIP.wav`, from the unpacked folder
/// `dir`; voice clips from the hall's own folder `voice` first, when it has one.
pub fn router(dir: &Path, voice: Option<&Path>) -> Router<App> {
    let shipped = dir.join("voice");
    let mut router = Router::new()
        .nest_service("/static", ServeDir::new(dir))
        .nest_service("/voice", ServeDir::new(voice.unwrap_or(&shipped)).fallback(ServeDir::new(&shipped)))
        .route_service("/", ServeFile::new(dir.join("index.html")))
        .route_service("/favicon.ico", ServeFile::new(dir.join("favicon.svg")))
        // The mobile ticket: one page for every capability; the page's `follow` checks it.
        .route_service("/t/{capability}", ServeFile::new(dir.join("ticket.html")));
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
    ([(header::CONTENT_TYPE, "application/json")], app.texts.read().unwrap_or_else(|p| p.into_inner()).to_string())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_and_the_default_voice_clips_are_embedded() {
        let embedded: Vec<&str> = ASSETS.iter().map(|(f, _)| *f).collect();
        for page in PAGES {
            assert!(embedded.contains(&format!("{page}.html").as_str()), "{page}.html");
        }
        for clip in ["voice/zh/qing.wav", "voice/zh/9.wav", "voice/zh/E.wav", "voice/en/please_go_to_window.wav"] {
            assert!(embedded.contains(&clip), "{clip}");
        }
    }

    #[test]
    fn unpacking_writes_what_differs_and_leaves_the_rest() {
        let dir = std::env::temp_dir().join(format!("onewindow-web-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        unpack(&dir).expect("unpacks");
        for (file, body) in ASSETS {
            assert_eq!(std::fs::read(dir.join(file)).expect("written"), *body, "{file}");
        }
        let kiosk = dir.join("kiosk.html");
        let before = std::fs::metadata(&kiosk).and_then(|m| m.modified()).expect("mtime");
        std::fs::write(dir.join("style.css"), "stale").expect("write");
        std::thread::sleep(std::time::Duration::from_millis(20));
        unpack(&dir).expect("unpacks again");
        assert_eq!(std::fs::metadata(&kiosk).and_then(|m| m.modified()).expect("mtime"), before, "unchanged file kept");
        assert_ne!(std::fs::read(dir.join("style.css")).expect("css"), b"stale", "changed file rewritten");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
