//! borderflow's side of `benches/peers/run.sh`: one M/M/c replication on one
//! thread, printed as one JSON line (customers served, model events, wall
//! seconds, mean wait in queue [h]), like `benches/peers/mmc_simpy.py`.
//!
//! Usage: `cargo run --release --example peer_mmc -- LAMBDA MU C DAYS WARMUP_DAYS`
//! (rates per hour).

use std::time::Instant;

use borderflow::calendar::{Calendar, parse_date};
use borderflow::engine::simulate;
use borderflow::metrics::DailySeries;
use borderflow::mmc::{KPIS, METRICS, MmcModel, MmcParams};

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: LAMBDA MU C DAYS WARMUP_DAYS"))
        .collect();
    let [lambda, mu, c, days, warmup] = args[..] else {
        eprintln!("usage: peer_mmc LAMBDA MU C DAYS WARMUP_DAYS");
        std::process::exit(2);
    };
    let p = MmcParams {
        arrival_rate_per_hour: lambda,
        service_rate_per_hour: mu,
        servers: c as u32,
        warmup_days: warmup as u32,
    };
    let start = parse_date("2024-01-01").expect("date");
    let cal = Calendar::from_dates(start, start + chrono::Days::new(days as u64 - 1));
    let mut model = MmcModel::new(&p, cal.days, 1, 0);
    let mut daily = DailySeries::new(cal.days as usize, METRICS.len());
    let t0 = Instant::now();
    let stats = simulate(&mut model, cal.days, &mut daily);
    let secs = t0.elapsed().as_secs_f64();
    let served: f64 = (0..cal.days as usize).map(|d| daily.get(d, 1)).sum();
    let wait = model.kpis()[KPIS
        .iter()
        .position(|k| *k == "mean_wait_min")
        .expect("kpi")]
        / 60.0;
    println!(
        "{{\"tool\": \"borderflow\", \"customers_served\": {served}, \"events\": {}, \"seconds\": {secs}, \"mean_wait_h\": {wait}}}",
        stats.events
    );
}
