//! `borderflow run` and `borderflow merge`: a scenario's Monte Carlo batch,
//! recorded row by row and summarised according to the output contract
//! ([`crate::output`]).
//!
//! The per-replication records (daily values and KPIs, CSV or Parquet, see
//! [`crate::output::records`]) are the source of truth: summaries are a pure
//! function of them taken in replication order.
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
use crate::output::records::{
    self, Detail, Format, Position, RecordSchema, RecordSink, Stage, Table,
};
use crate::output::{OutputDir, write_atomic, write_daily_summary, write_replace};
use crate::posterior::{Posterior, PosteriorExperiment};
use crate::results::score::{ScoreRow, Scorecard};
use crate::scenario::{ObservedSeries, Scenario};
use crate::shard::Shard;
use crate::stats::{Accumulator, Summary};

mod merge;

pub use crate::results::run::{JobKind, RunHeader};

/// Draws the charts of a complete results folder, in its staging folder
/// before the swap, so they are part of the atomic result and match what
/// `plot` redraws.
pub type Charts = fn(&Path) -> Result<()>;

pub use merge::{ShardJson, merge};

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
    /// Draws the charts and `report.html` into a complete folder (not a
    /// shard's, which holds records only); none by default. The report
    /// layer sits above the job runner, so the command line hands its
    /// drawing function down (`borderflow::report::draw`).
    pub charts: Option<Charts>,
    /// The format of the per-replication records.
    pub format: Format,
    /// What per-replication records the finished folder keeps (a shard
    /// keeps all of them for `merge`, which applies this).
    pub records: Detail,
    /// Draw each replication's parameters from this posterior (`run` and
    /// `compare`; see [`crate::posterior`]); none keeps them fixed.
    pub posterior: Option<std::sync::Arc<Posterior>>,
}

impl Default for RunOptions {
    /// The scenario's own values, the whole batch, no progress bar, no
    /// charts.
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
            charts: None,
            format: Format::Csv,
            records: Detail::Daily,
            posterior: None,
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
    /// How well the run fits its scenario's observed series, one row per
    /// scored series (empty for a shard, and when nothing is scored).
    pub scores: Vec<ScoreRow>,
    /// Replications and events run by this call (not those resumed).
    pub stats: BatchStats,
    /// Wall-clock time of the simulation and writing.
    pub wall: Duration,
}

/// `summary.json`: the header and the KPI summaries. No wall times, so two
/// runs with the same seed write the same bytes.
#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(flatten)]
    header: &'a RunHeader,
    /// What the intervals contain ([`RunHeader::uncertainty`]).
    uncertainty: String,
    kpis: std::collections::BTreeMap<String, Summary>,
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
    /// The records' format.
    format: Format,
    /// Where the records of the `done` replications end (CSV: lengths
    /// [bytes]; Parquet: closed parts [parts]).
    position: Position,
    /// SHA-256 of the posterior the parameters are drawn from, if any.
    #[serde(default)]
    posterior: Option<String>,
}

const CHECKPOINT: &str = "checkpoint.json";

/// Summaries of a batch, fed one replication at a time in order.
pub struct Aggregator {
    metrics: usize,
    cells: Vec<Accumulator>,
    kpis: Vec<Accumulator>,
    /// The run's scorecard against observed data (empty unless set).
    scorecard: Scorecard,
}

impl Aggregator {
    /// An empty aggregator for `days` × `metrics` cells and `kpis` KPIs.
    pub fn new(days: usize, metrics: usize, kpis: usize) -> Self {
        Self {
            metrics,
            cells: vec![Accumulator::default(); days * metrics],
            kpis: vec![Accumulator::default(); kpis],
            scorecard: Scorecard::default(),
        }
    }

    /// The same aggregator, also scoring the replications against the
    /// observed series of `scorecard`.
    pub fn scoring(mut self, scorecard: Scorecard) -> Self {
        self.scorecard = scorecard;
        self
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
        self.scorecard.push(daily);
    }

    /// Writes `daily_summary.csv` and `summary.json` into `dir` and returns
    /// the KPI summaries.
    ///
    /// A sweep gets neither daily summaries (it has no days) nor KPI
    /// summaries: its replications belong to different design points, so
    /// pooling them would mean nothing; its summaries are per point, in
    /// `sweep_summary.csv`.
    pub fn write(&mut self, dir: &Path, header: &RunHeader) -> Result<Vec<(String, Summary)>> {
        let kpis: Vec<(String, Summary)> = if header.kind == JobKind::Sweep {
            Vec::new()
        } else {
            let dates: Vec<String> = header.dates()?.iter().map(|d| d.to_string()).collect();
            let summaries: Vec<Summary> = self.cells.iter().map(Accumulator::summary).collect();
            write_daily_summary(
                &dir.join("daily_summary.csv"),
                &dates,
                &header.metrics,
                &summaries,
            )?;
            header
                .kpi_names()
                .into_iter()
                .zip(self.kpis.iter().map(Accumulator::summary))
                .collect()
        };
        if !kpis.is_empty() {
            write_kpis_summary(&dir.join(KPIS_SUMMARY_FILE), header, &kpis)?;
        }
        let json = SummaryJson {
            header,
            uncertainty: header.uncertainty(),
            kpis: kpis.iter().cloned().collect(),
        };
        let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Other(e.to_string()))?;
        write_atomic(&dir.join("summary.json"), format!("{text}\n").as_bytes())?;
        Ok(kpis)
    }
}

/// The KPI summaries as one flat table: `kpis_summary.csv`.
pub const KPIS_SUMMARY_FILE: &str = "kpis_summary.csv";

/// Writes `kpis_summary.csv`: one row per KPI with the scenario, seed and
/// replications as columns (so runs join in pandas or polars), the KPI's
/// label and unit, and its summary across replications.
fn write_kpis_summary(path: &Path, header: &RunHeader, kpis: &[(String, Summary)]) -> Result<()> {
    let mut text = format!(
        "scenario,seed,replications,kpi,label,unit,{}\n",
        Summary::CSV_HEADER
    );
    let field = crate::output::csv_field;
    for ((name, s), spec) in kpis.iter().zip(&header.kpi_specs) {
        let numbers = [
            s.mean,
            s.ci95_low,
            s.ci95_high,
            s.p05,
            s.p25,
            s.p50,
            s.p75,
            s.p95,
        ]
        .map(|x| {
            if x.is_finite() {
                crate::stats::tidy(x).to_string()
            } else {
                String::new()
            }
        })
        .join(",");
        text.push_str(&format!(
            "{},{},{},{},{},{},{numbers}\n",
            field(&header.scenario),
            header.seed,
            header.replications,
            field(name),
            field(&spec.label),
            spec.unit.label(),
        ));
    }
    write_atomic(path, text.as_bytes())
}

/// A batch to run: what replicates, what identifies it, and the input files
/// saved beside its records.
pub struct Job<'a> {
    /// What runs one replication.
    pub experiment: &'a dyn Experiment,
    /// The batch's identity (its seed and replication count included).
    pub header: RunHeader,
    /// Files saved with the results, e.g. `scenario.ron`: (name, content);
    /// names from [`JobKind::inputs`] of the job's kind.
    pub inputs: Vec<(String, Vec<u8>)>,
    /// The files the batch was read from: an output folder holding one is
    /// never replaced.
    pub sources: Vec<PathBuf>,
    /// Observed monthly series to score a run against (`fit.csv`,
    /// `score.csv`); none for other batches.
    pub observed: Vec<ObservedSeries>,
}

impl<'a> Job<'a> {
    /// A batch of `experiment` identified by `header`, saving `inputs`.
    pub fn new(
        experiment: &'a dyn Experiment,
        header: RunHeader,
        inputs: Vec<(String, Vec<u8>)>,
    ) -> Self {
        Self {
            experiment,
            header,
            inputs,
            sources: Vec::new(),
            observed: Vec::new(),
        }
    }

    /// The same job, recording the files it was read from.
    pub fn reading(mut self, sources: Vec<PathBuf>) -> Self {
        self.sources = sources;
        self
    }

    /// The same job run under `posterior` (its experiment draws each
    /// replication's parameters from it): the header records it, the
    /// folder keeps a copy, and an output folder holding it is never
    /// replaced.
    pub fn under(mut self, posterior: &Posterior) -> Self {
        self.header.posterior = Some(posterior.id());
        self.inputs.push((
            crate::posterior::FILE.into(),
            posterior.text().as_bytes().to_vec(),
        ));
        self.sources.push(posterior.path().to_path_buf());
        self
    }
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
        observed: scn.observed.clone(),
    };
    let Some(posterior) = opts.posterior.as_deref() else {
        return run_job(&job, opts, cancel);
    };
    // The scenario of every draw this batch (or shard) uses, checked
    // before anything is written.
    let range = opts.shard.unwrap_or(Shard::WHOLE).range(total);
    let draws = posterior.build(seed, range, |d| posterior.scenario(d, scn))?;
    let arms = draws
        .into_iter()
        .map(|(d, s)| (d, s.into_experiment()))
        .collect();
    let drawn = PosteriorExperiment::new(posterior, exp.as_ref(), arms)?;
    let job = Job {
        experiment: &drawn,
        ..job
    };
    run_job(&job.under(posterior), opts, cancel)
}

/// Runs a job (see [`run`]); `opts.seed` and `opts.replications` are
/// ignored in favour of the job's header.
///
/// The checkpoint is saved after every recorded replication, so a run that
/// stops for any reason (Ctrl-C, SIGTERM, a failed write, a broken
/// invariant) keeps every finished replication in its staging folder, and
/// `--resume` continues from there to the bytes of an uninterrupted run.
pub fn run_job(job: &Job, opts: &RunOptions, cancel: Option<&AtomicBool>) -> Result<RunOutcome> {
    let t0 = Instant::now();
    let exp = job.experiment;
    let header = &RunHeader {
        format: opts.format,
        records: opts.records,
        ..job.header.clone()
    };
    let seed = header.seed;
    let total = header.replications;
    let shard = opts.shard.unwrap_or(Shard::WHOLE);
    if shard.count > total {
        return Err(Error::Scenario {
            file: "--shard".into(),
            message: format!(
                "{shard}: more shards than the {total} replications; use at most {total}"
            ),
        });
    }
    let range = shard.range(total);
    // A shard's default folder is not numbered: every shard of a batch must
    // find the same one.
    let target = opts.out.clone().unwrap_or_else(|| {
        crate::output::default_target(&header.scenario, opts.resume, shard == Shard::WHOLE)
    });
    let schema = header.record_schema()?;
    if opts.resume && already_complete(&target, header, shard) {
        // Nothing to resume: the folder holds this very batch, complete.
        return Ok(RunOutcome {
            out_dir: target,
            kpis: Vec::new(),
            scores: Vec::new(),
            stats: BatchStats::default(),
            wall: t0.elapsed(),
        });
    }

    let mut out = OutputDir::create(&target, header.kind.name(), opts.resume, &job.sources)?;
    let mut agg = Aggregator::new(schema.dates.len(), schema.metrics.len(), schema.kpis.len())
        .scoring(scorecard(header, &job.observed)?);
    let fresh = Checkpoint {
        scenario_hash: header.scenario_hash.clone(),
        seed,
        replications: total,
        shard,
        done: 0,
        format: header.format,
        position: Position::default(),
        posterior: header.posterior.as_ref().map(|p| p.sha256.clone()),
    };
    // A staging folder found by --resume is never removed by a failure here
    // (`OutputDir` keeps what it did not create).
    let (mut records, mut checkpoint) = if out.resumed() {
        resume_records(&out, fresh, &schema, &mut agg)?
    } else {
        start_records(out.path(), &schema, fresh)?
    };

    let config = BatchConfig {
        replications: range.start + checkpoint.done..range.end,
        threads: opts.threads,
        progress: opts.progress,
    };
    let staging = out.path().to_path_buf();
    let check = opts.check_invariants || cfg!(debug_assertions);
    let replicate = |r, stop: &AtomicBool| exp.run_replication(seed, r, check, Some(stop));
    // Records are encoded on the worker threads, beside the simulation.
    let prepare = |r, rep: Replication| (schema.prepare(r, &rep.daily, &rep.kpis), rep);
    let result = run_batch_with(replicate, &config, cancel, prepare, |r, (rows, rep)| {
        check_violations(r, &rep)?;
        records.write(&rows?)?;
        if shard == Shard::WHOLE {
            agg.push(&rep.daily, &rep.kpis);
        }
        let done = checkpoint.done + 1;
        save_checkpoint(&staging, &mut records, &mut checkpoint, done)
    });
    // The checkpoint on disk covers every recorded replication: from the
    // first one on, whatever fails, the staging folder is kept for --resume.
    if checkpoint.done > 0 {
        out.keep();
    }
    let kept = |e: Error| {
        if checkpoint.done == 0 {
            return e;
        }
        let kept = format!(
            "{} finished replications are kept in {}",
            checkpoint.done,
            staging.display()
        );
        match e {
            Error::Interrupted(what) => Error::Interrupted(format!(
                "{what}; {kept} — rerun the same command with --resume to continue"
            )),
            e => Error::Other(format!(
                "{e}\n{kept}; once the cause is fixed, rerun the same command with --resume"
            )),
        }
    };
    let stats = result.map_err(kept)?;
    let Completed { kpis, scores } =
        finish_job(job, header, &out, records, &mut agg, shard, opts.charts).map_err(kept)?;
    let out_dir = out.commit()?;
    Ok(RunOutcome {
        out_dir,
        kpis,
        scores,
        stats,
        wall: t0.elapsed(),
    })
}

/// Whether `target` already holds this batch (or this shard of it),
/// complete, and no interrupted attempt waits beside it: `--resume` of a
/// finished job (a requeued cluster task, say) then does nothing.
fn already_complete(target: &Path, header: &RunHeader, shard: Shard) -> bool {
    /// The head of `summary.json`.
    #[derive(Deserialize)]
    struct Saved {
        #[serde(flatten)]
        header: RunHeader,
    }
    let staging = crate::output::staging_path(target);
    if staging.is_none_or(|s| s.exists()) || !target.join(crate::output::STAMP).is_file() {
        return false;
    }
    if shard == Shard::WHOLE {
        crate::input::read_json::<Saved>(&target.join("summary.json"))
            .is_ok_and(|s| s.header == *header)
    } else {
        crate::input::read_json::<ShardJson>(&target.join("shard.json"))
            .is_ok_and(|s| s.run == *header && s.shard == shard)
    }
}

/// Completes a batch's folder once every replication is recorded: closes
/// the records, saves the inputs, and writes the summaries and charts of a
/// whole batch or the description of a shard. The checkpoint goes last, so a
/// staging folder left by a failure here still resumes.
fn finish_job(
    job: &Job,
    header: &RunHeader,
    out: &OutputDir,
    records: Box<dyn RecordSink>,
    agg: &mut Aggregator,
    shard: Shard,
    charts: Option<Charts>,
) -> Result<Completed> {
    records.finish()?;
    for (name, bytes) in &job.inputs {
        write_atomic(&out.file(name), bytes)?;
    }
    let done = if shard == Shard::WHOLE {
        complete(out.path(), header, agg, charts)?
    } else {
        let range = shard.range(header.replications);
        let json = ShardJson {
            run: header.clone(),
            shard,
            first_replication: range.start,
            end_replication: range.end,
            inputs: job.inputs.iter().map(|(n, _)| n.clone()).collect(),
        };
        let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Other(e.to_string()))?;
        write_atomic(&out.file("shard.json"), text.as_bytes())?;
        Completed::default()
    };
    // Without a checkpoint a leftover staging folder reads as complete.
    fs::remove_file(out.file(CHECKPOINT)).map_err(|e| Error::output(out.file(CHECKPOINT), e))?;
    Ok(done)
}

/// The scorecard of a batch described by `header` against `observed`: the
/// series that match one of its daily columns, over the months it covers
/// in full. Only a run is scored: a comparison's columns are differences,
/// a sweep has none.
fn scorecard(header: &RunHeader, observed: &[ObservedSeries]) -> Result<Scorecard> {
    let dates = header.dates()?;
    match (header.kind, dates.first(), dates.last()) {
        (JobKind::Run, Some(&start), Some(&end)) if !observed.is_empty() => {
            let calendar = crate::calendar::Calendar::from_dates(start, end);
            Ok(Scorecard::new(&header.metrics, &calendar, observed))
        }
        _ => Ok(Scorecard::default()),
    }
}

/// Completes a whole batch's folder once its records are closed: removes
/// the daily records it does not keep (before the charts, so they are drawn
/// from what `plot` will find), writes the summaries and what the kind of
/// batch adds (a run: its scorecard, when it has observed series), then
/// removes the KPI records it does not keep (a sweep keeps none: its
/// tables, built from them, hold their values with the points).
fn complete(
    dir: &Path,
    header: &RunHeader,
    agg: &mut Aggregator,
    charts: Option<Charts>,
) -> Result<Completed> {
    // A sweep's daily table has no days: its empty file is not kept.
    let keep_daily = if header.kind.has_days() {
        header.records
    } else {
        header.records.min(Detail::Kpis)
    };
    records::drop_unkept(dir, header.format, keep_daily, Table::Daily)?;
    let kpis = agg.write(dir, header)?;
    let mut scores = Vec::new();
    match header.kind {
        JobKind::Run => scores = agg.scorecard.write(dir)?,
        JobKind::Compare => crate::results::compare::write_tables(dir, header, &kpis)?,
        JobKind::Sweep => {
            crate::results::sweep::write_tables(dir, header)?;
        }
    }
    if header.posterior.is_some() {
        write_draws(dir, header)?;
    }
    if let Some(draw) = charts {
        draw(dir)?;
    }
    // A sweep's KPI records are in its per-replication table now, with
    // their points (`sweep.csv` or `sweep.parquet`, per `--records`).
    let keep_kpis = match header.kind {
        JobKind::Sweep => Detail::None,
        JobKind::Run | JobKind::Compare => header.records,
    };
    records::drop_unkept(dir, header.format, keep_kpis, Table::Kpis)?;
    Ok(Completed { kpis, scores })
}

/// What a completed whole batch reports: its KPI summaries and, for a run
/// with observed series, its score rows (both empty for a shard).
#[derive(Default)]
struct Completed {
    kpis: Vec<(String, Summary)>,
    scores: Vec<ScoreRow>,
}

/// Writes `draws.csv` (the draw of every replication) into the complete
/// folder `dir` of a batch run under a posterior, from the posterior's copy
/// saved there, which must be the one the header names.
fn write_draws(dir: &Path, header: &RunHeader) -> Result<()> {
    let copy = dir.join(crate::posterior::FILE);
    let posterior = Posterior::from_path(&copy)?;
    if header.posterior.as_ref() != Some(&posterior.id()) {
        return Err(Error::Scenario {
            file: crate::input::shown(&copy.display().to_string()),
            message: "is not the posterior the batch ran under (its SHA-256 differs from the \
                      header's)"
                .into(),
        });
    }
    let table = posterior.draws_csv(header.seed, header.replications);
    write_atomic(&dir.join(crate::posterior::DRAWS_FILE), table.as_bytes())
}

/// Takes over the records of an interrupted run in `out`'s staging folder:
/// checks that its checkpoint belongs to this very batch and that the record
/// files hold what it says, re-reads the finished replications into `agg`,
/// and reopens the files after the last of them. Every refusal has exit code
/// 2 and leaves the folder as it is.
fn resume_records(
    out: &OutputDir,
    fresh: Checkpoint,
    schema: &RecordSchema,
    agg: &mut Aggregator,
) -> Result<(Box<dyn RecordSink>, Checkpoint)> {
    let staging = out.path();
    let refuse = |message: String| Error::Refused {
        path: crate::input::shown(&staging.display().to_string()),
        message: format!("{message}; the folder is left as it is"),
    };
    let cp_path = out.file(CHECKPOINT);
    if !cp_path.exists() {
        if records::any_records(staging) {
            return Err(refuse(
                "holds results but no checkpoint (a run that completed but could not be moved \
                 into place): move that folder where you want it, or away to run again"
                    .into(),
            ));
        }
        return start_records(staging, schema, fresh);
    }
    let saved: Checkpoint = crate::input::read_json(&cp_path)?;
    let differ = |what: &str, then: String, now: String| {
        refuse(format!(
            "the interrupted run there has {what} {then}, this command {now}: resume with the \
             same scenario and options, or choose another -o"
        ))
    };
    if saved.scenario_hash != fresh.scenario_hash {
        return Err(differ(
            "scenario hash",
            saved.scenario_hash.chars().take(12).collect(),
            fresh.scenario_hash.chars().take(12).collect(),
        ));
    }
    if saved.seed != fresh.seed {
        return Err(differ(
            "seed",
            saved.seed.to_string(),
            fresh.seed.to_string(),
        ));
    }
    if saved.replications != fresh.replications {
        return Err(differ(
            "replications",
            saved.replications.to_string(),
            fresh.replications.to_string(),
        ));
    }
    if saved.shard != fresh.shard {
        return Err(differ(
            "shard",
            saved.shard.to_string(),
            fresh.shard.to_string(),
        ));
    }
    if saved.format != fresh.format {
        return Err(differ(
            "record format",
            saved.format.to_string(),
            fresh.format.to_string(),
        ));
    }
    if saved.posterior != fresh.posterior {
        let sha = |p: &Option<String>| {
            p.as_ref().map_or("none".into(), |h| {
                format!("with SHA-256 {}", h.chars().take(12).collect::<String>())
            })
        };
        return Err(differ(
            "posterior",
            sha(&saved.posterior),
            sha(&fresh.posterior),
        ));
    }
    let range = fresh.shard.range(fresh.replications);
    if saved.done > range.end - range.start {
        return Err(refuse(format!(
            "its checkpoint records {} replications, more than the {} of this batch",
            saved.done,
            range.end - range.start
        )));
    }
    records::check_position(staging, schema, saved.position).map_err(refuse)?;
    let mut reader = records::open(staging, schema, Stage::InProgress, true, true)?;
    for i in 0..saved.done {
        match reader.next_replication()? {
            Some((r, daily, kpis)) if r == range.start + i => agg.push(&daily, &kpis),
            _ => {
                return Err(refuse(format!(
                    "its records do not hold replication {} where the checkpoint says",
                    range.start + i
                )));
            }
        }
    }
    if reader.position() != saved.position {
        return Err(refuse(
            "its records and checkpoint disagree on where the finished replications end".into(),
        ));
    }
    // Drops a replication that was being written when the run stopped.
    let w = records::reopen(staging, schema, saved.position)?;
    Ok((w, saved))
}

/// Creates empty record files in `dir` and the checkpoint `fresh` (no
/// replication done) that says so.
fn start_records(
    dir: &Path,
    schema: &RecordSchema,
    fresh: Checkpoint,
) -> Result<(Box<dyn RecordSink>, Checkpoint)> {
    let mut w = records::create(dir, schema)?;
    let mut cp = fresh;
    save_checkpoint(dir, &mut w, &mut cp, 0)?;
    Ok((w, cp))
}

/// Flushes the records and saves the checkpoint with `done` replications;
/// `cp` changes only once both are on disk, so it always says what the disk
/// holds.
fn save_checkpoint(
    dir: &Path,
    records: &mut Box<dyn RecordSink>,
    cp: &mut Checkpoint,
    done: u64,
) -> Result<()> {
    let position = records.checkpoint()?;
    let next = Checkpoint {
        done,
        position,
        ..cp.clone()
    };
    let text = serde_json::to_string_pretty(&next).map_err(|e| Error::Other(e.to_string()))?;
    write_replace(&dir.join(CHECKPOINT), text.as_bytes())?;
    *cp = next;
    Ok(())
}
