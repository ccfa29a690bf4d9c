//! The command line: `borderflow run | compare | sweep | calibrate | merge | validate | plot | list`.
//!
//! Parsing is clap's; this module turns arguments into library calls and
//! library errors into messages and exit codes (0 success, 2 bad input,
//! 1 anything else).

mod calibration;
mod compare;
pub mod list;
mod load;
mod table;

pub(crate) use load::parse_set;
pub use load::{load_scenario, load_with_overrides};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::runner::{RunOptions, run};
use crate::shard::Shard;

/// The scenario `borderflow run` runs when given none: the calibrated
/// baseline, 1 Jan 2023 – 31 Jan 2024 with the real policy timeline.
pub const EMBEDDED_SCENARIO: &str = include_str!("../../scenarios/baseline.ron");
/// How messages name the embedded scenario.
pub const EMBEDDED_LABEL: &str = "<embedded scenario baseline.ron>";

/// borderflow: discrete-event simulation of migrant flows from the
/// Guatemala–Mexico border to US ports of entry.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo replications and write CSV and JSON results.
    Run {
        /// Scenario file (RON); without it the embedded scenario runs.
        scenario: Option<PathBuf>,
        /// Replications, seed, threads, output, checks.
        #[command(flatten)]
        batch: BatchArgs,
        /// Shard, resume, record format and detail.
        #[command(flatten)]
        job: JobArgs,
    },
    /// Compare what-ifs against a baseline with common random numbers:
    /// paired differences of every KPI and daily metric, with 95% CIs.
    Compare {
        /// The baseline scenario.
        base: PathBuf,
        /// One or more what-if scenarios.
        #[arg(required = true)]
        whatifs: Vec<PathBuf>,
        /// Replications (per scenario), seed (shared), threads, output
        /// (default: `outputs/compare-<baseline name>`), checks.
        #[command(flatten)]
        batch: BatchArgs,
        /// Independent random numbers for each what-if instead of common ones
        /// (only to see how much common random numbers narrow the intervals).
        #[arg(long)]
        independent: bool,
        /// First day of a window (YYYY-MM-DD): every daily count is also
        /// summed from --from to --to, both included, as a KPI of the
        /// comparison (national, per port, per sector).
        #[arg(long, value_name = "DATE", requires = "to")]
        from: Option<String>,
        /// Last day of the window (see --from).
        #[arg(long, value_name = "DATE", requires = "from")]
        to: Option<String>,
        /// Shard, resume, record format and detail.
        #[command(flatten)]
        job: JobArgs,
    },
    /// Run a parameter sweep: every point of a design, with replications,
    /// writing sweep.csv, sweep_summary.csv and (Sobol) sensitivity.csv.
    Sweep {
        /// The sweep file (RON).
        sweep: PathBuf,
        /// Replications per point (default: the sweep file's).
        #[arg(short, long)]
        replications: Option<u32>,
        /// Master seed (default: the sweep file's, else the base scenario's).
        #[arg(short, long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core).
        #[arg(short, long)]
        threads: Option<usize>,
        /// Output folder (default: `outputs/<sweep name>`).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// No progress bar.
        #[arg(short, long)]
        quiet: bool,
        /// Write only the tables, no charts.
        #[arg(long)]
        no_charts: bool,
        /// Check the model's invariants after every event; slower.
        #[arg(long)]
        check_invariants: bool,
        /// Shard, resume, record format and detail (a sweep has no daily
        /// records).
        #[command(flatten)]
        job: JobArgs,
    },
    /// Calibrate a scenario's uncertain parameters against observed monthly
    /// series (ABC-SMC with a stated model discrepancy): writes
    /// posterior.csv, calibrated.ron, fit.csv, score.csv and a report.
    Calibrate {
        /// The calibration file (RON).
        calibration: PathBuf,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(short, long)]
        threads: Option<usize>,
        /// Output folder (default: `outputs/<calibration name>`).
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// No progress bar and no summary table.
        #[arg(short, long)]
        quiet: bool,
        /// Write only the tables, no charts or report.html.
        #[arg(long)]
        no_charts: bool,
        /// Continue an interrupted calibration from its last finished
        /// generation.
        #[arg(long)]
        resume: bool,
        /// Set a value of the base scenario before calibrating, by scenario
        /// path (repeatable; VALUE is RON).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// Merge shard folders (from `run`, `compare` or `sweep --shard K/N`)
    /// into one folder's results,
    /// byte-identical to running all replications at once.
    Merge {
        /// The shard folders, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Output folder of the merged run.
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (RON).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Redraw the charts (and a run's report.html) of any results folder —
    /// run, compare, sweep or merged shards — from its saved files, without
    /// simulating again.
    Plot {
        /// The run's output folder (e.g. outputs/baseline).
        outdir: PathBuf,
    },
    /// Print the reference: intervention kinds (fields, units, examples,
    /// how overlapping ones combine) or a scenario's ports, sectors, hubs,
    /// origins, metrics, KPIs; `all --format markdown` is docs/reference.md.
    List {
        /// What to list.
        what: list::What,
        /// Scenario file (RON); without it the embedded baseline.
        scenario: Option<PathBuf>,
        /// `text` (aligned tables) or `markdown`.
        #[arg(long, default_value = "text", value_name = "FORMAT")]
        format: crate::border::reference::Format,
    },
}

/// Options shared by the commands that run batches of replications.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// Number of replications (default: the scenario's).
    #[arg(short, long)]
    pub replications: Option<u32>,
    /// Master seed (default: the scenario's).
    #[arg(short, long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(short, long)]
    pub threads: Option<usize>,
    /// Output folder (default: under outputs/).
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// No progress bar and no summary table.
    #[arg(short, long)]
    pub quiet: bool,
    /// Write only the CSV and JSON results, no charts or report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Check the model's invariants (conservation of people, queues,
    /// capacities, port states) after every event; slower.
    #[arg(long)]
    pub check_invariants: bool,
    /// Set a scenario value before validation, by scenario path, e.g.
    /// `--set model.servers=12` or `--set 'model.ports["Lukeville"].lanes=4'`
    /// (repeatable; VALUE is RON, and text that is not RON is taken as a
    /// string). For `compare`, applied to every scenario of the comparison.
    /// The saved `scenario.ron` and the scenario hash include it.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Print the results as one JSON object on stdout instead of the table
    /// (KPI summaries: mean, 95% CI, quantiles; the output folder).
    #[arg(long)]
    pub json: bool,
    /// Draw each replication's parameters from a posterior sample: a
    /// `posterior.csv` (`draw,weight,<scenario path>,…`) or the calibration
    /// folder holding one. Intervals then hold parameter uncertainty as well
    /// as Monte Carlo noise; the folder keeps the posterior and `draws.csv`
    /// (which draw each replication used). For `compare`, both arms of a
    /// replication use the same draw.
    #[arg(long, value_name = "FILE|DIR")]
    pub posterior: Option<PathBuf>,
}

/// How a batch runs as a job: which shard, whether it resumes, how its
/// per-replication records are written and what a finished folder keeps.
#[derive(Debug, clap::Args)]
pub struct JobArgs {
    /// Run only shard K of N (K from 0) of the replications (of a sweep: of
    /// its points × replications), writing its records for `borderflow
    /// merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Continue an interrupted batch (Ctrl-C, a time limit) from its
    /// checkpoint, without redoing finished work.
    #[arg(long)]
    pub resume: bool,
    /// Format of the per-replication records: csv or parquet.
    #[arg(long, default_value = "csv", value_name = "FORMAT")]
    pub format: crate::output::Format,
    /// Per-replication records the finished folder keeps: none, kpis or
    /// daily (summaries are always written; while a batch runs, and in a
    /// shard, every daily value is kept for --resume and merge).
    #[arg(long, default_value = "daily", value_name = "DETAIL")]
    pub records: crate::output::Detail,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    ignore_file_size_signal();
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}", crate::input::terminal_safe(&e.to_string()));
            e.exit_code()
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            batch,
            job,
        } => run_command(scenario, batch, job),
        Command::Compare {
            base,
            whatifs,
            batch,
            independent,
            from,
            to,
            job,
        } => {
            let window = match (from, to) {
                (Some(f), Some(t)) => Some((cli_date("--from", &f)?, cli_date("--to", &t)?)),
                _ => None,
            };
            compare::compare_command(&base, &whatifs, batch, independent, window, job)
        }
        Command::Sweep {
            sweep,
            replications,
            seed,
            threads,
            out,
            quiet,
            no_charts,
            check_invariants,
            job,
        } => {
            check_counts(replications, threads)?;
            let overrides = crate::sweep::Overrides { replications, seed };
            let opts = RunOptions {
                threads,
                out,
                progress: !quiet,
                shard: job.shard,
                resume: job.resume,
                check_invariants,
                format: job.format,
                records: job.records,
                charts: (!no_charts).then_some(crate::report::draw as crate::runner::Charts),
                ..RunOptions::default()
            };
            sweep_command(&sweep, overrides, &opts, quiet)
        }
        Command::Calibrate {
            calibration,
            threads,
            out,
            quiet,
            no_charts,
            resume,
            set,
        } => {
            check_counts(None, threads)?;
            let opts = crate::calibrate::CalibrateOptions {
                out,
                threads,
                resume,
                progress: !quiet,
                charts: (!no_charts).then_some(crate::report::draw as crate::runner::Charts),
                sources: vec![calibration.clone()],
            };
            calibration::calibrate_command(&calibration, &set, &opts, quiet)
        }
        Command::Merge { shards, out } => {
            let dir = crate::runner::merge(&shards, &out, Some(crate::report::draw))?;
            println!("merged {} shards → {}", shards.len(), dir.display());
            Ok(())
        }
        Command::Validate { scenarios } => validate_command(&scenarios),
        Command::List {
            what,
            scenario,
            format,
        } => list::list_command(what, scenario.as_ref(), format),
        Command::Plot { outdir } => {
            crate::output::check_results(&outdir)?;
            let files = crate::report::draw_files(&outdir)?;
            let charts = files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "png"))
                .count();
            let report = files
                .iter()
                .find(|f| f.extension().is_some_and(|e| e == "html"))
                .map(|f| format!(" and {}", f.display()))
                .unwrap_or_default();
            println!("{charts} charts (PNG + SVG){report}");
            Ok(())
        }
    }
}

/// Prints `value` as one line of JSON on stdout.
fn print_json(value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|e| Error::Other(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// The job options of `run` and `compare` from their arguments (the
/// posterior read and checked).
fn run_options(batch: &BatchArgs, job: &JobArgs) -> Result<RunOptions> {
    let posterior = batch
        .posterior
        .as_deref()
        .map(crate::posterior::Posterior::from_path)
        .transpose()?;
    if let Some(p) = &posterior {
        p.check_overrides(&batch.set)?;
    }
    Ok(RunOptions {
        replications: batch.replications,
        seed: batch.seed,
        threads: batch.threads,
        charts: charts(batch),
        out: batch.out.clone(),
        progress: !batch.quiet,
        shard: job.shard,
        resume: job.resume,
        check_invariants: batch.check_invariants,
        format: job.format,
        records: job.records,
        posterior: posterior.map(Arc::new),
    })
}

/// What the intervals of a batch run with `opts` contain
/// ([`crate::posterior::uncertainty`]).
fn uncertainty(opts: &RunOptions) -> String {
    let id = opts
        .posterior
        .as_deref()
        .map(crate::posterior::Posterior::id);
    crate::posterior::uncertainty(id.as_ref())
}

/// The charts of a complete folder, unless `--no-charts`.
fn charts(batch: &BatchArgs) -> Option<crate::runner::Charts> {
    (!batch.no_charts).then_some(crate::report::draw as crate::runner::Charts)
}

/// `borderflow run`.
fn run_command(scenario: Option<PathBuf>, batch: BatchArgs, job: JobArgs) -> Result<()> {
    let scn = load_with_overrides(scenario.as_ref(), &batch.set)?;
    check_counts(batch.replications, batch.threads)?;
    let cancel = interrupt_flag();
    let quiet = batch.quiet;
    let opts = run_options(&batch, &job)?;
    let outcome = run(&scn, &opts, Some(&cancel))?;
    if batch.json {
        let kpis: std::collections::BTreeMap<&str, &crate::stats::Summary> =
            outcome.kpis.iter().map(|(n, s)| (n.as_str(), s)).collect();
        print_json(&serde_json::json!({
            "scenario": scn.name,
            "seed": opts.seed.unwrap_or(scn.seed),
            "replications": outcome.stats.replications,
            "uncertainty": uncertainty(&opts),
            "out_dir": outcome.out_dir,
            "kpis": kpis,
        }))?;
    } else if !quiet {
        let secs = outcome.wall.as_secs_f64();
        println!(
            "{}: {} replications, {} events in {:.3} s ({:.1} M events/s) → {}",
            scn.name,
            outcome.stats.replications,
            outcome.stats.events,
            secs,
            outcome.stats.events as f64 / secs / 1e6,
            outcome.out_dir.display()
        );
        let specs = scn.experiment().kpis();
        for line in table::kpi_table(&outcome.kpis, &specs, &scn.observed) {
            println!("{line}");
        }
        println!("(intervals: {})", uncertainty(&opts));
        for line in crate::results::score::terminal_lines(&outcome.scores, &uncertainty(&opts)) {
            println!("{line}");
        }
        let report = outcome.out_dir.join("report.html");
        if report.exists() {
            println!("report: {}", report.display());
        }
    }
    Ok(())
}

/// A date given on the command line, or an input error naming the option.
fn cli_date(option: &str, text: &str) -> Result<chrono::NaiveDate> {
    crate::calendar::check_date(text).map_err(|message| Error::Scenario {
        file: option.into(),
        message,
    })
}

/// `borderflow sweep`.
fn sweep_command(
    sweep: &Path,
    overrides: crate::sweep::Overrides,
    opts: &RunOptions,
    quiet: bool,
) -> Result<()> {
    let sw = crate::sweep::Sweep::from_file_with(sweep, overrides)?;
    let cancel = interrupt_flag();
    let exp = sw.experiment();
    let job =
        crate::runner::Job::new(&exp, sw.header(), sw.inputs()?).reading(vec![sweep.to_path_buf()]);
    let outcome = crate::runner::run_job(&job, opts, Some(&cancel))?;
    // Sobol indices too noisy to read are said even with -q (a shard has none).
    if outcome.out_dir.join("sensitivity.csv").is_file() {
        for w in crate::results::sweep::SweepTables::read(&outcome.out_dir)?.warnings() {
            eprintln!("{w}");
        }
    }
    if !quiet {
        let secs = outcome.wall.as_secs_f64();
        println!(
            "{}: {} points × {} replications ({:.1} replications/s) → {}",
            sw.name,
            sw.plan.points.len(),
            sw.plan.replications,
            outcome.stats.replications as f64 / secs,
            outcome.out_dir.display()
        );
    }
    Ok(())
}

/// `borderflow validate`: every file checked, every problem listed.
fn validate_command(scenarios: &[PathBuf]) -> Result<()> {
    let mut bad = 0;
    for p in scenarios {
        match validate_one(p) {
            Ok(what) => println!("{}: ok ({what})", p.display()),
            Err(e) => {
                eprintln!("error: {e}");
                bad += 1;
            }
        }
    }
    if bad == 0 {
        Ok(())
    } else {
        Err(Error::Scenario {
            file: "validate".into(),
            message: format!("{bad} of {} files are invalid", scenarios.len()),
        })
    }
}

/// Validates one file of any kind borderflow reads, told apart by its
/// fields: a calibration has `base` and `method`, a sweep `base` and
/// `design`, anything else is a scenario. Says what it found.
fn validate_one(p: &Path) -> Result<String> {
    let label = crate::input::shown(&p.display().to_string());
    let text = crate::input::read_text(p, crate::input::MAX_INPUT_BYTES)?;
    let value = crate::scenario::source::parse_value(&text, &label)?;
    use crate::scenario::source::FileKind;
    let kind = FileKind::of(&value);
    if kind == FileKind::Calibration {
        let c = crate::calibrate::load(p, &[])?;
        Ok(format!(
            "calibration {}: {} parameters, {} targets, base {}",
            c.name,
            c.parameters.len(),
            c.targets.len(),
            c.base.name
        ))
    } else if kind == FileKind::Sweep {
        let s = crate::sweep::Sweep::from_file(p)?;
        Ok(format!(
            "sweep {}: {} points × {} replications, base {}",
            s.name,
            s.plan.points.len(),
            s.plan.replications,
            s.base.name
        ))
    } else {
        let s = load_with_overrides(Some(&p.to_path_buf()), &[])?;
        Ok(format!(
            "{}, {} to {}, {} days",
            s.name,
            s.calendar.start,
            s.calendar.end(),
            s.calendar.days
        ))
    }
}

/// Refuses `--replications` outside 1 to the scenario limit and
/// `--threads 0` with exit code 2; notes when `--threads` is above what the
/// machine can use (the batch then uses fewer; results do not depend on it).
fn check_counts(replications: Option<u32>, threads: Option<usize>) -> Result<()> {
    use crate::scenario::MAX_REPLICATIONS;
    if let Some(r) = replications
        && !(1..=MAX_REPLICATIONS).contains(&r)
    {
        return Err(Error::Scenario {
            file: "--replications".into(),
            message: format!("must be between 1 and {MAX_REPLICATIONS}"),
        });
    }
    if threads == Some(0) {
        return Err(Error::Scenario {
            file: "--threads".into(),
            message: "must be at least 1".into(),
        });
    }
    if let Some(t) = threads {
        let usable = crate::montecarlo::worker_threads(Some(t), u64::MAX);
        if usable < t {
            eprintln!(
                "note: --threads {t} is more than this machine can use; running {usable} \
                 ({} per core at most)",
                crate::montecarlo::MAX_THREADS_PER_CORE
            );
        }
    }
    Ok(())
}

/// A write past the file size limit (`ulimit -f`) raises SIGXFSZ, which
/// kills the process silently; ignored, the write fails with EFBIG instead
/// and the run reports it like any other write error.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" at start-up, before
    // any thread is spawned, touches no memory of ours.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// A flag set by Ctrl-C (SIGINT) or SIGTERM, so a long run stops between
/// chunks, cleanly, keeping what it finished.
pub(crate) fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    // Setting the handler fails only if one is already set (a second run in
    // the same process); the run then simply cannot be interrupted early.
    let _ = ctrlc::set_handler(move || f.store(true, Ordering::Relaxed));
    flag
}
