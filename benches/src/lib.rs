//! benches: criterion micro-benchmarks of `onewindow::core` and the `onewindow-bench` load harness
//! (the measurement issue fills both). Until then it only names the core it will measure.

pub use onewindow::core;
