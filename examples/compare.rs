//! What-if against its baseline with common random numbers: the mean paired
//! difference (± standard error) of metric totals over a window.
//!
//! `cargo run --release --example compare -- BASE WHATIF REPS FROM TO METRIC...`
//! e.g. `... scenarios/baseline.ron scenarios/whatif/all-ports-closed.ron 8
//! 2023-12-15 2023-12-31 ofo_encounters usbp_apprehensions`. Levels (queues,
//! waiting) are summed over the window's days, i.e. person-days.

use std::path::Path;

use chrono::NaiveDate;
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 7 {
        return Err("usage: compare BASE WHATIF REPS FROM TO METRIC...".into());
    }
    let base = borderflow::Scenario::from_file(Path::new(&a[1]))?;
    let what = borderflow::Scenario::from_file(Path::new(&a[2]))?;
    let reps: u64 = a[3].parse()?;
    let from = NaiveDate::parse_from_str(&a[4], "%Y-%m-%d")?;
    let to = NaiveDate::parse_from_str(&a[5], "%Y-%m-%d")?;
    let run = |s: &borderflow::Scenario| {
        let exp = s.experiment();
        let names = exp.metric_names();
        let (d0, d1) = (
            s.calendar.day_index(from) as usize,
            s.calendar.day_index(to) as usize + 1,
        );
        let reps: Vec<_> = (0..reps)
            .into_par_iter()
            .map(|r| exp.replicate(base.seed, r))
            .collect();
        a[6..]
            .iter()
            .map(|m| {
                let c = names.iter().position(|n| n == m);
                reps.iter()
                    .map(|r| c.map_or(f64::NAN, |c| r.daily.sum(c, d0, d1)))
                    .collect::<Vec<f64>>()
            })
            .collect::<Vec<_>>()
    };
    let (b, w) = (run(&base), run(&what));
    println!(
        "{} vs {}, {reps} paired replications, {from} to {to}",
        what.name, base.name
    );
    for (k, m) in a[6..].iter().enumerate() {
        let d: Vec<f64> = w[k].iter().zip(&b[k]).map(|(x, y)| x - y).collect();
        let n = d.len() as f64;
        let mean = d.iter().sum::<f64>() / n;
        let se = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
        let bm = b[k].iter().sum::<f64>() / n;
        let rel = if bm != 0.0 {
            format!(" ({:+.1}%)", 100.0 * mean / bm)
        } else {
            String::new()
        };
        println!("  {m}: baseline {bm:.0}, difference {mean:+.0} ± {se:.0}{rel}");
    }
    Ok(())
}
