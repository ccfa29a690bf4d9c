//! `borderflow calibrate` on the command line: load, run, and the terminal
//! summary of the posterior and the scores.

use std::path::Path;

use super::{interrupt_flag, parse_set};
use crate::error::{Error, Result};

/// `borderflow calibrate`: loads, runs, prints the posterior and the scores.
pub(super) fn calibrate_command(
    path: &Path,
    sets: &[String],
    opts: &crate::calibrate::CalibrateOptions,
    quiet: bool,
) -> Result<()> {
    let sets = sets
        .iter()
        .map(|s| parse_set(s))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|p| Error::Invalid {
            file: "--set".into(),
            problems: vec![p],
        })?;
    let cal = crate::calibrate::load(path, &sets)?;
    let cancel = interrupt_flag();
    let outcome = crate::calibrate::calibrate(&cal, opts, Some(&cancel))?;
    if quiet {
        return Ok(());
    }
    let s = &outcome.summary;
    println!(
        "{}: {} model runs in {:.0} s ({:.2} s per run on {} threads); stopped: {}",
        s.name,
        s.simulations,
        s.seconds,
        s.seconds * s.threads as f64 / s.simulations.max(1) as f64,
        s.threads,
        s.stopped
    );
    let width = s
        .parameters
        .iter()
        .map(|p| p.label.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    println!(
        "{:<width$}  {:>12}  {:>12}  {:>27}",
        "parameter", "base", "estimate", "90% posterior interval"
    );
    for p in &s.parameters {
        println!(
            "{:<width$}  {:>12}  {:>12}  [{:>12} – {:>12}]",
            p.label,
            short(p.base_value.unwrap_or(f64::NAN)),
            short(p.estimate),
            short(p.p05),
            short(p.p95)
        );
    }
    let scores: Vec<crate::results::score::ScoreRow> =
        crate::results::score::read_table(&outcome.out_dir.join("score.csv"))?;
    println!(
        "\n{:<44} {:<8} {:>6} {:>10} {:>10}",
        "target", "role", "months", "mean |err|", "covered 90%"
    );
    for r in &scores {
        let mut name = r.metric.clone();
        for extra in [&r.place, &r.origin] {
            if !extra.is_empty() {
                name += &format!(" {extra}");
            }
        }
        println!(
            "{:<44} {:<8} {:>6} {:>9.1}% {:>10.0}%",
            name,
            r.role,
            r.months,
            100.0 * r.mean_abs_rel_error,
            100.0 * r.coverage90
        );
    }
    println!(
        "(intervals: {}; realised error {:.3} vs stated discrepancy {})",
        crate::calibrate::UNCERTAINTY,
        s.realised_error,
        s.discrepancy
    );
    println!(
        "→ {} (calibrated.ron, posterior.csv, report.html)",
        outcome.out_dir.display()
    );
    Ok(())
}

/// A number in a few significant digits for the terminal.
fn short(v: f64) -> String {
    if !v.is_finite() {
        "–".into()
    } else if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    }
}
