//! The M/M/c station through borderflow's Rust API, without a scenario file.
//!
//! ```text
//!   Poisson(λ) ──► [ FIFO queue ] ──► c servers, Exp(μ) each ──► out
//! ```
//!
//! Runs 30 replications of 100 days in parallel and compares the mean wait in
//! queue with the Erlang C formula. Run: `cargo run --release --example mmc`.

use borderflow::calendar::{Calendar, parse_date};
use borderflow::mmc::{KPIS, MmcExperiment, MmcParams, erlang_c_wait};
use borderflow::montecarlo::{BatchConfig, Experiment, run_batch};
use borderflow::stats::Accumulator;

fn main() -> Result<(), borderflow::Error> {
    let params = MmcParams {
        arrival_rate_per_hour: 9.0,
        service_rate_per_hour: 1.0,
        servers: 10,
        warmup_days: 10,
    };
    let start = parse_date("2024-01-01").expect("a date");
    let end = parse_date("2024-04-09").expect("a date");
    let experiment = MmcExperiment::new(params.clone(), Calendar::from_dates(start, end));
    let seed = 42;
    let wait = KPIS
        .iter()
        .position(|k| *k == "mean_wait_min")
        .expect("a KPI");
    let mut waits = Accumulator::default();
    let config = BatchConfig {
        replications: 0..30,
        threads: None,
        progress: false,
    };
    let stats = run_batch(
        |r| experiment.replicate(seed, r),
        &config,
        None,
        |_, rep| {
            waits.push(rep.kpis[wait]);
            Ok(())
        },
    )?;
    let s = waits.summary();
    let exact = 60.0
        * erlang_c_wait(
            params.arrival_rate_per_hour,
            params.service_rate_per_hour,
            params.servers,
        );
    println!(
        "{} replications, {} events",
        stats.replications, stats.events
    );
    println!(
        "mean wait in queue: {:.2} min (95% CI {:.2}–{:.2}); Erlang C: {exact:.2} min",
        s.mean, s.ci95_low, s.ci95_high
    );
    Ok(())
}
