//! `borderflow compare`: a baseline against what-ifs with common random
//! numbers, reported as paired differences.
//!
//! Replication r of every scenario runs with the same master seed and
//! replication index, so each named random stream starts in the same state:
//! where the what-if's structure is the baseline's, it sees the same arrivals,
//! the same service times, the same dice. The difference of replication r's
//! results is then mostly the policy's effect, and the spread of these paired
//! differences — hence their confidence interval — is far smaller than that
//! of two independent runs. (`--independent` turns this off, to see how much
//! it buys.)

use std::path::PathBuf;

use chrono::NaiveDate;
use std::sync::atomic::AtomicBool;

use crate::error::{Error, Problem, Result};
use crate::input::shown;
use crate::metrics::{Aggregate, DailySeries, KpiSpec, MetricKind, MetricSpec};
use crate::montecarlo::{BatchStats, Experiment, Replication};
use crate::posterior::PosteriorExperiment;
pub use crate::results::compare::KpiDifference;
use crate::runner::{Job, RunHeader, RunOptions, run_job};
use crate::scenario::Scenario;
use crate::shard::Shard;

/// Seed offset that makes a what-if's streams independent of the baseline's
/// when common random numbers are turned off.
const INDEPENDENT_SEED_OFFSET: u64 = 0x9E37_79B9_7F4A_7C15;

/// Options of a comparison: the job's (replications per scenario, the seed
/// all scenarios share, threads, output folder — default
/// `outputs/compare-<baseline name>` —, shard, resume, records, charts;
/// `None` takes the baseline scenario's value) and the comparison's own.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// How the paired batch runs, as for `run`.
    pub run: RunOptions,
    /// Give each what-if independent random numbers (for demonstration).
    pub independent: bool,
    /// A window of days, first and last included (`--from`, `--to`): every
    /// daily count the scenarios share, summed over it, becomes a KPI of
    /// the comparison (national, per port, per sector).
    pub window: Option<(NaiveDate, NaiveDate)>,
}

/// What a comparison produced.
#[derive(Debug, Clone)]
pub struct CompareOutcome {
    /// Where the results are.
    pub out_dir: PathBuf,
    /// Every KPI of every what-if (empty for a shard).
    pub kpis: Vec<KpiDifference>,
    /// Replications and events (of all scenarios together) run by this call.
    pub stats: BatchStats,
}

/// The baseline and its what-ifs as one paired experiment: replication r
/// runs every scenario with the same seed and index, and keeps the daily
/// differences (what-if − baseline) of the metrics both have and, per KPI
/// both have, the baseline's value, the what-if's and their difference.
/// It goes through the same job runner as a run, so shards, checkpoints,
/// `--resume` and `merge` work alike.
pub struct Comparison<'a> {
    base: Box<dyn Experiment + 'a>,
    whatifs: Vec<(String, Box<dyn Experiment + 'a>)>,
    /// For each what-if, (baseline metric index, what-if metric index) of the
    /// metrics both have, in the baseline's order.
    metric_pairs: Vec<Vec<(usize, usize)>>,
    /// Likewise for KPIs.
    kpi_pairs: Vec<Vec<(usize, usize)>>,
    metrics: Vec<MetricSpec>,
    kpis: Vec<KpiSpec>,
    days: usize,
    independent: bool,
    /// Days `from..to` of the window, and per what-if the (baseline,
    /// what-if) metric indices of the daily counts summed over it.
    window: Option<(usize, usize)>,
    window_pairs: Vec<Vec<(usize, usize)>>,
}

fn pairs(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    a.iter()
        .enumerate()
        .filter_map(|(i, n)| b.iter().position(|m| m == n).map(|j| (i, j)))
        .collect()
}

impl<'a> Comparison<'a> {
    /// The paired experiment of `base` against `whatifs` over the days all
    /// of them simulate.
    pub fn new(
        base: &'a Scenario,
        whatifs: &'a [Scenario],
        independent: bool,
        window: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Self> {
        check_whatifs(base, whatifs)?;
        let days = whatifs
            .iter()
            .map(|w| w.calendar.days)
            .fold(base.calendar.days, u32::min) as usize;
        let window = window
            .map(|(from, to)| window_days(base, days, from, to))
            .transpose()?;
        let base_exp = base.experiment();
        let base_metrics = base_exp.metrics();
        let base_kpis = base_exp.kpis();
        let keys: Vec<String> = base_metrics.iter().map(MetricSpec::key).collect();
        let kpi_names: Vec<String> = base_kpis.iter().map(|k| k.name.clone()).collect();
        let mut c = Self {
            base: base_exp,
            whatifs: Vec::new(),
            metric_pairs: Vec::new(),
            kpi_pairs: Vec::new(),
            metrics: Vec::new(),
            kpis: Vec::new(),
            days,
            independent,
            window,
            window_pairs: Vec::new(),
        };
        for w in whatifs {
            let exp = w.experiment();
            let mp = pairs(&keys, &exp.metric_names());
            let kp = pairs(&kpi_names, &exp.kpi_names());
            for (i, _) in &mp {
                let mut m = base_metrics[*i].clone();
                m.scenario = Some(w.name.clone());
                c.metrics.push(m);
            }
            for (i, _) in &kp {
                c.kpis
                    .extend(crate::results::compare::contrasts(&base_kpis[*i], &w.name));
            }
            let mut wp = Vec::new();
            if let Some((a, b)) = window {
                let (first, last) = (
                    base.calendar.date(a as u32),
                    base.calendar.date(b as u32 - 1),
                );
                for &(i, j) in &mp {
                    let m = &base_metrics[i];
                    if m.kind != MetricKind::Count || m.internal {
                        continue;
                    }
                    let (a, b) = (first.to_string(), last.to_string());
                    let name = crate::results::compare::window_kpi_name(&m.key(), &a, &b);
                    let label = crate::results::compare::window_kpi_label(m, &a, &b);
                    let mut spec = KpiSpec::of(name, m, Aggregate::Sum, label);
                    spec.window = Some((first.to_string(), last.to_string()));
                    c.kpis
                        .extend(crate::results::compare::contrasts(&spec, &w.name));
                    wp.push((i, j));
                }
            }
            c.window_pairs.push(wp);
            c.metric_pairs.push(mp);
            c.kpi_pairs.push(kp);
            c.whatifs.push((w.name.clone(), exp));
        }
        Ok(c)
    }

    /// The simulated days all scenarios share.
    pub fn days(&self) -> u32 {
        self.days as u32
    }
}

impl Experiment for Comparison<'_> {
    fn metrics(&self) -> Vec<MetricSpec> {
        self.metrics.clone()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        self.kpis.clone()
    }

    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let base = self.base.run_replication(seed, replication, check, stop)?;
        let mut violations = base.violations.clone();
        let mut daily = DailySeries::new(self.days, self.metrics.len());
        let mut kpis = Vec::with_capacity(self.kpis.len());
        let mut events = base.events;
        let mut col = 0;
        for (w, (_, exp)) in self.whatifs.iter().enumerate() {
            let s = if self.independent {
                seed.wrapping_add(INDEPENDENT_SEED_OFFSET.wrapping_mul(w as u64 + 1))
            } else {
                seed
            };
            let other = exp.run_replication(s, replication, check, stop)?;
            events += other.events;
            violations.extend(other.violations.iter().map(|v| format!("what-if {w}: {v}")));
            for d in 0..self.days {
                let row = daily.row_mut(d);
                for (k, (i, j)) in self.metric_pairs[w].iter().enumerate() {
                    row[col + k] = other.daily.get(d, *j) - base.daily.get(d, *i);
                }
            }
            col += self.metric_pairs[w].len();
            for (i, j) in &self.kpi_pairs[w] {
                let (b, x) = (base.kpis[*i], other.kpis[*j]);
                kpis.extend([b, x, x - b]);
            }
            if let Some((from, to)) = self.window {
                for (i, j) in &self.window_pairs[w] {
                    let b = base.daily.sum(*i, from, to);
                    let x = other.daily.sum(*j, from, to);
                    kpis.extend([b, x, x - b]);
                }
            }
        }
        Some(Replication {
            daily,
            kpis,
            events,
            violations,
        })
    }
}

/// Days `from..to+1` of a window given by its first and last date, which
/// must lie within the `days` simulated days all scenarios share.
fn window_days(
    base: &Scenario,
    days: usize,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(usize, usize)> {
    let start = base.calendar.start;
    let last = base.calendar.date(days.saturating_sub(1) as u32);
    if from > to || from < start || to > last {
        return Err(Error::Scenario {
            file: "--from/--to".into(),
            message: format!(
                "the window {from} to {to} must run forwards within the simulated days {start} to {last}"
            ),
        });
    }
    let day = |d: NaiveDate| (d - start).num_days() as usize;
    Ok((day(from), day(to) + 1))
}

/// Refuses what-ifs that cannot be paired with `base`.
fn check_whatifs(base: &Scenario, whatifs: &[Scenario]) -> Result<()> {
    if whatifs.is_empty() {
        return Err(Error::Other(
            "compare needs at least one what-if scenario".into(),
        ));
    }
    // A what-if's name names its rows of `compare.csv` and its KPIs: two
    // with one name would give rows nobody can tell apart. The baseline may
    // share a what-if's name (as a scenario compared with itself does): its
    // values are columns, never rows.
    for (i, w) in whatifs.iter().enumerate() {
        if let Some(first) = whatifs[..i].iter().find(|o| o.name == w.name) {
            return Err(Error::Invalid {
                file: w.source.clone(),
                problems: vec![Problem {
                    path: "name".into(),
                    message: format!(
                        "\"{}\" is also the name of the what-if {}; each what-if in a comparison needs its own name",
                        shown(&w.name),
                        shown(&first.source)
                    ),
                    at: None,
                }],
            });
        }
    }
    for w in whatifs {
        if w.calendar.start != base.calendar.start {
            return Err(Error::Scenario {
                file: w.source.clone(),
                message: format!(
                    "starts on {}, the baseline on {}: paired days need the same start",
                    w.calendar.start, base.calendar.start
                ),
            });
        }
    }
    Ok(())
}

/// Runs `base` and each of `whatifs` with common random numbers as one job
/// and writes the run files (records of the paired differences,
/// `summary.json`, `daily_summary.csv`) plus `compare.csv`.
pub fn compare(
    base: &Scenario,
    whatifs: &[Scenario],
    opts: &CompareOptions,
    cancel: Option<&AtomicBool>,
) -> Result<CompareOutcome> {
    let paired = Comparison::new(base, whatifs, opts.independent, opts.window)?;
    let seed = opts.run.seed.unwrap_or(base.seed);
    let total = u64::from(opts.run.replications.unwrap_or(base.replications));
    let mut header = RunHeader::new(base, &paired, seed, total);
    header.kind = crate::results::run::JobKind::Compare;
    header.days = paired.days();
    header.end = base
        .calendar
        .date(paired.days().saturating_sub(1))
        .to_string();
    // The identity of a comparison is every scenario in it.
    let hashes: Vec<String> = std::iter::once(base)
        .chain(whatifs)
        .map(Scenario::hash)
        .collect();
    header.scenario_hash = crate::scenario::sha256_hex(hashes.join(",").as_bytes());
    let resolved: Vec<ron::Value> = whatifs.iter().map(|w| w.resolved.clone()).collect();
    let whatifs_ron = ron::ser::to_string_pretty(&resolved, ron::ser::PrettyConfig::default())
        .map_err(|e| Error::Other(e.to_string()))?;
    let inputs = vec![
        ("scenario.ron".into(), base.resolved_ron().into_bytes()),
        ("whatifs.ron".into(), whatifs_ron.into_bytes()),
    ];
    let sources = std::iter::once(base)
        .chain(whatifs)
        .map(|s| PathBuf::from(&s.source))
        .collect();
    let job = Job::new(&paired, header, inputs).reading(sources);
    // Under a posterior, replication r of every arm runs with the same draw
    // (the draw depends on (seed, r) only), so differences stay paired.
    let (drawn_sets, drawn);
    let job = match opts.run.posterior.as_deref() {
        None => job,
        Some(p) => {
            for w in whatifs {
                p.check_whatif(base, w)?;
            }
            let range = opts.run.shard.unwrap_or(Shard::WHOLE).range(total);
            drawn_sets = p.build(seed, range, |d| {
                let arms: Result<Vec<Scenario>> =
                    whatifs.iter().map(|w| p.scenario(d, w)).collect();
                Ok((p.scenario(d, base)?, arms?))
            })?;
            let mut arms: Vec<(usize, Box<dyn Experiment + '_>)> = Vec::new();
            for (d, (b, ws)) in &drawn_sets {
                let c = Comparison::new(b, ws, opts.independent, opts.window)?;
                arms.push((*d, Box::new(c)));
            }
            drawn = PosteriorExperiment::new(p, &paired, arms)?;
            Job {
                experiment: &drawn,
                ..job
            }
            .under(p)
        }
    };
    // The job's header holds the seed and replications.
    let default_out = || {
        let whole = opts.run.shard.is_none_or(|s| s == Shard::WHOLE);
        crate::output::default_target(&format!("compare-{}", base.name), opts.run.resume, whole)
    };
    let run_opts = RunOptions {
        out: Some(opts.run.out.clone().unwrap_or_else(default_out)),
        ..opts.run.clone()
    };
    let outcome = run_job(&job, &run_opts, cancel)?;
    let kpis = crate::results::compare::differences(&job.header, &outcome.kpis);
    Ok(CompareOutcome {
        out_dir: outcome.out_dir,
        kpis,
        stats: outcome.stats,
    })
}
