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
use std::sync::atomic::AtomicBool;

use crate::error::{Error, Problem, Result};
use crate::input::shown;
use crate::metrics::DailySeries;
use crate::montecarlo::{
    BatchConfig, BatchStats, Experiment, Replication, check_violations, run_batch,
};
use crate::output::{OutputDir, csv_field, write_atomic};
pub use crate::results::compare::KpiDifference;
use crate::scenario::Scenario;
use crate::stats::Accumulator;

/// Seed offset that makes a what-if's streams independent of the baseline's
/// when common random numbers are turned off.
const INDEPENDENT_SEED_OFFSET: u64 = 0x9E37_79B9_7F4A_7C15;

/// Options of a comparison; `None` takes the baseline scenario's value.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// Replications per scenario.
    pub replications: Option<u32>,
    /// Master seed shared by all scenarios.
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: Option<usize>,
    /// Output folder (default `outputs/compare-<baseline name>`).
    pub out: Option<PathBuf>,
    /// Progress bar on a terminal.
    pub progress: bool,
    /// Give each what-if independent random numbers (for demonstration).
    pub independent: bool,
    /// Check every model's invariants after every event.
    pub check_invariants: bool,
    /// Draw the difference charts (PNG and SVG) into the output folder.
    pub charts: bool,
}

/// Metrics whose daily difference gets a chart when the model has them; a
/// model with none of them gets a chart for every metric.
const CHARTED: &[&str] = &[
    "usbp_apprehensions",
    "ofo_encounters",
    "mx_detections",
    "gotaways",
    "waiting_north",
    "port_queue",
];

/// What a comparison produced.
#[derive(Debug, Clone)]
pub struct CompareOutcome {
    /// Where the results are.
    pub out_dir: PathBuf,
    /// Every KPI of every what-if.
    pub kpis: Vec<KpiDifference>,
    /// Replications and events (of all scenarios together).
    pub stats: BatchStats,
}

/// One replication of the baseline and every what-if, reduced to differences.
struct Paired<'a> {
    base: Box<dyn Experiment + 'a>,
    whatifs: Vec<Box<dyn Experiment + 'a>>,
    /// For each what-if, (baseline metric index, what-if metric index) of the
    /// metrics both have, in the baseline's order.
    metric_pairs: Vec<Vec<(usize, usize)>>,
    /// Likewise for KPIs.
    kpi_pairs: Vec<Vec<(usize, usize)>>,
    days: usize,
    independent: bool,
    check: bool,
}

fn pairs(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    a.iter()
        .enumerate()
        .filter_map(|(i, n)| b.iter().position(|m| m == n).map(|j| (i, j)))
        .collect()
}

impl Paired<'_> {
    /// Daily table: for each what-if in turn, its paired metric differences.
    /// KPIs: for each what-if, for each paired KPI, (base, what-if).
    fn replicate(&self, seed: u64, replication: u64) -> Replication {
        let run = |exp: &dyn Experiment, seed| {
            if self.check {
                exp.replicate_checked(seed, replication)
            } else {
                exp.replicate(seed, replication)
            }
        };
        let base = run(self.base.as_ref(), seed);
        let mut violations = base.violations.clone();
        let width: usize = self.metric_pairs.iter().map(Vec::len).sum();
        let mut daily = DailySeries::new(self.days, width);
        let mut kpis = Vec::new();
        let mut events = base.events;
        let mut col = 0;
        for (w, exp) in self.whatifs.iter().enumerate() {
            let s = if self.independent {
                seed.wrapping_add(INDEPENDENT_SEED_OFFSET.wrapping_mul(w as u64 + 1))
            } else {
                seed
            };
            let other = run(exp.as_ref(), s);
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
                kpis.push(base.kpis[*i]);
                kpis.push(other.kpis[*j]);
            }
        }
        Replication {
            daily,
            kpis,
            events,
            violations,
        }
    }
}

/// Runs `base` and each of `whatifs` with common random numbers and writes
/// `compare.csv` (KPI differences) and `daily_diff.csv` (daily differences).
pub fn compare(
    base: &Scenario,
    whatifs: &[Scenario],
    opts: &CompareOptions,
    cancel: Option<&AtomicBool>,
) -> Result<CompareOutcome> {
    if whatifs.is_empty() {
        return Err(Error::Other(
            "compare needs at least one what-if scenario".into(),
        ));
    }
    // A what-if's name names its file (`whatif-<name>.ron`) and its rows of
    // `compare.csv` and `daily_diff.csv`: two with one name would overwrite
    // each other's file and leave rows nobody can tell apart. The baseline
    // may share a what-if's name (as a scenario compared with itself does):
    // its file is `baseline.ron` and its values are columns, never rows.
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
    let days = whatifs
        .iter()
        .map(|w| w.calendar.days)
        .fold(base.calendar.days, u32::min) as usize;
    let base_exp = base.experiment();
    let base_metrics = base_exp.metric_names();
    let base_kpis = base_exp.kpi_names();
    let whatif_exps: Vec<_> = whatifs.iter().map(Scenario::experiment).collect();
    let metric_pairs: Vec<_> = whatif_exps
        .iter()
        .map(|e| pairs(&base_metrics, &e.metric_names()))
        .collect();
    let kpi_pairs: Vec<_> = whatif_exps
        .iter()
        .map(|e| pairs(&base_kpis, &e.kpi_names()))
        .collect();
    let paired = Paired {
        base: base_exp,
        whatifs: whatif_exps,
        metric_pairs,
        kpi_pairs,
        days,
        independent: opts.independent,
        check: opts.check_invariants || cfg!(debug_assertions),
    };

    let width: usize = paired.metric_pairs.iter().map(Vec::len).sum();
    let mut cells = vec![Accumulator::default(); days * width];
    let n_kpi: usize = paired.kpi_pairs.iter().map(Vec::len).sum();
    // Per paired KPI: baseline, what-if, difference.
    let mut kpi_acc = vec![
        [
            Accumulator::default(),
            Accumulator::default(),
            Accumulator::default()
        ];
        n_kpi
    ];
    let seed = opts.seed.unwrap_or(base.seed);
    let config = BatchConfig {
        replications: 0..u64::from(opts.replications.unwrap_or(base.replications)),
        threads: opts.threads,
        progress: opts.progress,
    };
    let target = opts
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(format!("compare-{}", base.name)));
    let sources: Vec<PathBuf> = std::iter::once(base)
        .chain(whatifs)
        .map(|s| PathBuf::from(&s.source))
        .collect();
    let out = OutputDir::create(&target, "compare", false, &sources)?;
    let stats = run_batch(
        |r| paired.replicate(seed, r),
        &config,
        cancel,
        |r, rep| {
            check_violations(r, &rep)?;
            for d in 0..days {
                for (m, v) in rep.daily.row(d).iter().enumerate() {
                    cells[d * width + m].push(*v);
                }
            }
            for (k, acc) in kpi_acc.iter_mut().enumerate() {
                let (b, w) = (rep.kpis[2 * k], rep.kpis[2 * k + 1]);
                acc[0].push(b);
                acc[1].push(w);
                acc[2].push(w - b);
            }
            Ok(())
        },
    )?;

    // daily_diff.csv: whatif,date,metric,mean,ci95_low,ci95_high,p05,p25,p50,p75,p95
    let mut daily_csv =
        String::from("whatif,date,metric,mean,ci95_low,ci95_high,p05,p25,p50,p75,p95\n");
    let dates: Vec<String> = (0..days as u32)
        .map(|d| base.calendar.date(d).to_string())
        .collect();
    let charted = |m: &str| {
        CHARTED.contains(&m) || !base_metrics.iter().any(|b| CHARTED.contains(&b.as_str()))
    };
    let mut fans = Vec::new();
    let mut col = 0;
    for (w, scn) in whatifs.iter().enumerate() {
        let name = csv_field(&scn.name);
        let first_fan = fans.len();
        for (i, _) in &paired.metric_pairs[w] {
            if charted(&base_metrics[*i]) {
                fans.push((
                    scn.name.clone(),
                    base_metrics[*i].clone(),
                    Vec::with_capacity(days),
                ));
            }
        }
        for (d, date) in dates.iter().enumerate() {
            let mut f = first_fan;
            for (k, (i, _)) in paired.metric_pairs[w].iter().enumerate() {
                let s = cells[d * width + col + k].summary();
                if charted(&base_metrics[*i]) {
                    fans[f].2.push(crate::report::data::DayStats::from(&s));
                    f += 1;
                }
                daily_csv.push_str(&format!(
                    "{name},{date},{},{}\n",
                    csv_field(&base_metrics[*i]),
                    s.csv_fields()
                ));
            }
        }
        col += paired.metric_pairs[w].len();
    }
    write_atomic(&out.file("daily_diff.csv"), daily_csv.as_bytes())?;

    let mut kpis = Vec::new();
    let mut k = 0;
    for (w, scn) in whatifs.iter().enumerate() {
        for (i, _) in &paired.kpi_pairs[w] {
            let acc = &mut kpi_acc[k];
            kpis.push(KpiDifference {
                whatif: scn.name.clone(),
                kpi: base_kpis[*i].clone(),
                base: acc[0].summary(),
                whatif_value: acc[1].summary(),
                difference: acc[2].summary(),
            });
            k += 1;
        }
    }
    let mut csv = String::from(
        "whatif,kpi,base_mean,whatif_mean,diff_mean,diff_ci95_low,diff_ci95_high,diff_p05,diff_p50,diff_p95,relative_change\n",
    );
    for d in &kpis {
        let rel = if d.base.mean != 0.0 {
            d.difference.mean / d.base.mean
        } else {
            f64::NAN
        };
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&d.whatif),
            csv_field(&d.kpi),
            d.base.mean,
            d.whatif_value.mean,
            d.difference.mean,
            d.difference.ci95_low,
            d.difference.ci95_high,
            d.difference.p05,
            d.difference.p50,
            d.difference.p95,
            rel
        ));
    }
    write_atomic(&out.file("compare.csv"), csv.as_bytes())?;
    if opts.charts {
        let footer = crate::report::style::Footer {
            left: format!(
                "borderflow · compare against “{}” · seed {seed} · {} paired replications",
                base.name, stats.replications
            ),
            right: "common random numbers; bands: middle 50% and 90% of paired differences".into(),
        };
        let axis = crate::report::axis::DayAxis::new(base.calendar.start, days as u32);
        crate::report::diff::draw_comparison(out.path(), axis, fans, &kpis, &footer)?;
    }
    write_atomic(&out.file("baseline.ron"), base.resolved_ron().as_bytes())?;
    for w in whatifs {
        write_atomic(
            &out.file(&format!("whatif-{}.ron", w.name)),
            w.resolved_ron().as_bytes(),
        )?;
    }
    let out_dir = out.commit()?;
    Ok(CompareOutcome {
        out_dir,
        kpis,
        stats,
    })
}
