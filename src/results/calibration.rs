//! What a calibration leaves in its folder, written by `borderflow
//! calibrate` and read by the report:
//!
//! - `calibration.json`: [`CalibrationSummary`] (method, priors, estimates,
//!   the convergence trace, the cost);
//! - `posterior.csv`: `draw,weight,<scenario path>,…`, the weighted
//!   posterior sample (read by `run --posterior`);
//! - `fit.csv`, `score.csv`: the posterior predictive against every target
//!   ([`super::score`]);
//! - `generations.csv`: the trace as a table ([`Generation`] rows);
//! - `calibrated.ron`: a scenario that `extend`s the base and `set`s the
//!   point estimate; `calibration.ron`, `base.ron`: the inputs as given.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Reads a number that JSON may hold as `null`: serde_json writes NaN and
/// ±∞ (an empty score, a distance no candidate brought down) as `null`,
/// which must read back, as NaN, rather than make the folder unreadable.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// Name of the summary file; its presence makes a folder a calibration.
pub const SUMMARY_FILE: &str = "calibration.json";

/// One calibrated parameter: its prior and what the posterior says of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSummary {
    /// The scenario path (`model.mexico.enforcement_personnel`).
    pub path: String,
    /// A short human label (the path when none was given).
    pub label: String,
    /// Prior support, lower end.
    pub min: f64,
    /// Prior support, upper end.
    pub max: f64,
    /// The prior as written (`uniform`, `log_uniform`, `normal(1, 0.2)`).
    pub prior: String,
    /// Whether values are rounded to integers before use.
    pub integer: bool,
    /// The value in the base scenario, if it has one (for comparison).
    pub base_value: Option<f64>,
    /// The point estimate written to `calibrated.ron`: the weighted
    /// posterior median.
    #[serde(deserialize_with = "nan_if_null")]
    pub estimate: f64,
    /// Weighted posterior 5% quantile.
    #[serde(deserialize_with = "nan_if_null")]
    pub p05: f64,
    /// Weighted posterior 95% quantile.
    #[serde(deserialize_with = "nan_if_null")]
    pub p95: f64,
}

/// One generation of the sequential Monte Carlo sampler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// 0 = the draws from the prior.
    pub generation: u32,
    /// The tolerance after this generation: every particle's distance is
    /// at most this [discrepancy units; 1 = fits within the stated model
    /// discrepancy].
    #[serde(deserialize_with = "nan_if_null")]
    pub tolerance: f64,
    /// Share of this generation's Metropolis–Hastings moves accepted [0–1]
    /// (1 for generation 0, the prior draws).
    #[serde(deserialize_with = "nan_if_null")]
    pub acceptance: f64,
    /// Effective sample size of the population: its distinct particles
    /// weighted by their copies, (Σw)²/Σw² [particles].
    #[serde(deserialize_with = "nan_if_null")]
    pub ess: f64,
    /// Model runs in this generation (candidates × replications).
    pub simulations: u64,
    /// Wall time of the generation [s] (not part of any result).
    #[serde(deserialize_with = "nan_if_null")]
    pub seconds: f64,
}

/// `calibration.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationSummary {
    /// Always `calibrate`.
    pub kind: String,
    /// borderflow's version.
    pub borderflow_version: String,
    /// The calibration's name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The base scenario's name and SHA-256 of its resolved form.
    pub base_scenario: String,
    /// SHA-256 of the base scenario.
    pub base_hash: String,
    /// Master seed.
    pub seed: u64,
    /// The sampler in words (name, particles, kept share, stopping rule).
    pub method: String,
    /// Why the sampler stopped.
    pub stopped: String,
    /// The stated model discrepancy: relative error [×] of monthly totals
    /// (log scale) that the distance is measured in and the predictive
    /// intervals include.
    #[serde(deserialize_with = "nan_if_null")]
    pub discrepancy: f64,
    /// The same for share targets: total-variation distance [0–1].
    #[serde(deserialize_with = "nan_if_null")]
    pub share_discrepancy: f64,
    /// Root mean square log error of the posterior mean over the fit
    /// targets' months, with their weights [×]: compare with `discrepancy`.
    #[serde(deserialize_with = "nan_if_null")]
    pub realised_error: f64,
    /// Replications per candidate (common random numbers across
    /// candidates).
    pub replications: u32,
    /// Posterior draws kept (rows of `posterior.csv`).
    pub draws: usize,
    /// Effective sample size of the posterior: distinct draws weighted by
    /// their copies, (Σw)²/Σw² [draws].
    #[serde(deserialize_with = "nan_if_null")]
    pub ess: f64,
    /// Model runs in all (candidates × replications, plus the predictive
    /// runs over the whole target period).
    pub simulations: u64,
    /// Wall time [s] and worker threads: the cost, not a result.
    #[serde(deserialize_with = "nan_if_null")]
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Last date the candidates were simulated to (the last fit month);
    /// the predictive runs go to the last target month.
    pub fit_end: String,
    /// Last simulated date of the predictive runs.
    pub predictive_end: String,
    /// The parameters.
    pub parameters: Vec<ParameterSummary>,
    /// The convergence trace.
    pub generations: Vec<Generation>,
    /// What the intervals in `fit.csv` contain, in words.
    pub uncertainty: String,
}

impl CalibrationSummary {
    /// Reads `calibration.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(SUMMARY_FILE);
        let text = crate::input::read_text(&path, crate::input::MAX_INPUT_BYTES)?;
        serde_json::from_str(&text).map_err(|e| Error::Scenario {
            file: path.display().to_string(),
            message: format!("not a calibration summary borderflow wrote: {e}"),
        })
    }
}

/// Whether `dir` holds a calibration's results.
pub fn is_calibration(dir: &Path) -> bool {
    dir.join(SUMMARY_FILE).is_file()
}
