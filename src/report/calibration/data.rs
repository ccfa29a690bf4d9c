//! A calibration folder read back for its charts: `calibration.json`,
//! `fit.csv`, `score.csv` through their types in [`crate::results`], and
//! `posterior.csv` (the weighted draws) read here, checked against the
//! summary's parameters so every chart can index draws by parameter.

use std::path::Path;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::input::shown;
use crate::results::calibration::{CalibrationSummary, ParameterSummary};
use crate::results::score::{FitRow, ScoreRow, read_table};
use crate::scenario::Role;

/// Name of the weighted posterior sample.
pub const POSTERIOR_FILE: &str = "posterior.csv";
/// Name of the posterior predictive against every target month.
pub const FIT_FILE: &str = "fit.csv";
/// Name of the per-target scores.
pub const SCORE_FILE: &str = "score.csv";

/// An input error about one of the folder's files (exit code 2).
fn bad(file: &Path, message: impl Into<String>) -> Error {
    Error::Scenario {
        file: file.display().to_string(),
        message: message.into(),
    }
}

/// Everything the calibration report draws from.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// `calibration.json`.
    pub summary: CalibrationSummary,
    /// `fit.csv`: one row per target month.
    pub fit: Vec<FitRow>,
    /// `score.csv`: one row per target and role.
    pub scores: Vec<ScoreRow>,
    /// Weight of each posterior draw [≥ 0, not normalised].
    pub weights: Vec<f64>,
    /// `draws[p][d]`: parameter `p` (in the summary's order) in draw `d`.
    pub draws: Vec<Vec<f64>>,
}

impl Calibration {
    /// Reads the calibration in `dir`. A missing or damaged file is an input
    /// error naming it, as is a summary parameter without a column in
    /// `posterior.csv`.
    pub fn load(dir: &Path) -> Result<Self> {
        let summary = CalibrationSummary::load(dir)?;
        let fit: Vec<FitRow> = read_table(&dir.join(FIT_FILE))?;
        let scores: Vec<ScoreRow> = read_table(&dir.join(SCORE_FILE))?;
        for row in &fit {
            month_of(&dir.join(FIT_FILE), &row.month)?;
        }
        let path = dir.join(POSTERIOR_FILE);
        let posterior = Posterior::read(&path)?;
        let mut draws = Vec::with_capacity(summary.parameters.len());
        for p in &summary.parameters {
            let column = posterior.column(&p.path).ok_or_else(|| {
                bad(
                    &path,
                    format!(
                        "has no column for parameter `{}`, which calibration.json lists; the \
                         folder's files do not belong together",
                        shown(&p.path)
                    ),
                )
            })?;
            draws.push(column);
        }
        Ok(Self {
            summary,
            fit,
            scores,
            weights: posterior.weights,
            draws,
        })
    }

    /// The target series of `fit.csv` in their first-seen order.
    pub fn series(&self) -> Vec<Series> {
        let mut out: Vec<Series> = Vec::new();
        for row in &self.fit {
            let key = (row.metric.clone(), row.place.clone(), row.origin.clone());
            let Ok(month) = crate::calendar::check_month(&row.month) else {
                continue; // checked in `load`
            };
            let point = MonthPoint {
                month,
                observed: row.observed,
                mean: row.mean,
                p05: row.p05,
                p95: row.p95,
                holdout: row.role == Role::Holdout.name(),
            };
            match out.iter_mut().find(|s| s.key == key) {
                Some(s) => s.months.push(point),
                None => out.push(Series {
                    key,
                    months: vec![point],
                }),
            }
        }
        for s in &mut out {
            s.months.sort_by_key(|m| m.month);
        }
        out
    }
}

/// The first day of month `text` (`YYYY-MM`), or an input error naming
/// `file`.
fn month_of(file: &Path, text: &str) -> Result<NaiveDate> {
    crate::calendar::check_month(text).map_err(|e| bad(file, e))
}

/// One target month of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthPoint {
    /// The month's first day.
    pub month: NaiveDate,
    /// Observed monthly total [unit of the metric × days].
    pub observed: f64,
    /// Posterior predictive mean of the month's total.
    pub mean: f64,
    /// Its 5% quantile.
    pub p05: f64,
    /// Its 95% quantile.
    pub p95: f64,
    /// Held out: scored, never in the objective.
    pub holdout: bool,
}

/// One target series (metric, place, origin), fit and holdout months
/// together in month order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// (metric, place, origin); place and origin empty for none.
    pub key: (String, String, String),
    /// Its months.
    pub months: Vec<MonthPoint>,
}

/// `posterior.csv`: `draw,weight,<scenario path>,…`.
#[derive(Debug, Clone)]
struct Posterior {
    /// Scenario paths of the value columns.
    paths: Vec<String>,
    /// Weight of each draw.
    weights: Vec<f64>,
    /// `values[d][c]`: column `c` of draw `d`.
    values: Vec<Vec<f64>>,
}

impl Posterior {
    /// Reads and checks `posterior.csv`: the header, a number in every
    /// field, weights finite and ≥ 0 with a positive sum.
    fn read(path: &Path) -> Result<Self> {
        let text = crate::input::read_text(path, crate::input::MAX_INPUT_BYTES)?;
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let not_ours = |e: &csv::Error| bad(path, format!("not a table borderflow wrote: {e}"));
        let header = reader.headers().map_err(|e| not_ours(&e))?.clone();
        if header.get(0) != Some("draw") || header.get(1) != Some("weight") {
            return Err(bad(
                path,
                "does not start with the columns `draw,weight`: not a posterior sample \
                 borderflow wrote",
            ));
        }
        let paths: Vec<String> = header.iter().skip(2).map(str::to_string).collect();
        let (mut weights, mut values) = (Vec::new(), Vec::new());
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| not_ours(&e))?;
            let mut numbers = Vec::with_capacity(record.len());
            for (field, name) in record.iter().zip(header.iter()) {
                let v: f64 = field.trim().parse().map_err(|_| {
                    bad(
                        path,
                        format!(
                            "row {}, column `{}`: `{}` is not a number",
                            i + 2,
                            shown(name),
                            shown(field)
                        ),
                    )
                })?;
                numbers.push(v);
            }
            let weight = numbers.get(1).copied().unwrap_or(f64::NAN);
            if !(weight.is_finite() && weight >= 0.0) {
                return Err(bad(
                    path,
                    format!(
                        "row {}: the weight {weight} is not a finite number ≥ 0",
                        i + 2
                    ),
                ));
            }
            weights.push(weight);
            values.push(numbers.split_off(2.min(numbers.len())));
        }
        if weights.iter().sum::<f64>() <= 0.0 {
            return Err(bad(
                path,
                "holds no draw with a positive weight: there is no posterior to draw",
            ));
        }
        Ok(Self {
            paths,
            weights,
            values,
        })
    }

    /// The values of the column named `path`, one per draw.
    fn column(&self, path: &str) -> Option<Vec<f64>> {
        let c = self.paths.iter().position(|p| p == path)?;
        self.values.iter().map(|row| row.get(c).copied()).collect()
    }
}

/// How a parameter's axis is drawn: its range and whether in log scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamAxis {
    /// Lower end (the prior's, widened to any draw outside it).
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Log scale: a `log_…` prior over positive values, whose draws spread
    /// evenly in the logarithm.
    pub log: bool,
}

impl ParamAxis {
    /// The axis of parameter `p` with posterior values `values`: its prior
    /// range, so one sees where in the prior the posterior sits, widened to
    /// hold every finite value (a damaged or hand-made folder) and to a
    /// non-empty span.
    pub fn of(p: &ParameterSummary, values: &[f64]) -> Self {
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let mut lo = finite.clone().fold(f64::INFINITY, f64::min);
        let mut hi = finite.fold(f64::NEG_INFINITY, f64::max);
        if p.min.is_finite() {
            lo = lo.min(p.min);
        }
        if p.max.is_finite() {
            hi = hi.max(p.max);
        }
        Self::spanning(p, lo, hi)
    }

    /// The axis of parameter `p` over its draws of positive weight only
    /// (5% spare each side), where a posterior much narrower than its prior
    /// shows its shape; the prior's range when no draw has weight.
    pub fn of_draws(p: &ParameterSummary, values: &[f64], weights: &[f64]) -> Self {
        let kept = values
            .iter()
            .zip(weights)
            .filter(|(v, w)| v.is_finite() && w.is_finite() && **w > 0.0)
            .map(|(v, _)| *v);
        let lo = kept.clone().fold(f64::INFINITY, f64::min);
        let hi = kept.fold(f64::NEG_INFINITY, f64::max);
        if !(lo.is_finite() && hi.is_finite()) {
            return Self::of(p, values);
        }
        let span = Self::spanning(p, lo, hi);
        Self {
            lo: span.value(-0.05),
            hi: span.value(1.05),
            log: span.log,
        }
    }

    /// An axis from `lo` to `hi` in the scale of `p`'s prior: (0, 1) when
    /// either end is not a number, widened when they meet.
    fn spanning(p: &ParameterSummary, mut lo: f64, mut hi: f64) -> Self {
        if !(lo.is_finite() && hi.is_finite()) {
            (lo, hi) = (0.0, 1.0);
        }
        let log = p.prior.trim_start().starts_with("log") && lo > 0.0;
        if hi <= lo {
            let pad = if log {
                lo * 0.5
            } else {
                lo.abs().max(1.0) * 0.5
            };
            (lo, hi) = (lo - pad, hi + pad);
        }
        Self { lo, hi, log }
    }

    /// Position of `v` on the axis [0–1]: linear in the value, or in its
    /// logarithm.
    pub fn unit(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// The value at position `t` [0–1] (the inverse of [`ParamAxis::unit`]).
    pub fn value(&self, t: f64) -> f64 {
        if self.log {
            (self.lo.ln() + t * (self.hi.ln() - self.lo.ln())).exp()
        } else {
            self.lo + t * (self.hi - self.lo)
        }
    }
}

/// Whether a prior is flat in its axis's scale (`uniform` on a linear
/// axis, `log_uniform` on a log one): then every bin of equal width holds
/// the same prior weight, and that level is worth drawing.
pub fn flat_prior(p: &ParameterSummary, axis: &ParamAxis) -> bool {
    let prior = p.prior.trim();
    if axis.log {
        prior.starts_with("log_uniform")
    } else {
        prior.starts_with("uniform")
    }
}

/// Weighted Pearson correlation of `x` and `y` (pairs with a non-finite
/// value or weight left out); NaN when either has no spread.
pub fn weighted_correlation(x: &[f64], y: &[f64], w: &[f64]) -> f64 {
    let pts: Vec<(f64, f64, f64)> = x
        .iter()
        .zip(y)
        .zip(w)
        .map(|((&a, &b), &c)| (a, b, c))
        .filter(|(a, b, c)| a.is_finite() && b.is_finite() && c.is_finite() && *c > 0.0)
        .collect();
    let total: f64 = pts.iter().map(|p| p.2).sum();
    if total <= 0.0 {
        return f64::NAN;
    }
    let mx = pts.iter().map(|p| p.0 * p.2).sum::<f64>() / total;
    let my = pts.iter().map(|p| p.1 * p.2).sum::<f64>() / total;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &(a, b, c) in &pts {
        sxy += c * (a - mx) * (b - my);
        sxx += c * (a - mx) * (a - mx);
        syy += c * (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(prior: &str, min: f64, max: f64) -> ParameterSummary {
        ParameterSummary {
            path: "model.x".into(),
            label: "x".into(),
            min,
            max,
            prior: prior.into(),
            integer: false,
            base_value: None,
            estimate: 1.0,
            p05: 0.5,
            p95: 2.0,
        }
    }

    #[test]
    fn axes_follow_the_prior_and_hold_every_draw() {
        let log = ParamAxis::of(&param("log_uniform", 0.5, 50.0), &[1.0, 60.0]);
        assert_eq!((log.lo, log.hi, log.log), (0.5, 60.0, true));
        assert!((log.unit(log.value(0.3)) - 0.3).abs() < 1e-12);
        assert!(
            (log.unit((0.5f64 * 60.0).sqrt()) - 0.5).abs() < 1e-12,
            "geometric middle"
        );
        let lin = ParamAxis::of(&param("uniform", 0.0, 4.0), &[1.0]);
        assert_eq!((lin.lo, lin.hi, lin.log), (0.0, 4.0, false));
        assert_eq!(lin.unit(1.0), 0.25);
        // A log prior that reaches 0 cannot be drawn in log scale; an empty
        // range is widened rather than divided by.
        assert!(!ParamAxis::of(&param("log_uniform", 0.0, 5.0), &[]).log);
        let empty = ParamAxis::of(&param("uniform", 3.0, 3.0), &[3.0]);
        assert!(empty.lo < 3.0 && empty.hi > 3.0);
        let broken = ParamAxis::of(&param("uniform", f64::NAN, f64::INFINITY), &[]);
        assert_eq!((broken.lo, broken.hi), (0.0, 1.0));
        // Zoomed to the draws that carry weight, 5% spare each side.
        let zoom = ParamAxis::of_draws(
            &param("uniform", 0.0, 100.0),
            &[10.0, 20.0, 90.0],
            &[1.0, 1.0, 0.0],
        );
        assert!(
            (zoom.lo - 9.5).abs() < 1e-9 && (zoom.hi - 20.5).abs() < 1e-9,
            "{zoom:?}"
        );
        let zoom =
            ParamAxis::of_draws(&param("log_uniform", 0.1, 100.0), &[1.0, 10.0], &[1.0, 1.0]);
        assert!(zoom.log && zoom.lo < 1.0 && zoom.hi > 10.0);
        assert!(
            (zoom.lo * zoom.hi - 10.0).abs() < 1e-9,
            "symmetric in log scale"
        );
        let none = ParamAxis::of_draws(&param("uniform", 0.0, 4.0), &[1.0], &[0.0]);
        assert_eq!((none.lo, none.hi), (0.0, 4.0));
    }

    #[test]
    fn correlation_is_weighted() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((weighted_correlation(&x, &x, &[1.0; 4]) - 1.0).abs() < 1e-12);
        let y = [4.0, 3.0, 2.0, 1.0];
        assert!((weighted_correlation(&x, &y, &[1.0; 4]) + 1.0).abs() < 1e-12);
        // With weight on two points only, the others do not count: the
        // kept pair (1, 1), (2, 5) is perfectly correlated.
        let z = [1.0, 5.0, 0.0, -7.0];
        let r = weighted_correlation(&x, &z, &[1.0, 1.0, 0.0, 0.0]);
        assert!((r - 1.0).abs() < 1e-12, "{r}");
        assert!(weighted_correlation(&x, &[2.0; 4], &[1.0; 4]).is_nan());
    }
}
