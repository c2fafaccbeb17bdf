//! The export to the province (`[export]`, docs/events.md): a task of its own reads the ledger after
//! the last `seq` JetStream acknowledged and publishes each event, one at a time and in order, on
//! `<prefix>.<hall>.<kind>` with the message id `<hall>:<seq>`.
//!
//! ```text
//! ledger ──read_after(acked)──> ExportedEvent ──publish, wait for the ack──> JetStream
//!    ^                                                                          │
//!    └──────────── set_meta_lazy("export_acked", seq) <─────────────────────────┘
//! ```
//!
//! One at a time, so a hall's events reach the stream in `seq` order with no gap: a failed publish
//! is retried before the next is sent. The cursor is written without a sync of its own (it becomes
//! durable with the writer's next commit), so the writer is never slowed; after a power cut the
//! export may send a few events again, which JetStream drops within its duplicate window and the
//! province drops by `seq` after it. The writer never waits for the export: a NATS outage only
//! grows the lag, which `/metrics` and the supervisor wall show.

use super::App;
use crate::config::ExportConfig;
use crate::store::Record;
use kiosk_protocol::export::{message_id, subject, ExportedEvent};
use kiosk_protocol::ServerMessage;
use std::time::Duration;
use tokio::sync::broadcast;

/// The ledger's meta key of the last `seq` JetStream acknowledged.
pub const CURSOR: &str = "export_acked";
/// Events read from the ledger at a time.
const READ: usize = 256;
/// How long a publish may wait for JetStream's acknowledgement before it is tried again.
const ACK_WITHIN: Duration = Duration::from_secs(5);
/// First wait after a failed publish; doubles up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(10);

/// The exported form of a ledger record (its wire message, wrapped), or why it cannot be.
pub fn exported(hall: &str, record: &Record) -> Result<ExportedEvent, String> {
    match serde_json::from_str::<ServerMessage>(&record.wire) {
        Ok(ServerMessage::Event { seq, at, event }) => Ok(ExportedEvent::new(hall, seq, at, event)),
        Ok(_) => Err(format!("record {} is not an event message", record.seq)),
        Err(e) => Err(format!("record {}: {e}", record.seq)),
    }
}

/// Publishes the ledger to JetStream until the server stops.
pub fn spawn(app: App, config: ExportConfig) {
    let mut stop = app.shutdown.clone();
    tokio::spawn(async move {
        let urls: Vec<String> = config.nats_url.split(',').map(|u| u.trim().to_owned()).collect();
        let connecting = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .name(format!("onewindow {}", config.hall_id))
            .connect(urls.as_slice());
        let client = tokio::select! {
            client = connecting => client,
            _ = super::listen::stopped(&mut stop) => return,
        };
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "[export] nats_url cannot be used; nothing is exported");
                return;
            }
        };
        let js = async_nats::jetstream::new(client);
        let mut wake = app.events.subscribe();
        let mut acked = app.store.meta(CURSOR).ok().flatten().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let mut retry = RETRY_MIN;
        tracing::info!(hall = %config.hall_id, from = acked + 1, "exporting events to JetStream");
        loop {
            let last = app.store.last_seq().unwrap_or(acked);
            let records = app.store.read_after(acked, READ).unwrap_or_default();
            let batch: Result<Vec<ExportedEvent>, String> =
                records.iter().map(|r| exported(&config.hall_id, r)).collect();
            let batch = match batch {
                Ok(b) => b,
                Err(e) => {
                    // Cannot happen for a ledger this server wrote; skipping would leave a gap.
                    tracing::error!(error = %e, "an event cannot be exported; the export stops here");
                    return;
                }
            };
            app.metrics.export_lag(acked, last, batch.first().map(|e| e.at));
            if batch.is_empty() {
                tokio::select! {
                    woken = wake.recv() => if matches!(woken, Err(broadcast::error::RecvError::Closed)) { return },
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = super::listen::stopped(&mut stop) => return,
                }
                continue;
            }
            for (i, event) in batch.iter().enumerate() {
                if *stop.borrow() {
                    return;
                }
                let body = serde_json::to_vec(event).unwrap_or_default();
                let mut headers = async_nats::HeaderMap::new();
                headers.insert(async_nats::header::NATS_MESSAGE_ID, message_id(&config.hall_id, event.seq).as_str());
                let published = tokio::time::timeout(ACK_WITHIN, async {
                    let ack = js
                        .publish_with_headers(
                            subject(&config.subject_prefix, &config.hall_id, &event.kind()),
                            headers,
                            body.into(),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    ack.await.map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|_| Err("no acknowledgement within 5 s".into()));
                match published {
                    Ok(_) => {
                        acked = event.seq;
                        retry = RETRY_MIN;
                        app.metrics.export_lag(acked, last.max(acked), batch.get(i + 1).map(|e| e.at));
                    }
                    Err(e) => {
                        tracing::warn!(seq = event.seq, error = %e, retry_in_ms = retry.as_millis() as u64, "event not exported yet");
                        app.metrics.export_failure();
                        tokio::select! {
                            _ = tokio::time::sleep(retry) => {}
                            _ = super::listen::stopped(&mut stop) => return,
                        }
                        retry = (retry * 2).min(RETRY_MAX);
                        break;
                    }
                }
            }
            if let Err(e) = app.store.set_meta_lazy(CURSOR, &acked.to_string()) {
                tracing::warn!(error = %e, "the export's cursor was not written (it is written again after the next batch)");
            }
        }
    });
}
