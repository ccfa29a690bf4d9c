//! `borderflow calibrate`: a posterior over a scenario's uncertain
//! parameters from observed monthly series, by likelihood-free Bayesian
//! inference (ABC-SMC), with a stated model discrepancy, a point estimate,
//! the posterior predictive scored against fit and holdout data.
//!
//! ```ron
//! (
//!     name: "mmc-fit",
//!     base: "../mmc.ron",                       // relative to this file
//!     parameters: [                             // scenario paths, as in sweeps
//!         (path: "model.arrival_rate_per_hour", min: 6, max: 9.8, prior: "uniform"),
//!         (path: "model.service_rate_per_hour", min: 0.8, max: 1.5, prior: "log_uniform"),
//!     ],
//!     targets: [                                // role "fit" enters the distance, "holdout" is only scored
//!         (metric: "served", role: "fit", monthly: [("2024-01", 6670), ("2024-02", 6250)]),
//!         (metric: "served", place: "Tucson", role: "holdout", monthly: [...]),
//!         (metric: "usbp_apprehensions", by: "place", role: "fit",
//!          shares: [("2023-05", {"Tucson": 25000, "El Paso": 30000})]),
//!     ],
//!     observed_targets: false,                  // also the base's `observed:` series
//!     replications: 1,                          // per candidate, common random numbers
//!     method: (kind: "abc_smc", particles: 160, keep: 0.5, moves: 2, min_acceptance: 0.05, generations: 8),
//!     discrepancy: (relative: 0.10, shares: 0.05),
//! )
//! ```
//!
//! How it runs: the sampler ([`smc`]) proposes parameter sets; each is
//! applied to the base scenario by path, the scenario validated and run for
//! `replications` replications **with the same seeds for every candidate**
//! (common random numbers: two candidates differ by their parameters, not
//! by their dice), simulated only to one day past the last fit month (a
//! model's days do not depend on later ones, the simulation being causal,
//! except that a run's very last day may differ in a few arrivals from a
//! longer run's: a random stream draws ahead into the next day when there
//! is one; the extra day keeps every fit day identical, which a test
//! checks); the distance to the fit targets
//! ([`targets`]) decides which are kept. Then every posterior draw is run
//! over the whole target period (holdout months too) and the predictive is
//! scored. Candidates run in parallel with rayon and are collected in
//! order: the same seed gives the same posterior on any thread count. A
//! checkpoint after each generation lets `--resume` continue an interrupted
//! calibration to the same bits.

mod file;
pub mod prior;
pub mod smc;
pub mod targets;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use file::{Calibration, Method, Parameter, load};

use crate::error::{Error, Result};
use crate::output::{OutputDir, write_atomic, write_replace};
use crate::results::calibration::{CalibrationSummary, Generation, ParameterSummary};
use crate::results::score::write_table;
use crate::runner::Charts;
use crate::scenario::{Role, Scenario, source};
use smc::{Settings, State};
use targets::{Bound, Simulated};

/// Name of the checkpoint in the staging folder.
const CHECKPOINT: &str = "calibration.checkpoint.json";

/// Stratified quantiles of the log-normal discrepancy per simulated value
/// in the predictive (see [`targets::discrepancy_factors`]): 21 keep the
/// 5% and 95% quantiles of a single value within 1% of the exact ones.
const DISCREPANCY_POINTS: usize = 21;

/// What the intervals of a calibration's `fit.csv` contain.
pub const UNCERTAINTY: &str = "parameter + Monte Carlo uncertainty, plus the stated model discrepancy (log-normal, σ = the stated relative discrepancy) for monthly totals";

/// How to run a calibration.
#[derive(Debug, Clone, Default)]
pub struct CalibrateOptions {
    /// Output folder (default `outputs/<name>`).
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    pub threads: Option<usize>,
    /// Continue from the staging folder's checkpoint.
    pub resume: bool,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Draws charts and `report.html` into the finished folder.
    pub charts: Option<Charts>,
    /// The calibration file, which the output folder must not hold.
    pub sources: Vec<PathBuf>,
}

/// What a calibration did.
#[derive(Debug)]
pub struct Outcome {
    /// Where the results are.
    pub out_dir: PathBuf,
    /// The summary written to `calibration.json`.
    pub summary: CalibrationSummary,
}

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    hash: String,
    state: State,
}

/// The base scenario with parameter `values` (in the parameters' order,
/// natural units) set and the horizon ending on `end`, without the
/// interventions that would start after it (validation refuses those as
/// never applying; they cannot change an earlier day). Parameters are set
/// first, so a path that names a list element by position still finds it.
pub fn scenario_with(cal: &Calibration, values: &[f64], end: NaiveDate) -> Result<Scenario> {
    let mut v = cal.base.resolved.clone();
    for (p, &x) in cal.parameters.iter().zip(values) {
        source::set_path(&mut v, &p.path, p.ron(x)).map_err(|message| Error::Scenario {
            file: cal.label.clone(),
            message: format!("{}: {message}", p.path),
        })?;
    }
    let v = crate::scenario::smoke::cut_horizon(v, end).map_err(|message| Error::Scenario {
        file: cal.label.clone(),
        message,
    })?;
    Scenario::from_value(v, &cal.base.source)
}

/// Natural-unit values of a sampler-space point.
fn values_of(cal: &Calibration, u: &[f64]) -> Vec<f64> {
    cal.parameters
        .iter()
        .zip(u)
        .map(|(p, &x)| p.value(x))
        .collect()
}

/// The sampler's settings from the calibration's method.
pub fn settings(m: &Method) -> Settings {
    let keep = (f64::from(m.particles) * m.keep).round() as usize;
    Settings {
        particles: m.particles as usize,
        keep,
        moves: m.moves,
        min_acceptance: m.min_acceptance,
        generations: m.generations,
        floor: 1.0,
    }
}

/// Runs `replications` replications of the scenario with `values` to
/// `end` and returns what each says of `bound`; `Ok(None)` when stopped,
/// `Err` when the scenario is invalid.
fn simulate(
    cal: &Calibration,
    values: &[f64],
    end: NaiveDate,
    bound: &[Bound],
    stop: &AtomicBool,
    bar: &ProgressBar,
) -> Result<Option<Vec<Simulated>>> {
    let exp = scenario_with(cal, values, end)?.into_experiment();
    let mut out = Vec::with_capacity(cal.replications as usize);
    for r in 0..u64::from(cal.replications) {
        let Some(rep) = exp.run_replication(cal.seed, r, false, Some(stop)) else {
            return Ok(None);
        };
        out.push(targets::simulate(bound, &rep.daily));
        bar.inc(1);
    }
    Ok(Some(out))
}

/// Binds the targets of `role` (or all) to the scenario at the base values
/// ending on `end`.
fn bind_at(cal: &Calibration, role: Option<Role>, end: NaiveDate) -> Result<Vec<Bound>> {
    let base: Vec<f64> = cal.parameters.iter().map(|p| p.base_value).collect();
    let scn = scenario_with(cal, &base, end)?;
    let metrics = scn.experiment().metrics();
    targets::bind(&cal.targets, role, &metrics, &scn.calendar).map_err(|message| Error::Scenario {
        file: cal.label.clone(),
        message,
    })
}

/// Runs the calibration and writes its folder.
pub fn calibrate(
    cal: &Calibration,
    opts: &CalibrateOptions,
    cancel: Option<&AtomicBool>,
) -> Result<Outcome> {
    let t0 = Instant::now();
    let target = opts
        .out
        .clone()
        .unwrap_or_else(|| crate::output::default_target(&cal.name, opts.resume, true));
    let mut out = OutputDir::create(&target, "calibrate", opts.resume, &opts.sources)?;
    let s = settings(&cal.method);
    let threads = crate::montecarlo::worker_threads(opts.threads, s.particles as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {threads} worker threads: {e}")))?;
    let never = AtomicBool::new(false);
    let stop = cancel.unwrap_or(&never);

    let resumed = if out.resumed() {
        read_checkpoint(&out, cal)?
    } else {
        None
    };
    let fit_bound = bind_at(cal, Some(Role::Fit), cal.candidate_end())?;
    let reps = u64::from(cal.replications);
    // At most: the prior draws, every move of every generation, and one
    // predictive run per particle (copies are run once).
    let planned = (s.particles as u64
        + u64::from(s.generations) * ((s.particles - s.keep) as u64) * u64::from(s.moves)
        + s.particles as u64)
        * reps;
    let bar = progress_bar(opts.progress, planned);
    let priors: Vec<_> = cal.parameters.iter().map(|p| p.bounded).collect();
    let eval = |_t: u32, cands: &[Vec<f64>]| -> Option<Vec<f64>> {
        let d: Vec<Option<f64>> = pool.install(|| {
            cands
                .par_iter()
                .map(|u| {
                    if stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    match simulate(
                        cal,
                        &values_of(cal, u),
                        cal.candidate_end(),
                        &fit_bound,
                        stop,
                        &bar,
                    ) {
                        Ok(Some(runs)) => Some(targets::distance(
                            &fit_bound,
                            &cal.targets,
                            &targets::mean_of(&runs),
                            cal.discrepancy,
                            cal.share_discrepancy,
                        )),
                        Ok(None) => None,
                        // A combination the model refuses is no fit at all.
                        Err(_) => Some(f64::INFINITY),
                    }
                })
                .collect()
        });
        d.into_iter().collect()
    };

    let mut state = match resumed {
        Some(st) => st,
        None => {
            let st = smc::start(&s, &priors, cal.seed, &eval, cal.replications)
                .ok_or_else(|| interrupted(&mut out))?;
            save_checkpoint(&out, cal, &st)?;
            st
        }
    };
    bar.set_position(state.trace.iter().map(|g| g.simulations).sum());
    report_generation(&bar, state.trace.last());
    while state.stopped.is_none() {
        state = smc::step(&state, &s, &priors, cal.seed, &eval, cal.replications)
            .ok_or_else(|| interrupted(&mut out))?;
        save_checkpoint(&out, cal, &state)?;
        report_generation(&bar, state.trace.last());
    }

    // The posterior predictive over every target's months.
    let all_bound = bind_at(cal, None, cal.predictive_end)?;
    let posterior = smc::posterior(&state);
    let weights: Vec<f64> = posterior.iter().map(|(_, w)| *w).collect();
    let draws: Vec<Vec<f64>> = posterior
        .iter()
        .map(|(p, _)| values_of(cal, &p.u))
        .collect();
    bar.set_length(bar.position() + draws.len() as u64 * reps);
    let runs: Vec<Option<Vec<Simulated>>> = pool.install(|| {
        draws
            .par_iter()
            .map(|v| simulate(cal, v, cal.predictive_end, &all_bound, stop, &bar))
            .collect::<Result<Vec<_>>>()
    })?;
    let Some(runs) = runs.into_iter().collect::<Option<Vec<_>>>() else {
        return Err(interrupted(&mut out));
    };
    bar.finish_and_clear();
    let factors = targets::discrepancy_factors(cal.discrepancy, DISCREPANCY_POINTS);
    let (fit, scores) = targets::predictive(&all_bound, &cal.targets, &runs, &weights, &factors);
    let simulations: u64 =
        state.trace.iter().map(|g| g.simulations).sum::<u64>() + draws.len() as u64 * reps;
    let summary = summarise(
        cal,
        &state,
        &draws,
        &weights,
        &all_bound,
        &runs,
        simulations,
        t0,
        threads,
    );
    write_results(&out, cal, &draws, &weights, &summary)?;
    write_table(&out.file("fit.csv"), &fit)?;
    write_table(&out.file("score.csv"), &scores)?;
    if let Some(draw) = opts.charts {
        draw(out.path())?;
    }
    std::fs::remove_file(out.file(CHECKPOINT)).map_err(|e| Error::Output {
        path: out.file(CHECKPOINT),
        source: e,
    })?;
    let out_dir = out.commit()?;
    Ok(Outcome { out_dir, summary })
}

fn progress_bar(show: bool, total: u64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} calibrating [{elapsed_precise}] {bar:30} {pos}/{len} model runs, ETA {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn report_generation(bar: &ProgressBar, g: Option<&Generation>) {
    if let Some(g) = g {
        bar.set_message(format!(
            "generation {}: tolerance {:.3}, acceptance {:.0}%",
            g.generation,
            g.tolerance,
            100.0 * g.acceptance
        ));
        if !bar.is_hidden() {
            bar.println(format!(
                "generation {:>2}: tolerance {:>8.3}  acceptance {:>4.0}%  ESS {:>6.1}  {} runs in {:.0} s",
                g.generation,
                g.tolerance,
                100.0 * g.acceptance,
                g.ess,
                g.simulations,
                g.seconds
            ));
        }
    }
}

fn interrupted(out: &mut OutputDir) -> Error {
    out.keep();
    Error::Interrupted(format!(
        "the calibration's last finished generation is kept in {}; continue it with --resume",
        out.path().display()
    ))
}

fn save_checkpoint(out: &OutputDir, cal: &Calibration, state: &State) -> Result<()> {
    let c = Checkpoint {
        hash: cal.hash.clone(),
        state: state.clone(),
    };
    let text = serde_json::to_string(&c).map_err(|e| Error::Other(e.to_string()))?;
    write_replace(&out.file(CHECKPOINT), text.as_bytes())
}

fn read_checkpoint(out: &OutputDir, cal: &Calibration) -> Result<Option<State>> {
    let path = out.file(CHECKPOINT);
    if !path.is_file() {
        return Ok(None);
    }
    let text = crate::input::read_text(&path, 64 * crate::input::MAX_INPUT_BYTES)?;
    let refused = |why: &str| Error::Refused {
        path: crate::input::shown(&out.path().display().to_string()),
        message: format!(
            "{why}; it is left as it is. Resume with the same calibration file, base and --set, or move the folder away"
        ),
    };
    let c: Checkpoint =
        serde_json::from_str(&text).map_err(|_| refused("the checkpoint is damaged"))?;
    if c.hash != cal.hash {
        return Err(refused(
            "the checkpoint is of another calibration (file, base scenario or --set differ)",
        ));
    }
    Ok(Some(c.state))
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    cal: &Calibration,
    state: &State,
    draws: &[Vec<f64>],
    weights: &[f64],
    bound: &[Bound],
    runs: &[Vec<Simulated>],
    simulations: u64,
    t0: Instant,
    threads: usize,
) -> CalibrationSummary {
    let parameters = cal
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let members: Vec<(f64, f64)> =
                draws.iter().zip(weights).map(|(d, &w)| (d[i], w)).collect();
            let q = crate::score::quantiles(&members, &[0.05, 0.5, 0.95]);
            ParameterSummary {
                path: p.path.clone(),
                label: p.label.clone(),
                min: p.bounded.min,
                max: p.bounded.max,
                prior: p.prior_text.clone(),
                integer: p.integer,
                base_value: Some(p.base_value),
                estimate: q[1],
                p05: q[0],
                p95: q[2],
            }
        })
        .collect();
    // The posterior predictive mean of the fit months, scored as the
    // distance is but in plain log (and TV) units.
    let fit_only: Vec<Bound> = bound
        .iter()
        .filter(|b| cal.targets[b.target].role == Role::Fit)
        .cloned()
        .collect();
    let mean = targets::weighted_mean(runs, weights);
    let fit_mean: Simulated = mean
        .into_iter()
        .zip(bound)
        .filter(|(_, b)| cal.targets[b.target].role == Role::Fit)
        .map(|(m, _)| m)
        .collect();
    let realised_error = targets::distance(&fit_only, &cal.targets, &fit_mean, 1.0, 1.0);
    let s = settings(&cal.method);
    CalibrationSummary {
        kind: "calibrate".into(),
        borderflow_version: env!("CARGO_PKG_VERSION").into(),
        name: cal.name.clone(),
        description: cal.description.clone(),
        base_scenario: cal.base.name.clone(),
        base_hash: cal.base.hash(),
        seed: cal.seed,
        method: format!(
            "ABC-SMC with MCMC moves (Drovandi & Pettitt 2011): {} particles, the best {} survive each generation and the rest are replenished from them by {} Metropolis–Hastings move(s) each (Gaussian random walk, survivors' covariance × 2.38²/d), at most {} generations after the first, stopping below {:.0}% accepted moves or at the stated discrepancy; posterior = the distinct particles weighted by their copies; point estimate = weighted posterior median of each parameter",
            s.particles,
            s.keep,
            s.moves,
            s.generations,
            100.0 * s.min_acceptance
        ),
        stopped: state.stopped.clone().unwrap_or_default(),
        discrepancy: cal.discrepancy,
        share_discrepancy: cal.share_discrepancy,
        realised_error,
        replications: cal.replications,
        draws: draws.len(),
        ess: smc::ess_of(weights),
        simulations,
        seconds: t0.elapsed().as_secs_f64(),
        threads,
        fit_end: cal.fit_end.to_string(),
        predictive_end: cal.predictive_end.to_string(),
        parameters,
        generations: state.trace.clone(),
        uncertainty: UNCERTAINTY.into(),
    }
}

/// `posterior.csv`, `generations.csv`, `calibration.json`,
/// `calibrated.ron` and the inputs.
fn write_results(
    out: &OutputDir,
    cal: &Calibration,
    draws: &[Vec<f64>],
    weights: &[f64],
    summary: &CalibrationSummary,
) -> Result<()> {
    let csv_err = |e: csv::Error| Error::Output {
        path: out.file("posterior.csv"),
        source: std::io::Error::other(e.to_string()),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["draw".to_string(), "weight".to_string()];
    header.extend(cal.parameters.iter().map(|p| p.path.clone()));
    w.write_record(&header).map_err(csv_err)?;
    for (i, (d, wt)) in draws.iter().zip(weights).enumerate() {
        let mut row = vec![i.to_string(), format!("{wt:e}")];
        row.extend(
            cal.parameters
                .iter()
                .zip(d)
                .map(|(p, v)| number_text(p, *v)),
        );
        w.write_record(&row).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(|e| csv_err(e.into_error().into()))?;
    write_atomic(&out.file("posterior.csv"), &bytes)?;
    write_table(&out.file("generations.csv"), &summary.generations)?;
    let json = serde_json::to_string_pretty(summary).map_err(|e| Error::Other(e.to_string()))?;
    write_atomic(
        &out.file(crate::results::calibration::SUMMARY_FILE),
        format!("{json}\n").as_bytes(),
    )?;
    write_atomic(&out.file("calibration.ron"), cal.source_text.as_bytes())?;
    write_atomic(&out.file("base.ron"), cal.base.resolved_ron().as_bytes())?;
    write_atomic(
        &out.file("calibrated.ron"),
        calibrated_ron(cal, summary).as_bytes(),
    )?;
    Ok(())
}

/// A parameter value as text: whole numbers without a decimal point for
/// integer parameters, the shortest round-trip form otherwise.
fn number_text(p: &Parameter, v: f64) -> String {
    if p.integer {
        format!("{}", v.round() as i64)
    } else {
        let mut b = ryu::Buffer::new();
        b.format(v).to_string()
    }
}

/// `calibrated.ron`: the base (saved beside it as `base.ron`) with each
/// parameter at its posterior median, over the whole target period, with
/// the monthly targets as observed series (so `run` scores them).
fn calibrated_ron(cal: &Calibration, summary: &CalibrationSummary) -> String {
    let mut s = format!(
        "// Written by `borderflow calibrate` (calibration \"{}\"): the base scenario\n\
         // (base.ron) with each calibrated parameter at its weighted posterior median.\n\
         // `borderflow run calibrated.ron --posterior posterior.csv` adds the\n\
         // parameter uncertainty to the Monte Carlo noise. `calibrated` works as\n\
         // `set` does; a what-if's own `set` of these paths draws a warning.\n(\n    extend: \"base.ron\",\n    name: \"{}-calibrated\",\n    end: \"{}\",\n    calibrated: {{\n",
        cal.name, cal.name, cal.predictive_end
    );
    for (p, ps) in cal.parameters.iter().zip(&summary.parameters) {
        s += &format!("        {:?}: {},\n", p.path, number_text(p, ps.estimate));
    }
    s += "    },\n    observed: [\n";
    for t in &cal.targets {
        let targets::Observed::Monthly(months) = &t.observed else {
            continue;
        };
        s += &format!("        (metric: {:?}, ", t.metric);
        if let Some(p) = &t.place {
            s += &format!("place: {p:?}, ");
        }
        if let Some(o) = &t.origin {
            s += &format!("origin: {o:?}, ");
        }
        s += &format!(
            "role: {:?}, weight: {}, monthly: [",
            t.role.name(),
            t.weight
        );
        let cells: Vec<String> = months
            .iter()
            .map(|(m, v)| format!("({:?}, {v})", m.format("%Y-%m").to_string()))
            .collect();
        s += &cells.join(", ");
        s += "]),\n";
    }
    s += "    ],\n)\n";
    s
}
