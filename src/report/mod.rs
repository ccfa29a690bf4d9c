//! Charts and a self-contained HTML report of a run, drawn from its saved
//! files only (`summary.json`, `daily_summary.csv`, `daily.csv`,
//! `scenario.ron`, `fit.csv`, `score.csv`), so `borderflow plot` redraws them without simulating.
//!
//! ```text
//!   run folder ──► data (read, stream daily.csv once)
//!                   ├─► fan      USBP, OFO, Mexico cumulative, any other metric
//!                   ├─► stack    where people are
//!                   ├─► ports    one per port: processed, queue, state band
//!                   ├─► caravan  size and km
//!                   ├─► sectors  totals by sector with 90% intervals
//!                   ├─► scorecard  how well the run fits observed data
//!                   └─► html     report.html with every chart inline
//! ```
//!
//! Each chart is skipped when its metrics are absent, so the report of any
//! model (the M/M/c station included) still has a fan per metric.
//!
//! Comparisons ([`diff`]), sweeps ([`sweep`]) and calibrations
//! ([`calibration`]) have charts and pages of their own; [`draw_files`]
//! picks by what the folder holds.

pub mod axis;
pub mod briefing;
pub mod calibration;
pub mod caravan;
pub mod compare_page;
pub mod data;
pub mod diff;
pub mod fan;
pub mod figure;
pub mod html;
pub mod monthly;
pub mod ports;
pub mod scorecard;
pub mod sectors;
pub mod stack;
pub mod style;
pub mod sweep;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::results::run::JobKind;
use data::RunData;
use figure::{Chart, save};

/// Draws the charts of any complete results folder — a run, a comparison,
/// a sweep or merged shards of any of them, by the kind its `summary.json`
/// records, or a calibration — and, for a run, a comparison or a
/// calibration, `report.html` beside them. The job runner calls this (handed down by the
/// command line) in the staging folder; `plot` calls it on a finished one.
pub fn draw(dir: &Path) -> Result<()> {
    draw_files(dir).map(|_| ())
}

/// [`draw`], returning the files written. A folder holding
/// `calibration.json` is a calibration (it has no `summary.json`).
pub fn draw_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if crate::results::calibration::is_calibration(dir) {
        return calibration::render_folder(dir);
    }
    match data::RunData::load_summary(dir)?.kind {
        JobKind::Run => render(dir),
        JobKind::Compare => compare_page::render(dir),
        JobKind::Sweep => sweep::render_folder(dir),
    }
}

/// Draws a run's charts and `report.html` into `run_dir`.
pub fn render(run_dir: &Path) -> Result<Vec<PathBuf>> {
    style::register_fonts()?;
    let run = RunData::load(run_dir)?;
    let sector_metrics: BTreeSet<String> = sectors::sectors(&run)
        .iter()
        .map(|s| format!("{}:{s}", sectors::PREFIX))
        .collect();
    // Day by day: the cumulative series, and the sectors for their months.
    let mut daily = fan::daily_needed(&run);
    daily.extend(sector_metrics.iter().cloned());
    let per_rep = data::per_replication(&run, &sector_metrics, &daily)?.unwrap_or_default();

    let mut charts: Vec<Chart> = Vec::new();
    let mut covered: BTreeSet<String> = fan::covered().into_iter().map(str::to_string).collect();
    if let Some(f) = fan::usbp(&run) {
        charts.push(save(&f, run_dir)?);
    }
    if let Some(f) = fan::ofo(&run) {
        charts.push(save(&f, run_dir)?);
    }
    if let Some(f) = monthly::figure(&run, fan::MX_DETECTIONS) {
        charts.push(save(&f, run_dir)?);
    }
    match per_rep
        .daily
        .get(fan::MX_DETECTIONS)
        .and_then(|reps| fan::mx_cumulative(&run, reps))
    {
        Some(f) => charts.push(save(&f, run_dir)?),
        // Without daily.csv the daily fan still shows Mexico's detections.
        None => {
            covered.remove(fan::MX_DETECTIONS);
        }
    }
    // Briefing order: the national series, where they happen, where people
    // are, then the detail of caravans and of each port.
    if let Some(f) = sectors::figure(&run, &per_rep) {
        charts.push(save(&f, run_dir)?);
        covered.extend(sector_metrics);
    }
    if let Some(f) = stack::figure(&run) {
        charts.push(save(&f, run_dir)?);
        covered.extend(stack::METRICS.iter().map(|m| m.to_string()));
    }
    if let Some(f) = caravan::figure(&run) {
        charts.push(save(&f, run_dir)?);
    }
    for f in ports::figures(&run) {
        charts.push(save(&f, run_dir)?);
    }
    // Per-place metrics drawn by the port and caravan charts, selected by
    // their declared name and place.
    let per_place = [
        "ofo_encounters",
        "port_queue",
        "port_open",
        "caravan_size",
        "caravan_km",
    ];
    let drawn_per_place = |key: &str| match run.spec(key) {
        Some(s) => s.place.is_some() && per_place.contains(&s.name.as_str()),
        // A folder from before metrics were declared.
        None => per_place.iter().any(|p| key.starts_with(&format!("{p}:"))),
    };
    let rest: Vec<&String> = run
        .metric_order
        .iter()
        .filter(|m| !covered.contains(*m) && !drawn_per_place(m))
        // Checks of the model's bookkeeping are records, not results.
        .filter(|m| !run.spec(m).is_some_and(|s| s.internal))
        // Splits by origin group (a dozen per metric) stay in the records
        // and the scorecard: a fan each would bury the report.
        .filter(|m| run.spec(m).is_none_or(|s| s.origin.is_none()))
        .collect();
    for m in rest {
        if let Some(f) = fan::generic(&run, m, per_rep.daily.get(m).map(Vec::as_slice)) {
            charts.push(save(&f, run_dir)?);
        }
    }

    let mut files: Vec<PathBuf> = charts
        .iter()
        .flat_map(|c| [c.png.clone(), c.svg.clone()])
        .collect();
    files.push(html::write(&run, &per_rep, &charts, run_dir)?);
    Ok(files)
}
