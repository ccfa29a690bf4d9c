//! How well simulated months match observed ones: `fit.csv` (one row per
//! observed series and month) and `score.csv` (one row per series), written
//! by `run` for a scenario's `observed:` series and by `calibrate` for its
//! targets, read back by the report. One module owns both tables so a run's
//! scorecard and a calibration's are the same numbers computed the same way.
//!
//! The simulated side of a month is an *ensemble*: the month's total in each
//! replication (a run: equal weights, "Monte Carlo only, parameters fixed";
//! with a posterior or in a calibration: posterior weights, "parameter +
//! Monte Carlo"). A calibration may widen it by its stated model discrepancy
//! before scoring; the ensemble handed in here is scored as it is.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::error::{Error, Result};
use crate::metrics::{DailySeries, MetricSpec};
use crate::output::write_atomic;
use crate::scenario::{ObservedSeries, Role};
use crate::score::{self, Member};

/// A number field that is empty when there is no number (NaN): an empty
/// field reads as missing in every tool (pandas, polars, R, a spreadsheet),
/// where the csv crate's "NaN" would not.
mod empty_nan {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_nan() {
            s.serialize_str("")
        } else {
            s.serialize_f64(*v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Lower and upper quantiles of the reported interval: a central 90% one.
pub const INTERVAL: (f64, f64) = (0.05, 0.95);

/// The file of the fit rows in a results folder.
pub const FIT_FILE: &str = "fit.csv";
/// The file of the score rows in a results folder.
pub const SCORE_FILE: &str = "score.csv";

/// One observed month against its simulated ensemble (`fit.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRow {
    /// The metric's name (`usbp_apprehensions`).
    pub metric: String,
    /// Its place, empty for the national total.
    pub place: String,
    /// Its origin group, empty for all origins.
    pub origin: String,
    /// `fit` (entered the calibration's objective) or `holdout` (only scored).
    pub role: String,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The observed monthly total [unit of the metric × days].
    #[serde(with = "empty_nan")]
    pub observed: f64,
    /// Simulated mean of the month's total.
    #[serde(with = "empty_nan")]
    pub mean: f64,
    /// 5% quantile of the simulated totals.
    #[serde(with = "empty_nan")]
    pub p05: f64,
    /// Median of the simulated totals.
    #[serde(with = "empty_nan")]
    pub p50: f64,
    /// 95% quantile of the simulated totals.
    #[serde(with = "empty_nan")]
    pub p95: f64,
    /// (mean − observed) / observed [×]; empty when nothing was observed.
    #[serde(with = "empty_nan")]
    pub rel_error: f64,
}

/// One observed series summarised (`score.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    /// The metric's name.
    pub metric: String,
    /// Its place, empty for the national total.
    pub place: String,
    /// Its origin group, empty for all origins.
    pub origin: String,
    /// `fit` or `holdout`.
    pub role: String,
    /// `monthly` (totals) or `shares` (a breakdown scored as shares).
    pub kind: String,
    /// Months scored (inside the simulated period).
    pub months: usize,
    /// Mean over months of |mean − observed| / observed [×].
    #[serde(with = "empty_nan")]
    pub mean_abs_rel_error: f64,
    /// Share of months whose observed value lies in the simulated 90%
    /// interval [0–1].
    #[serde(with = "empty_nan")]
    pub coverage90: f64,
    /// Mean over months of the CRPS, relative to the month's observed value
    /// [×] (so series of different sizes can be read side by side).
    #[serde(with = "empty_nan")]
    pub crps_rel: f64,
    /// Mean over months of the total-variation distance between simulated
    /// and observed shares [0–1]; only for `shares`, empty otherwise.
    #[serde(with = "empty_nan")]
    pub tv_distance: f64,
}

/// The daily column that series `obs` compares with, if the experiment
/// declares it.
pub fn column_of(metrics: &[MetricSpec], obs: &ObservedSeries) -> Option<usize> {
    metrics.iter().position(|m| {
        m.name == obs.metric
            && m.place == obs.place
            && m.origin == obs.origin
            && m.scenario.is_none()
    })
}

/// The observed months of `obs` that the calendar covers in full: the
/// months one can score (a month cut by the start or end would compare a
/// part with a whole).
pub fn scorable_months(
    calendar: &Calendar,
    obs: &ObservedSeries,
) -> Vec<(NaiveDate, f64, u32, u32)> {
    obs.monthly
        .iter()
        .filter_map(|&(month, value)| {
            let (from, to) = calendar.whole_month(month)?;
            Some((month, value, from, to))
        })
        .collect()
}

/// The month totals of column `column` in one replication's daily table, in
/// the order of `months` (as from [`scorable_months`]).
pub fn month_totals(
    daily: &DailySeries,
    column: usize,
    months: &[(NaiveDate, f64, u32, u32)],
) -> Vec<f64> {
    months
        .iter()
        .map(|&(_, _, from, to)| daily.sum(column, from as usize, to as usize))
        .collect()
}

/// Identifying fields of a row for `obs`.
fn ids(obs: &ObservedSeries) -> (String, String, String, String) {
    (
        obs.metric.clone(),
        obs.place.clone().unwrap_or_default(),
        obs.origin.clone().unwrap_or_default(),
        obs.role.name().to_string(),
    )
}

/// Fit rows and the score row of one monthly series: `ensembles[i]` is the
/// simulated ensemble of month `months[i]`.
pub fn score_monthly(
    obs: &ObservedSeries,
    months: &[(NaiveDate, f64, u32, u32)],
    ensembles: &[Vec<Member>],
) -> (Vec<FitRow>, ScoreRow) {
    let (metric, place, origin, role) = ids(obs);
    let mut rows = Vec::with_capacity(months.len());
    let (mut abs_err, mut covered, mut crps, mut n_err, mut n_crps) = (0.0, 0, 0.0, 0usize, 0usize);
    for (&(month, observed, _, _), ensemble) in months.iter().zip(ensembles) {
        let q = score::quantiles(ensemble, &[INTERVAL.0, 0.5, INTERVAL.1]);
        let mean = score::mean(ensemble);
        let rel_error = score::relative_error(mean, observed);
        if rel_error.is_finite() {
            abs_err += rel_error.abs();
            n_err += 1;
        }
        if q[0] <= observed && observed <= q[2] {
            covered += 1;
        }
        let c = score::crps(ensemble, observed) / observed;
        if c.is_finite() {
            crps += c;
            n_crps += 1;
        }
        rows.push(FitRow {
            metric: metric.clone(),
            place: place.clone(),
            origin: origin.clone(),
            role: role.clone(),
            month: month.format("%Y-%m").to_string(),
            observed,
            mean,
            p05: q[0],
            p50: q[1],
            p95: q[2],
            rel_error,
        });
    }
    let n = months.len();
    let ratio = |x: f64, k: usize| if k == 0 { f64::NAN } else { x / k as f64 };
    let score = ScoreRow {
        metric,
        place,
        origin,
        role,
        kind: "monthly".into(),
        months: n,
        mean_abs_rel_error: ratio(abs_err, n_err),
        coverage90: ratio(covered as f64, n),
        crps_rel: ratio(crps, n_crps),
        tv_distance: f64::NAN,
    };
    (rows, score)
}

/// A run's scorecard, built one replication at a time in replication order
/// (as the run's other summaries are, so a resumed or merged run scores the
/// same bytes): for every observed series that matches a daily column of
/// the run, the month totals of each replication over the months the run
/// covers in full. The ensemble of a month is its total in each
/// replication, with equal weights.
#[derive(Debug, Clone, Default)]
pub struct Scorecard {
    series: Vec<Scored>,
    /// Every observed series of the scenario, scored or not: exported as
    /// [`OBSERVED_FILE`] so analysts need not parse `scenario.ron`.
    observed: Vec<ObservedSeries>,
}

/// The scenario's observed series as a table: `observed.csv`.
pub const OBSERVED_FILE: &str = "observed.csv";

/// One observed month (`observed.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedRow {
    /// The simulated metric it compares with.
    pub metric: String,
    /// Its place, or empty for the national total.
    pub place: String,
    /// Its origin group, or empty for all origins.
    pub origin: String,
    /// `fit` or `holdout`.
    pub role: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The observed monthly total [the metric's unit].
    pub observed: f64,
    /// Where the number comes from.
    pub source: String,
}

/// The rows of `observed.csv`: every series, months in order.
pub fn observed_rows(observed: &[ObservedSeries]) -> Vec<ObservedRow> {
    observed
        .iter()
        .flat_map(|o| {
            o.monthly.iter().map(|(month, value)| ObservedRow {
                metric: o.metric.clone(),
                place: o.place.clone().unwrap_or_default(),
                origin: o.origin.clone().unwrap_or_default(),
                role: o.role.name().into(),
                month: month.format("%Y-%m").to_string(),
                observed: *value,
                source: o.source.clone(),
            })
        })
        .collect()
}

/// One scored series and its ensembles so far.
#[derive(Debug, Clone)]
struct Scored {
    obs: ObservedSeries,
    column: usize,
    months: Vec<(NaiveDate, f64, u32, u32)>,
    /// `totals[i][r]`: month `months[i]`'s total in the r-th replication
    /// pushed.
    totals: Vec<Vec<f64>>,
}

impl Scorecard {
    /// The scorecard of `observed` against a run of `metrics` over
    /// `calendar`. A series is left out when no daily column matches it or
    /// the run covers none of its months in full.
    pub fn new(metrics: &[MetricSpec], calendar: &Calendar, observed: &[ObservedSeries]) -> Self {
        let series = observed
            .iter()
            .filter_map(|obs| {
                let column = column_of(metrics, obs)?;
                let months = scorable_months(calendar, obs);
                (!months.is_empty()).then(|| Scored {
                    obs: obs.clone(),
                    column,
                    totals: vec![Vec::new(); months.len()],
                    months,
                })
            })
            .collect();
        Self {
            series,
            observed: observed.to_vec(),
        }
    }

    /// Whether no series is scored.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Adds the next replication's daily table.
    pub fn push(&mut self, daily: &DailySeries) {
        for s in &mut self.series {
            for (acc, total) in s
                .totals
                .iter_mut()
                .zip(month_totals(daily, s.column, &s.months))
            {
                acc.push(total);
            }
        }
    }

    /// The fit rows (series by series, months in order) and one score row
    /// per series, in the scenario's order.
    pub fn rows(&self) -> (Vec<FitRow>, Vec<ScoreRow>) {
        let mut fit = Vec::new();
        let mut scores = Vec::new();
        for s in &self.series {
            let ensembles: Vec<Vec<Member>> = s
                .totals
                .iter()
                .map(|t| t.iter().map(|&x| (x, 1.0)).collect())
                .collect();
            let (rows, score) = score_monthly(&s.obs, &s.months, &ensembles);
            fit.extend(rows);
            scores.push(score);
        }
        (fit, scores)
    }

    /// Writes [`OBSERVED_FILE`] (when the scenario has observed series),
    /// [`FIT_FILE`] and [`SCORE_FILE`] (when one is scored) into `dir` and
    /// returns the score rows.
    pub fn write(&self, dir: &Path) -> Result<Vec<ScoreRow>> {
        if !self.observed.is_empty() {
            write_table(&dir.join(OBSERVED_FILE), &observed_rows(&self.observed))?;
        }
        if self.is_empty() {
            return Ok(Vec::new());
        }
        let (fit, scores) = self.rows();
        write_table(&dir.join(FIT_FILE), &fit)?;
        write_table(&dir.join(SCORE_FILE), &scores)?;
        Ok(scores)
    }
}

impl ScoreRow {
    /// The series as one name: `metric`, `metric at place`, `metric (origin)`.
    pub fn series(&self) -> String {
        let dims = crate::metrics::dimensions_text(Some(&self.place), Some(&self.origin), " at ");
        format!("{}{dims}", self.metric)
    }
}

/// A ratio as a percentage for a table, or a dash when undefined.
pub fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", 100.0 * x)
    } else {
        "–".into()
    }
}

/// The terminal's scorecard: a blank line, a heading and one aligned line per scored
/// series (name, role, months, mean absolute error, 90% coverage, CRPS),
/// for a run whose intervals contain `uncertainty`.
pub fn terminal_lines(rows: &[ScoreRow], uncertainty: &str) -> Vec<String> {
    if rows.is_empty() {
        return Vec::new();
    }
    let width = rows
        .iter()
        .map(|r| r.series().chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut out = vec![
        String::new(),
        format!(
            "{:<width$} {:<8} {:>6} {:>14} {:>13} {:>9}",
            "series", "role", "months", "mean abs error", "90% coverage", "CRPS"
        ),
        format!("(against observed data; intervals: {uncertainty})"),
    ];
    // Widths count characters, so a place with accents still aligns.
    for r in rows {
        out.push(format!(
            "{:<width$} {:<8} {:>6} {:>14} {:>13} {:>9}",
            r.series(),
            r.role,
            r.months,
            percent(r.mean_abs_rel_error),
            percent(r.coverage90),
            percent(r.crps_rel)
        ));
    }
    out
}

/// Whether any scored series is held out.
pub fn has_holdout(rows: &[ScoreRow]) -> bool {
    rows.iter().any(|r| r.role == Role::Holdout.name())
}

/// Writes `fit.csv` or `score.csv` (any serialisable rows) atomically.
pub fn write_table<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let out_err = |e: csv::Error| Error::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(out_err)?;
    }
    let bytes = w.into_inner().map_err(|e| out_err(e.into_error().into()))?;
    write_atomic(path, &bytes)
}

/// Reads a table written by [`write_table`].
pub fn read_table<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let text = crate::input::read_text(path, crate::input::MAX_INPUT_BYTES)?;
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    r.deserialize()
        .collect::<std::result::Result<Vec<T>, _>>()
        .map_err(|e| bad_table(path, &e))
}

fn bad_table(path: &Path, e: &csv::Error) -> Error {
    Error::Scenario {
        file: path.display().to_string(),
        message: format!("not a table borderflow wrote: {e}"),
    }
}
