//! The durable JetStream consumer: batches of the halls' events, folded into the province's state,
//! committed to its redb, and only then acknowledged (`AckPolicy::All`: the batch's last message
//! acknowledges the batch). A crash between the commit and the acknowledgement gets the batch again,
//! whose `seq`s are then repeats: nothing is counted twice. The stream and the consumer survive a
//! restart of this program, so it resumes where its acknowledgements stopped.

use crate::fold::{Applied, Counts, HallState};
use crate::Province;
use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use kiosk_protocol::export::{ExportedEvent, EXPORT_SCHEMA};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Where to read.
#[derive(Debug, Clone)]
pub struct Source {
    /// NATS URLs (the cluster's nodes).
    pub urls: Vec<String>,
    /// The halls' subject prefix.
    pub prefix: String,
    /// The stream's name.
    pub stream: String,
    /// Its replicas (3 on a three-node cluster).
    pub replicas: usize,
    /// The durable consumer's name.
    pub durable: String,
}

/// Events taken into one batch (one commit) at most.
const BATCH: usize = 1000;

/// Consumes until the process ends: on any error (a NATS outage, a leader election) waits and starts
/// again from the consumer's acknowledged position.
pub async fn run(source: Source, province: Arc<Province>) {
    let client = match async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .name("onewindow-province")
        .connect(source.urls.as_slice())
        .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the NATS URLs cannot be used");
            return;
        }
    };
    let js = jetstream::new(client);
    loop {
        if let Err(e) = consume(&js, &source, &province).await {
            tracing::warn!(error = %e, "consumer interrupted; starting again in 1 s");
            province.stats.lock().map(|mut s| s.interruptions += 1).ok();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

async fn consume(js: &jetstream::Context, source: &Source, province: &Province) -> Result<(), String> {
    let stream = js
        .get_or_create_stream(stream::Config {
            name: source.stream.clone(),
            subjects: vec![format!("{}.>", source.prefix)],
            num_replicas: source.replicas,
            storage: stream::StorageType::File,
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("stream {}: {e}", source.stream))?;
    let consumer: consumer::PullConsumer = stream
        .get_or_create_consumer(
            &source.durable,
            consumer::pull::Config {
                durable_name: Some(source.durable.clone()),
                ack_policy: consumer::AckPolicy::All,
                deliver_policy: consumer::DeliverPolicy::All,
                ack_wait: Duration::from_secs(30),
                max_ack_pending: -1,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| format!("consumer {}: {e}", source.durable))?;
    tracing::info!(stream = %source.stream, consumer = %source.durable, "consuming");
    let mut incoming =
        consumer.stream().max_messages_per_batch(BATCH).messages().await.map_err(|e| format!("pull: {e}"))?;
    loop {
        // Wait for one message, then take what has already arrived behind it: a batch as large as
        // the backlog (one commit for many events when behind), as small as one when not.
        let first = incoming.next().await.ok_or("the consumer's stream ended")?;
        let mut messages = vec![first.map_err(|e| format!("message: {e}"))?];
        while messages.len() < BATCH {
            match futures_util::FutureExt::now_or_never(incoming.next()) {
                Some(Some(m)) => messages.push(m.map_err(|e| format!("message: {e}"))?),
                _ => break,
            }
        }
        let Some(last) = messages.last() else { continue };
        let events: Vec<Option<ExportedEvent>> =
            messages.iter().map(|m| serde_json::from_slice::<ExportedEvent>(&m.payload).ok()).collect();
        tokio::task::block_in_place(|| province.apply(&events))?;
        last.ack().await.map_err(|e| format!("ack: {e}"))?;
    }
}

impl Province {
    /// Folds a batch (`None`: a message that is not an [`ExportedEvent`] of this schema, skipped and
    /// counted) and commits it, then makes it visible.
    pub fn apply(&self, events: &[Option<ExportedEvent>]) -> Result<(), String> {
        let now = crate::now_ms();
        // Only this task writes `halls`: the halls this batch touches are copied, folded and put back.
        let halls = self.halls.read().map_err(|_| "poisoned")?;
        let mut changed: BTreeMap<String, HallState> = BTreeMap::new();
        let mut days: BTreeMap<(String, String), Counts> = BTreeMap::new();
        let (mut applied, mut repeats, mut refused, mut lags) = (0u64, 0u64, 0u64, Vec::new());
        for e in events {
            let Some(e) = e.as_ref().filter(|e| e.schema == EXPORT_SCHEMA) else {
                refused += 1;
                continue;
            };
            let state =
                changed.entry(e.hall.clone()).or_insert_with(|| halls.get(&e.hall).cloned().unwrap_or_default());
            match state.apply(e) {
                Applied::Repeat => repeats += 1,
                Applied::New { date, counts } => {
                    applied += 1;
                    lags.push(now.saturating_sub(e.at).max(0));
                    days.entry((date, e.hall.clone())).or_default().add(&counts);
                }
            }
        }
        drop(halls);
        self.store.commit(&changed, &days)?;
        self.halls.write().map_err(|_| "poisoned")?.extend(changed);
        let mut stats = self.stats.lock().map_err(|_| "poisoned")?;
        stats.applied += applied;
        stats.repeats += repeats;
        stats.refused += refused;
        for lag in lags {
            stats.lag_ms.saturating_record(lag as u64);
        }
        Ok(())
    }
}
