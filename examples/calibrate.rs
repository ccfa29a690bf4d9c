//! Calibration table: runs a scenario's replications and compares the mean
//! monthly totals with the scenario's `observed` series.
//!
//! `cargo run --release --example calibrate -- scenarios/baseline.ron [replications]`
//!
//! Prints a Markdown table (observed, simulated mean, relative error) per
//! month and metric, Mexico's detections Jan–Nov 2023 and the mean of the
//! busiest December day, as pasted into scenarios/README.md.

use std::path::Path;

use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map_or("scenarios/baseline.ron", String::as_str);
    let reps: u64 = args.get(2).map_or(Ok(20), |s| s.parse())?;
    let scenario = borderflow::Scenario::from_file(Path::new(path))?;
    let exp = scenario.experiment();
    let names = exp.kpi_names();
    let t = std::time::Instant::now();
    let runs: Vec<Vec<f64>> = (0..reps)
        .into_par_iter()
        .map(|r| exp.replicate(scenario.seed, r).kpis)
        .collect();
    let secs = t.elapsed().as_secs_f64();
    let mean = |name: &str| -> Option<f64> {
        let i = names.iter().position(|n| n == name)?;
        Some(runs.iter().map(|k| k[i]).sum::<f64>() / runs.len() as f64)
    };
    println!("{reps} replications of {path} in {secs:.1} s\n");
    println!(
        "| month | USBP observed | USBP simulated | error | OFO observed | OFO simulated | error | Mexico observed | Mexico simulated | error |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let obs = |metric: &str, month: chrono::NaiveDate| {
        scenario
            .observed
            .iter()
            .find(|o| o.metric == metric)
            .and_then(|o| o.monthly.iter().find(|m| m.0 == month))
            .map(|m| m.1)
    };
    for (m, _, _) in scenario.calendar.months() {
        let tag = m.format("%Y-%m").to_string();
        let mut row = format!("| {tag} ");
        for metric in ["usbp_apprehensions", "ofo_encounters", "mx_detections"] {
            let sim = mean(&format!("{metric}:{tag}")).unwrap_or(f64::NAN);
            match obs(metric, m) {
                Some(o) => row += &format!("| {o:.0} | {sim:.0} | {:+.1}% ", 100.0 * (sim - o) / o),
                None => row += &format!("| – | {sim:.0} | – "),
            }
        }
        println!("{row}|");
    }
    if let Some(v) = mean("mx_detections:2023-01..2023-11") {
        println!(
            "\nMexico detections Jan–Nov 2023: observed 684091, simulated {v:.0} ({:+.1}%)",
            100.0 * (v - 684_091.0) / 684_091.0
        );
    }
    if let Some(v) = mean("usbp_apprehensions:peak_day:2023-12") {
        println!("Busiest December 2023 day (mean over replications): {v:.0} USBP apprehensions");
    }
    for o in [
        "entered_port",
        "apprehended",
        "got_away",
        "returned_by_mexico",
        "settled_in_mexico",
    ] {
        if let Some(v) = mean(&format!("outcome:{o}")) {
            println!("outcome:{o} {v:.0}");
        }
    }
    if let Some(v) = mean("in_system_at_end") {
        println!("in_system_at_end {v:.0}");
    }
    Ok(())
}
