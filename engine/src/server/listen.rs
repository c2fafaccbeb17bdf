//! The accept loop, written out instead of `axum::serve` so that every connection is bounded:
//!
//! - admission per TCP connection at accept (overall, per address, not-yet-authenticated per address),
//!   so partial requests and idle sockets are capped like WebSockets, and refused at once;
//! - an HTTP header read timeout ([`HEADER_WITHIN`]), which also closes idle keep-alive connections;
//! - accept errors (out of file descriptors) are logged and paced, never dropped silently;
//! - on stop, connections get [`GRACE`] to finish, then are dropped, so the process always exits.

use super::guard::{Admission, Ticket};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower_service::Service;

/// A request must arrive whole (request line and headers) within this; an idle connection is closed
/// after it too.
pub const HEADER_WITHIN: Duration = Duration::from_secs(10);
/// On stop, how long connections still being answered may take.
pub const GRACE: Duration = Duration::from_secs(3);
/// After an accept error (e.g. no file descriptor left), wait this long before accepting again.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);
/// Refusals and accept errors are logged at most this often (with a count), so a flood cannot fill the log.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// The connection's admission, for the `/ws` handler: a WebSocket keeps it until it closes.
#[derive(Clone)]
pub struct Admitted(pub Arc<Ticket>);

/// Counts events and logs them at most once per [`LOG_EVERY`].
struct Throttled {
    what: &'static str,
    count: u64,
    last: Option<Instant>,
}

impl Throttled {
    fn new(what: &'static str) -> Throttled {
        Throttled { what, count: 0, last: None }
    }

    fn note(&mut self, detail: &dyn std::fmt::Display) {
        self.count += 1;
        if self.last.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
            tracing::warn!(count = self.count, detail = %detail, "{}", self.what);
            self.count = 0;
            self.last = Some(Instant::now());
        }
    }
}

/// Serves `router` on `listener` until `stop` turns true; returns when every connection has ended or
/// was dropped after [`GRACE`].
pub async fn serve(listener: TcpListener, router: Router, admission: Admission, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut refused = Throttled::new("connections refused: over the connection caps");
    let mut failed = Throttled::new("cannot accept connections (file descriptors exhausted?)");
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Some(ticket) = admission.admit(peer.ip()) else {
                        refused.note(&peer.ip());
                        drop(stream);
                        continue;
                    };
                    // Calls are small frames that must leave at once: no Nagle delay.
                    let _ = stream.set_nodelay(true);
                    connections.spawn(connection(stream, peer, Arc::new(ticket), router.clone(), stop.clone()));
                }
                Err(e) => {
                    failed.note(&e);
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = stopped(&mut stop) => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(GRACE + Duration::from_secs(1), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(left = connections.len(), "connections still open at stop; dropping them");
        connections.shutdown().await;
    }
}

/// One TCP connection: HTTP/1.1 with upgrades, bounded in time.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    ticket: Arc<Ticket>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(axum::body::Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(Admitted(ticket.clone()));
        let mut router = router.clone();
        async move { router.call(request).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_WITHIN);
    let conn = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        }
        _ = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(GRACE, conn).await;
        }
    }
}

/// Resolves once the server is stopping (the guard `wait_for` returns is not `Send`; this drops it).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Raises the soft limit on open files to the hard limit (a hall holds thousands of sockets) and
/// returns how many connections fit, keeping `reserve` descriptors for the ledger, logs and accepting.
pub fn raise_file_limit(reserve: u64) -> Option<usize> {
    let (soft, hard) = rlimit::Resource::NOFILE.get().ok()?;
    let soft = if soft < hard {
        match rlimit::Resource::NOFILE.set(hard, hard) {
            Ok(()) => hard,
            Err(e) => {
                tracing::warn!(soft, hard, error = %e, "cannot raise the open-file limit");
                soft
            }
        }
    } else {
        soft
    };
    usize::try_from(soft.saturating_sub(reserve)).ok()
}
