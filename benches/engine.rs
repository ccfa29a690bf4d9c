//! Engine throughput on the M/M/c station through the public API: events
//! handled per second on one core (criterion reports it as elements/s).
//!
//! Run: `cargo bench --bench engine`.

use borderflow::calendar::{Calendar, parse_date};
use borderflow::engine::simulate;
use borderflow::metrics::DailySeries;
use borderflow::mmc::{METRICS, MmcModel, MmcParams};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn mmc(c: &mut Criterion) {
    // λ = 900/h with 100 servers at ρ = 0.9: a busy station, ~43,000
    // events/day, with a heap of ~100 pending departures.
    let days = 10;
    let cal = Calendar::from_dates(
        parse_date("2024-01-01").unwrap(),
        parse_date("2024-01-10").unwrap(),
    );
    for (name, lambda, servers) in [("mmc_c10", 9.0 * 60.0, 10u32), ("mmc_c100", 900.0, 100)] {
        let p = MmcParams {
            arrival_rate_per_hour: lambda,
            service_rate_per_hour: lambda / (0.9 * servers as f64),
            servers,
            warmup_days: 0,
        };
        let run = |rep: u64| {
            let mut m = MmcModel::new(&p, cal.days, 1, rep);
            let mut s = DailySeries::new(days, METRICS.len());
            simulate(&mut m, cal.days, &mut s).events
        };
        let events = run(0);
        let mut g = c.benchmark_group("engine");
        g.throughput(Throughput::Elements(events));
        g.bench_function(name, |b| b.iter(|| run(0)));
        g.finish();
    }
}

criterion_group!(benches, mmc);
criterion_main!(benches);
