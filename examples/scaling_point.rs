//! One point of `benches/scaling.sh`: one baseline replication on one thread
//! with arrivals scaled by K and the horizon cut to M months, printing
//! `seconds events max_rss_mb` (peak resident memory of this process, from
//! /proc/self/status).
//!
//! Usage: `cargo run --release --example scaling_point -- K M`

use std::path::Path;
use std::time::Instant;

use borderflow::Scenario;
use borderflow::scenario::smoke::cut_horizon;
use borderflow::scenario::source::load_file;
use chrono::{Datelike, NaiveDate};
use ron::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (k, months): (f64, u32) = match &args[..] {
        [k, m] => (k.parse()?, m.parse()?),
        _ => return Err("usage: scaling_point ARRIVALS_MULTIPLIER MONTHS".into()),
    };
    let v = load_file(Path::new("scenarios/baseline.ron"))?;
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).ok_or("date")?;
    let end = start
        .checked_add_months(chrono::Months::new(months))
        .ok_or("date")?
        .pred_opt()
        .ok_or("date")?;
    let mut v = cut_horizon(v, end)?;
    if k != 1.0 {
        // An arrival surge with no origins listed applies to every origin.
        let text = format!(
            "[(name: \"scale\", kind: \"arrival_surge\", multiplier: {k:?}, from: \"{}-01-01\", origins: [])]",
            start.year()
        );
        let surge: Value = ron::from_str(&text)?;
        borderflow::scenario::source::merge(
            &mut v,
            Value::Map(
                [(
                    Value::String("model".into()),
                    Value::Map(
                        [(Value::String("add_interventions".into()), surge)]
                            .into_iter()
                            .collect(),
                    ),
                )]
                .into_iter()
                .collect(),
            ),
        );
    }
    let scn = Scenario::from_value(v, "scaling point")?;
    let exp = scn.experiment();
    let t0 = Instant::now();
    let rep = exp.replicate(scn.seed, 0);
    let secs = t0.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    println!("{secs} {} {:.1}", rep.events, hwm_kb / 1024.0);
    Ok(())
}
