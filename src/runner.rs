//! `borderflow run`: a scenario's Monte Carlo batch, summarised and written
//! according to the output contract ([`crate::output`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::Result;
use crate::montecarlo::{BatchConfig, BatchStats, run_batch};
use crate::output::{DailyWriter, OutputDir, csv_field, write_atomic, write_daily_summary};
use crate::scenario::Scenario;
use crate::stats::{Accumulator, Summary};

/// Options of one run; `None` takes the scenario's own value.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Replications to run.
    pub replications: Option<u32>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Worker threads (default: one per core).
    pub threads: Option<usize>,
    /// Output folder (default: `outputs/<scenario name>`).
    pub out: Option<PathBuf>,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Draw the charts and `report.html` into the output folder.
    pub charts: bool,
}

impl Default for RunOptions {
    /// The scenario's own values, no progress bar, charts drawn.
    fn default() -> Self {
        Self {
            replications: None,
            seed: None,
            threads: None,
            out: None,
            progress: false,
            charts: true,
        }
    }
}

/// What a completed run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Where the results are.
    pub out_dir: PathBuf,
    /// KPI summaries across replications, in the model's order.
    pub kpis: Vec<(String, Summary)>,
    /// Replications and events.
    pub stats: BatchStats,
    /// Wall-clock time of the simulation and writing.
    pub wall: Duration,
}

/// `summary.json`: everything needed to cite and reproduce a run. No wall
/// times, so two runs with the same seed write the same bytes.
#[derive(Serialize)]
struct SummaryJson<'a> {
    borderflow_version: &'a str,
    scenario: &'a str,
    description: &'a str,
    scenario_hash: String,
    seed: u64,
    replications: u64,
    start: String,
    end: String,
    days: u32,
    metrics: Vec<String>,
    kpis: BTreeMap<String, Summary>,
}

/// Default output folder of a scenario.
pub fn default_out_dir(scn: &Scenario) -> PathBuf {
    PathBuf::from("outputs").join(&scn.name)
}

/// Runs `scn` and writes its results. Nothing is written at the final
/// location unless the whole run completes.
pub fn run(scn: &Scenario, opts: &RunOptions, cancel: Option<&AtomicBool>) -> Result<RunOutcome> {
    let t0 = Instant::now();
    let exp = scn.experiment();
    let metrics: Vec<String> = exp.metric_names().iter().map(|m| csv_field(m)).collect();
    let kpi_names = exp.kpi_names();
    let cal = scn.calendar;
    let dates: Vec<String> = (0..cal.days).map(|d| cal.date(d).to_string()).collect();
    let seed = opts.seed.unwrap_or(scn.seed);
    let reps = u64::from(opts.replications.unwrap_or(scn.replications));
    let target = opts.out.clone().unwrap_or_else(|| default_out_dir(scn));

    let out = OutputDir::create(&target)?;
    let mut daily_csv = DailyWriter::create(out.file("daily.csv"))?;
    let mut cells = vec![Accumulator::default(); dates.len() * metrics.len()];
    let mut kpis = vec![Accumulator::default(); kpi_names.len()];
    let config = BatchConfig {
        seed,
        replications: 0..reps,
        threads: opts.threads,
        progress: opts.progress,
    };
    let stats = run_batch(exp.as_ref(), &config, cancel, |r, rep| {
        daily_csv.write_replication(r, &dates, &metrics, &rep.daily)?;
        for d in 0..dates.len() {
            for (m, v) in rep.daily.row(d).iter().enumerate() {
                cells[d * metrics.len() + m].push(*v);
            }
        }
        for (k, v) in rep.kpis.iter().enumerate() {
            kpis[k].push(*v);
        }
        Ok(())
    })?;
    daily_csv.finish()?;

    let mut summaries = Vec::with_capacity(cells.len());
    for (i, c) in cells.iter_mut().enumerate() {
        summaries.push((i / metrics.len(), i % metrics.len(), c.summary()));
    }
    write_daily_summary(
        &out.file("daily_summary.csv"),
        summaries
            .iter()
            .map(|(d, m, s)| (dates[*d].as_str(), metrics[*m].as_str(), *s)),
    )?;

    let kpi_summaries: Vec<(String, Summary)> = kpi_names
        .iter()
        .cloned()
        .zip(kpis.iter_mut().map(Accumulator::summary))
        .collect();
    let json = SummaryJson {
        borderflow_version: env!("CARGO_PKG_VERSION"),
        scenario: &scn.name,
        description: &scn.description,
        scenario_hash: scn.hash(),
        seed,
        replications: stats.replications,
        start: cal.start.to_string(),
        end: cal.end().to_string(),
        days: cal.days,
        metrics: exp.metric_names(),
        kpis: kpi_summaries.iter().cloned().collect(),
    };
    let text = serde_json::to_string_pretty(&json)
        .map_err(|e| crate::error::Error::Other(e.to_string()))?;
    write_atomic(&out.file("summary.json"), format!("{text}\n").as_bytes())?;
    write_atomic(&out.file("scenario.ron"), scn.resolved_ron().as_bytes())?;
    // Drawn from the files just written, in the staging folder, so the
    // charts are part of the atomic result and match what `plot` redraws.
    if opts.charts {
        crate::report::render(out.path())?;
    }
    let out_dir = out.commit()?;
    Ok(RunOutcome {
        out_dir,
        kpis: kpi_summaries,
        stats,
        wall: t0.elapsed(),
    })
}
