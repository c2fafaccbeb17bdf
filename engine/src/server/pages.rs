//! The terminals' pages, embedded in the binary (no build step, nothing else to deploy), and the
//! hall's display and voice texts at `/api/texts`.

use super::App;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

const INDEX: &str = r#"<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>onewindow</title>
<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>onewindow</h1><ul style="font-size:28px">
<li><a style="color:#ffcc33" href="/kiosk">取号机 Kiosk</a></li>
<li><a style="color:#ffcc33" href="/display">叫号屏 Hall display</a> · <a style="color:#ffcc33" href="/display?window=1">窗口屏 Window display</a></li>
<li><a style="color:#ffcc33" href="/clerk">窗口 Clerk console</a></li>
<li><a style="color:#ffcc33" href="/supervisor">值班长 Supervisor wall</a></li></ul>
<p>Each page asks once for its device token (demo: <code>onewindow-data/demo-tokens.txt</code>).</p></main></body></html>"#;

/// `GET /`: links to the four pages.
pub async fn index() -> Html<&'static str> {
    Html(INDEX)
}

/// `GET /kiosk`, `/display`, `/clerk`, `/supervisor`.
pub async fn page(Path(name): Path<String>) -> Response {
    let html = match name.as_str() {
        "kiosk" => include_str!("../../web/kiosk.html"),
        "display" => include_str!("../../web/display.html"),
        "clerk" => include_str!("../../web/clerk.html"),
        "supervisor" => include_str!("../../web/supervisor.html"),
        _ => return (StatusCode::NOT_FOUND, "no such page\n").into_response(),
    };
    Html(html).into_response()
}

/// `GET /static/FILE`.
pub async fn asset(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "common.js" => (include_str!("../../web/common.js"), "text/javascript; charset=utf-8"),
        "view.js" => (include_str!("../../web/view.js"), "text/javascript; charset=utf-8"),
        "kiosk.js" => (include_str!("../../web/kiosk.js"), "text/javascript; charset=utf-8"),
        "display.js" => (include_str!("../../web/display.js"), "text/javascript; charset=utf-8"),
        "clerk.js" => (include_str!("../../web/clerk.js"), "text/javascript; charset=utf-8"),
        "supervisor.js" => (include_str!("../../web/supervisor.js"), "text/javascript; charset=utf-8"),
        "style.css" => (include_str!("../../web/style.css"), "text/css; charset=utf-8"),
        _ => return (StatusCode::NOT_FOUND, "no such file\n").into_response(),
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// `GET /api/texts`: the hall's languages and their call templates, the first the default.
pub async fn texts(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], app.texts.to_string()).into_response()
}
