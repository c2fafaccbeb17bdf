//! The core at hall scale and beyond: 200 windows, 40 matters, 10,000 waiting tickets. A benchmark,
//! never a test: `cargo bench -p benches` (`.ci/run` runs each once with `-- --test` so they never rot).
//! Each `decide` is timed on the same state (nothing is applied), so every iteration does the same work.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use benches::{at, big_hall, MATTERS};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use onewindow_core::{Command, Hall, MatterId, Outcome, Policy, TicketClass, WindowId};
use std::hint::black_box;

const WAITING: usize = 10_000;

fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("core 200 windows, 40 matters, 10k waiting");
    let (hall, _) = big_hall(Policy::default(), WAITING);
    let now = at(200);
    let issue = Command::IssueTicket { matter: MatterId(3), green: None, holder: None, source: None };
    group.bench_function("issue (decide)", |b| b.iter(|| black_box(hall.decide(&issue, now)).is_ok()));
    for policy in Policy::ALL {
        let (hall, _) = big_hall(policy, WAITING);
        let call = Command::CallNext { window: WindowId(17) };
        assert!(hall.decide(&call, now).is_ok(), "window 17 has tickets to call");
        group.bench_function(format!("call next, {}", policy.name()), |b| {
            b.iter(|| black_box(hall.decide(&call, now)).is_ok())
        });
    }
    let mut serving = hall.clone();
    serving.execute(&Command::CallNext { window: WindowId(17) }, now).expect("a call");
    let finish = Command::Finish { window: WindowId(17), outcome: Outcome::Completed };
    assert!(serving.decide(&finish, now).is_ok(), "window 17 serves a ticket");
    group.bench_function("finish (decide)", |b| b.iter(|| black_box(serving.decide(&finish, now)).is_ok()));
    group.bench_function("call next + finish (decide and apply)", |b| {
        b.iter_batched(
            || serving.clone(),
            |mut h| {
                h.execute(&finish, now).expect("finish");
                let events = h.execute(&Command::CallNext { window: WindowId(17) }, now).expect("call");
                // Returned, so the hall is dropped outside the timing.
                (h, events)
            },
            BatchSize::LargeInput,
        )
    });
    // 10,000 ahead is past the walk's bound (500): this times the fallback ("N people ahead").
    group.bench_function("wait estimate (past the walk's bound)", |b| {
        b.iter(|| black_box(hall.estimate(MatterId(5), TicketClass::Normal, now)))
    });
    // 400 waiting over 40 matters: every one walked (the comprehensive windows serve them all).
    let (walked, _) = big_hall(Policy::default(), 400);
    assert!(walked.estimate(MatterId(5), TicketClass::Normal, now).wait_ms.is_some(), "400 waiting are walked");
    group.bench_function("wait estimate (400 waiting, walked)", |b| {
        b.iter(|| black_box(walked.estimate(MatterId(5), TicketClass::Normal, now)))
    });
    group.bench_function("staffing review (decide)", |b| {
        b.iter(|| black_box(hall.decide(&Command::ReviewStaffing, now)).is_ok())
    });
    group.finish();
    let _ = MATTERS;
}

fn replay(c: &mut Criterion) {
    let (hall, log) = big_hall(Policy::default(), WAITING);
    let config = hall.config().clone();
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(log.len() as u64));
    group.sample_size(10);
    group.bench_function(format!("{} events", log.len()), |b| b.iter(|| Hall::replay(config.clone(), &log)));
    group.finish();
}

criterion_group!(benches, decide, replay);
criterion_main!(benches);
