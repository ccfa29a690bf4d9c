//! `borderflow run` and `borderflow merge`: a scenario's Monte Carlo batch,
//! recorded row by row and summarised according to the output contract
//! ([`crate::output`]).
//!
//! The per-replication records (`daily.csv`, `kpis.csv`) are the source of
//! truth: summaries are a pure function of them taken in replication order.
//! That is what lets a shard's records be merged, and an interrupted run be
//! resumed, into the very bytes an uninterrupted single run writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::DailySeries;
use crate::montecarlo::{
    BatchConfig, BatchStats, Experiment, Replication, check_violations, run_batch_with,
};
use crate::output::{
    OutputDir, RecordReader, RecordWriter, ReplicationRows, csv_field, write_atomic,
    write_daily_summary,
};
use crate::scenario::Scenario;
use crate::shard::Shard;
use crate::stats::{Accumulator, Summary};

/// Options of one run; `None` takes the scenario's own value.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Replications to run (all shards together).
    pub replications: Option<u32>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Worker threads (default: one per core).
    pub threads: Option<usize>,
    /// Output folder (default: `outputs/<scenario name>`).
    pub out: Option<PathBuf>,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Run only this part of the replications (records only; see `merge`).
    pub shard: Option<Shard>,
    /// Continue an interrupted run from its checkpoint.
    pub resume: bool,
    /// Check the model's invariants after every event (always on in debug
    /// builds); a violation stops the run with an error.
    pub check_invariants: bool,
    /// Draw the charts and `report.html` into the output folder (not for
    /// a shard, which holds records only).
    pub charts: bool,
}

impl Default for RunOptions {
    /// The scenario's own values, the whole batch, no progress bar, charts
    /// drawn.
    fn default() -> Self {
        Self {
            replications: None,
            seed: None,
            threads: None,
            out: None,
            progress: false,
            shard: None,
            resume: false,
            check_invariants: false,
            charts: true,
        }
    }
}

/// What a completed run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Where the results are.
    pub out_dir: PathBuf,
    /// KPI summaries across replications, in the model's order (empty for a
    /// shard, whose summaries come from `merge`).
    pub kpis: Vec<(String, Summary)>,
    /// Replications and events run by this call (not those resumed).
    pub stats: BatchStats,
    /// Wall-clock time of the simulation and writing.
    pub wall: Duration,
}

/// Everything that identifies a batch; the head of `summary.json` and the
/// content of a shard's `shard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    /// What kind of batch: `run` (replications of one scenario) or `sweep`
    /// (replications of each point of a parameter sweep).
    pub kind: String,
    /// borderflow's version.
    pub borderflow_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// SHA-256 of the resolved scenario.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Replications in the whole batch.
    pub replications: u64,
    /// First simulated date.
    pub start: String,
    /// Last simulated date.
    pub end: String,
    /// Simulated days.
    pub days: u32,
    /// Daily metric names, in column order.
    pub metrics: Vec<String>,
    /// KPI names, in order.
    pub kpi_names: Vec<String>,
}

impl RunHeader {
    /// The header of a batch of `replications` of `scn` (whose experiment is
    /// `exp`) under `seed`.
    pub fn new(scn: &Scenario, exp: &dyn Experiment, seed: u64, replications: u64) -> Self {
        Self {
            kind: "run".into(),
            borderflow_version: env!("CARGO_PKG_VERSION").into(),
            scenario: scn.name.clone(),
            description: scn.description.clone(),
            scenario_hash: scn.hash(),
            seed,
            replications,
            start: scn.calendar.start.to_string(),
            end: scn.calendar.end().to_string(),
            days: scn.calendar.days,
            metrics: exp.metric_names(),
            kpi_names: exp.kpi_names(),
        }
    }

    /// Metric and KPI names as written in the CSVs (quoted where needed).
    pub fn csv_names(&self) -> (Vec<String>, Vec<String>) {
        let quote = |v: &[String]| v.iter().map(|m| csv_field(m)).collect();
        (quote(&self.metrics), quote(&self.kpi_names))
    }

    /// The dates of the simulated days, as written in the CSVs.
    pub fn dates(&self) -> Result<Vec<String>> {
        let start = crate::calendar::parse_date(&self.start)
            .ok_or_else(|| Error::Other(format!("bad start date {}", self.start)))?;
        Ok((0..self.days)
            .map(|d| (start + chrono::Days::new(u64::from(d))).to_string())
            .collect())
    }
}

/// `summary.json`: the header and the KPI summaries. No wall times, so two
/// runs with the same seed write the same bytes.
#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(flatten)]
    header: &'a RunHeader,
    kpis: std::collections::BTreeMap<String, Summary>,
}

/// `shard.json`: which part of which batch a shard folder holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardJson {
    /// The batch.
    pub run: RunHeader,
    /// Which shard.
    pub shard: Shard,
    /// Its replication indices.
    pub first_replication: u64,
    /// One past its last replication index.
    pub end_replication: u64,
    /// Input files saved with the shard (copied into the merged folder).
    pub inputs: Vec<String>,
}

/// Progress of a staging folder, rewritten as replications are recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Checkpoint {
    scenario_hash: String,
    seed: u64,
    replications: u64,
    shard: Shard,
    /// Replications recorded (from the shard's first).
    done: u64,
    /// Valid length of `daily.csv` [bytes].
    daily_bytes: u64,
    /// Valid length of `kpis.csv` [bytes].
    kpis_bytes: u64,
}

const CHECKPOINT: &str = "checkpoint.json";

/// How often the checkpoint is refreshed during a run.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Summaries of a batch, fed one replication at a time in order.
pub struct Aggregator {
    metrics: usize,
    cells: Vec<Accumulator>,
    kpis: Vec<Accumulator>,
}

impl Aggregator {
    /// An empty aggregator for `days` × `metrics` cells and `kpis` KPIs.
    pub fn new(days: usize, metrics: usize, kpis: usize) -> Self {
        Self {
            metrics,
            cells: vec![Accumulator::default(); days * metrics],
            kpis: vec![Accumulator::default(); kpis],
        }
    }

    /// Adds one replication.
    pub fn push(&mut self, daily: &DailySeries, kpis: &[f64]) {
        for d in 0..daily.days() {
            for (m, v) in daily.row(d).iter().enumerate() {
                self.cells[d * self.metrics + m].push(*v);
            }
        }
        for (acc, v) in self.kpis.iter_mut().zip(kpis) {
            acc.push(*v);
        }
    }

    /// Writes `daily_summary.csv` and `summary.json` into `dir` and returns
    /// the KPI summaries.
    pub fn write(&mut self, dir: &Path, header: &RunHeader) -> Result<Vec<(String, Summary)>> {
        let dates = header.dates()?;
        let (names, _) = header.csv_names();
        let metrics = self.metrics;
        let summaries: Vec<Summary> = self.cells.iter().map(Accumulator::summary).collect();
        write_daily_summary(
            &dir.join("daily_summary.csv"),
            summaries
                .iter()
                .enumerate()
                .map(|(i, s)| (dates[i / metrics].as_str(), names[i % metrics].as_str(), *s)),
        )?;
        let kpis: Vec<(String, Summary)> = header
            .kpi_names
            .iter()
            .cloned()
            .zip(self.kpis.iter().map(Accumulator::summary))
            .collect();
        let json = SummaryJson {
            header,
            kpis: kpis.iter().cloned().collect(),
        };
        let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Other(e.to_string()))?;
        write_atomic(&dir.join("summary.json"), format!("{text}\n").as_bytes())?;
        Ok(kpis)
    }
}

/// A batch to run: what replicates, what identifies it, and the input files
/// saved beside its records.
pub struct Job<'a> {
    /// What runs one replication.
    pub experiment: &'a dyn Experiment,
    /// The batch's identity (its seed and replication count included).
    pub header: RunHeader,
    /// Files saved with the results, e.g. `scenario.ron`: (name, content);
    /// names from [`crate::output::INPUT_FILES`].
    pub inputs: Vec<(String, Vec<u8>)>,
    /// The files the batch was read from: an output folder holding one is
    /// never replaced.
    pub sources: Vec<PathBuf>,
    /// The command, for the output folder's stamp (`run`, `sweep`).
    pub command: &'static str,
}

/// Runs `scn` and writes its results. Nothing is written at the final
/// location unless the whole run completes; an interrupted run keeps its
/// staging folder and checkpoint for `resume`.
pub fn run(scn: &Scenario, opts: &RunOptions, cancel: Option<&AtomicBool>) -> Result<RunOutcome> {
    let exp = scn.experiment();
    let seed = opts.seed.unwrap_or(scn.seed);
    let total = u64::from(opts.replications.unwrap_or(scn.replications));
    let job = Job {
        experiment: exp.as_ref(),
        header: RunHeader::new(scn, exp.as_ref(), seed, total),
        inputs: vec![("scenario.ron".into(), scn.resolved_ron().into_bytes())],
        sources: vec![PathBuf::from(&scn.source)],
        command: "run",
    };
    run_job(&job, opts, cancel)
}

/// Runs a job (see [`run`]); `opts.seed` and `opts.replications` are
/// ignored in favour of the job's header.
pub fn run_job(job: &Job, opts: &RunOptions, cancel: Option<&AtomicBool>) -> Result<RunOutcome> {
    let t0 = Instant::now();
    let exp = job.experiment;
    let header = &job.header;
    let seed = header.seed;
    let total = header.replications;
    let shard = opts.shard.unwrap_or(Shard::WHOLE);
    let range = shard.range(total);
    let target = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&header.scenario));
    let dates = header.dates()?;
    let (names, kpi_names) = header.csv_names();

    let mut out = OutputDir::create(&target, job.command, opts.resume, &job.sources)?;
    let mut agg = Aggregator::new(dates.len(), names.len(), kpi_names.len());
    let mut checkpoint = Checkpoint {
        scenario_hash: header.scenario_hash.clone(),
        seed,
        replications: total,
        shard,
        done: 0,
        daily_bytes: 0,
        kpis_bytes: 0,
    };
    let mut records = if opts.resume && out.file(CHECKPOINT).exists() {
        let saved: Checkpoint = read_json(&out.file(CHECKPOINT))?;
        let expected = Checkpoint {
            done: saved.done,
            daily_bytes: saved.daily_bytes,
            kpis_bytes: saved.kpis_bytes,
            ..checkpoint.clone()
        };
        if saved != expected {
            return Err(Error::Other(format!(
                "{}: the interrupted run there used another scenario, seed, replication count or shard; \
                 run without --resume after deleting it",
                out.path().display()
            )));
        }
        let w = RecordWriter::reopen(out.path(), saved.daily_bytes, saved.kpis_bytes)?;
        let mut reader = RecordReader::open(out.path(), dates.len(), &names, &kpi_names)?;
        while let Some((_, daily, kpis)) = reader.next_replication()? {
            agg.push(&daily, &kpis);
        }
        checkpoint = saved;
        w
    } else {
        RecordWriter::create(out.path())?
    };
    if checkpoint.done > range.end - range.start {
        return Err(Error::Other(
            "checkpoint records more replications than the run has".into(),
        ));
    }

    let config = BatchConfig {
        replications: range.start + checkpoint.done..range.end,
        threads: opts.threads,
        progress: opts.progress,
    };
    let mut last_checkpoint = Instant::now();
    let staging = out.path().to_path_buf();
    let check = opts.check_invariants || cfg!(debug_assertions);
    let replicate = |r| {
        if check {
            exp.replicate_checked(seed, r)
        } else {
            exp.replicate(seed, r)
        }
    };
    let prepare = |r, rep: Replication| {
        let rows = ReplicationRows::format(r, &dates, &names, &kpi_names, &rep.daily, &rep.kpis);
        (rows, rep)
    };
    let result = run_batch_with(replicate, &config, cancel, prepare, |r, (rows, rep)| {
        check_violations(r, &rep)?;
        records.write_rows(&rows)?;
        if shard == Shard::WHOLE {
            agg.push(&rep.daily, &rep.kpis);
        }
        checkpoint.done += 1;
        if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            save_checkpoint(&staging, &mut records, &mut checkpoint)?;
            last_checkpoint = Instant::now();
        }
        Ok(())
    });
    let stats = match result {
        Ok(s) => s,
        Err(Error::Interrupted(what)) => {
            save_checkpoint(&staging, &mut records, &mut checkpoint)?;
            out.keep();
            return Err(Error::Interrupted(format!(
                "{what}; {} replications are kept in {} — rerun with --resume to continue",
                checkpoint.done,
                staging.display()
            )));
        }
        Err(e) => return Err(e),
    };
    records.finish()?;
    let _ = fs::remove_file(out.file(CHECKPOINT));

    for (name, bytes) in &job.inputs {
        write_atomic(&out.file(name), bytes)?;
    }
    let kpis = if shard == Shard::WHOLE {
        let kpis = agg.write(out.path(), header)?;
        finalize(out.path(), header, opts.charts)?;
        kpis
    } else {
        let json = ShardJson {
            run: header.clone(),
            shard,
            first_replication: range.start,
            end_replication: range.end,
            inputs: job.inputs.iter().map(|(n, _)| n.clone()).collect(),
        };
        let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Other(e.to_string()))?;
        write_atomic(&out.file("shard.json"), text.as_bytes())?;
        Vec::new()
    };
    let out_dir = out.commit()?;
    Ok(RunOutcome {
        out_dir,
        kpis,
        stats,
        wall: t0.elapsed(),
    })
}

/// Writes what a kind of batch adds to its complete folder, both after a
/// whole run and after a merge: a run's charts and `report.html`, a sweep's
/// tidy tables. Charts are drawn from the files just written, in the staging
/// folder, so they are part of the atomic result and match what `plot`
/// redraws.
fn finalize(dir: &Path, header: &RunHeader, charts: bool) -> Result<()> {
    match header.kind.as_str() {
        "sweep" => crate::sweep::finalize(dir, header),
        _ if charts => crate::report::render(dir).map(|_| ()),
        _ => Ok(()),
    }
}

fn save_checkpoint(dir: &Path, records: &mut RecordWriter, cp: &mut Checkpoint) -> Result<()> {
    let (daily, kpis) = records.flush()?;
    cp.daily_bytes = daily;
    cp.kpis_bytes = kpis;
    let text = serde_json::to_string_pretty(cp).map_err(|e| Error::Other(e.to_string()))?;
    write_atomic(&dir.join(CHECKPOINT), text.as_bytes())
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).map_err(|source| Error::Read {
        file: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Scenario {
        file: path.display().to_string(),
        message: format!("not a valid file written by borderflow: {e}"),
    })
}

/// Merges shard folders (in any order) into one run folder `out` whose files
/// are byte-identical to those of the unsharded run.
pub fn merge(shard_dirs: &[PathBuf], out: &Path) -> Result<PathBuf> {
    let mut shards: Vec<(ShardJson, &PathBuf)> = Vec::new();
    for d in shard_dirs {
        let s: ShardJson = read_json(&d.join("shard.json"))?;
        shards.push((s, d));
    }
    let Some((first, _)) = shards.first() else {
        return Err(Error::Other("merge needs at least one shard folder".into()));
    };
    let header = first.run.clone();
    let count = first.shard.count;
    shards.sort_by_key(|(s, _)| s.shard.index);
    for (s, d) in &shards {
        if s.run != header || s.shard.count != count {
            return Err(Error::Scenario {
                file: d.display().to_string(),
                message: "this shard belongs to another batch (scenario, seed, replications or shard count differ)"
                    .into(),
            });
        }
    }
    let indices: Vec<u64> = shards.iter().map(|(s, _)| s.shard.index).collect();
    if indices != (0..count).collect::<Vec<_>>() {
        let missing: Vec<String> = (0..count)
            .filter(|i| !indices.contains(i))
            .map(|i| i.to_string())
            .collect();
        return Err(Error::Other(format!(
            "merge needs each of the {count} shards exactly once; missing: [{}], given: {:?}",
            missing.join(", "),
            indices
        )));
    }
    let dates = header.dates()?;
    let (names, kpi_names) = header.csv_names();
    let outdir = OutputDir::create(out, "merge", false, shard_dirs)?;
    let mut records = RecordWriter::create(outdir.path())?;
    let mut agg = Aggregator::new(dates.len(), names.len(), kpi_names.len());
    let mut next = 0u64;
    for (s, d) in &shards {
        let mut reader = RecordReader::open(d, dates.len(), &names, &kpi_names)?;
        while let Some((r, daily, kpis)) = reader.next_replication()? {
            if r != next {
                return Err(Error::Other(format!(
                    "{}: expected replication {next}, found {r}",
                    d.display()
                )));
            }
            records.write_rows(&ReplicationRows::format(
                r, &dates, &names, &kpi_names, &daily, &kpis,
            ))?;
            agg.push(&daily, &kpis);
            next += 1;
        }
        if next != s.end_replication {
            return Err(Error::Other(format!(
                "{}: shard {} is incomplete (replications up to {next}, expected {})",
                d.display(),
                s.shard,
                s.end_replication
            )));
        }
    }
    records.finish()?;
    for name in &shards[0].0.inputs {
        let from = shards[0].1.join(name);
        let bytes = fs::read(&from).map_err(|source| Error::Read {
            file: from.display().to_string(),
            source,
        })?;
        write_atomic(&outdir.file(name), &bytes)?;
    }
    agg.write(outdir.path(), &header)?;
    // A merged batch is a whole batch: it gets what a whole one gets.
    finalize(outdir.path(), &header, true)?;
    outdir.commit()
}
