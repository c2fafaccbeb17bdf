//! Simulated tickets per second on `mm5-v4` (the goal: at least 1,000,000 on one core), so the speed
//! of the core as the simulator drives it is watched as the engine grows. A benchmark, never a test:
//! `cargo bench -p simulator` (criterion reports the throughput in elements/s = tickets/s).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use simulator::report::{run, Options};
use simulator::scenario::Scenario;

fn mm5(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/mm5-v4.toml");
    let mut scenario = Scenario::parse(&std::fs::read_to_string(path).expect("scenario")).expect("valid");
    scenario.customers = 100_000;
    scenario.warmup = 10_000;
    let tickets = run(&scenario, &Options::default()).expect("runs").tickets;
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(tickets));
    group.sample_size(10);
    group.bench_function("mm5-v4 100k tickets", |b| b.iter(|| run(&scenario, &Options::default()).expect("runs")));
    group.finish();
}

criterion_group!(benches, mm5);
criterion_main!(benches);
