//! Reading a run's saved results back: `summary.json`, `daily_summary.csv`,
//! `scenario.ron` (for observed series, parameters and interventions), the
//! scorecard (`fit.csv`, `score.csv`, when the run has one) and,
//! streamed through the record store ([`crate::output::records`]), the
//! daily records (`daily.csv` or `daily.parquet`) for quantities that need
//! each replication (totals over the run, cumulative series); a folder that
//! keeps no daily records (`--records kpis`) is drawn without those.
//!
//! Nothing here trusts the files: every failure is an [`Error::Read`] naming
//! the file, and a missing optional file only removes what depended on it.
//! Whole files (`summary.json`, `scenario.ron`) are read through
//! [`read_text`], within the input size limit; the record tables, which can
//! be gigabytes, are streamed, and must be regular files (a FIFO or a device
//! in their place would block or never end).

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};

use chrono::{Months, NaiveDate};
use ron::Value;
use serde::Deserialize;

use crate::calendar::{check_date, check_month};
use crate::error::{Error, Result};
use crate::input::{MAX_INPUT_BYTES, read_text, shown};
use crate::metrics::{KpiSpec, MetricSpec};
use crate::output::{Detail, Format};
use crate::results::run::JobKind;
use crate::results::score::{FIT_FILE, FitRow, SCORE_FILE, ScoreRow, read_table};

/// One KPI's summary across replications, as `summary.json` stores it.
/// A statistic that is not defined (e.g. a CI from one replication) is
/// written as `null` and read as `None`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Kpi {
    /// Replications.
    pub n: u64,
    /// Mean.
    pub mean: Option<f64>,
    /// Lower end of the 95% confidence interval of the mean.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% confidence interval of the mean.
    pub ci95_high: Option<f64>,
    /// 5th percentile across replications.
    pub p05: Option<f64>,
    /// Median across replications.
    pub p50: Option<f64>,
    /// 95th percentile across replications.
    pub p95: Option<f64>,
}

/// The parts of `summary.json` the report uses.
#[derive(Debug, Clone, Deserialize)]
pub struct RunSummary {
    /// What kind of folder it is (a run in folders older than the field).
    #[serde(default = "run_kind")]
    pub kind: JobKind,
    /// Scenario name.
    pub scenario: String,
    /// What the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Hash of the resolved scenario.
    #[serde(default)]
    pub scenario_hash: String,
    /// borderflow version that ran it.
    #[serde(default)]
    pub borderflow_version: String,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u64,
    /// First simulated day.
    pub start: NaiveDate,
    /// Last simulated day (included).
    pub end: NaiveDate,
    /// The daily metrics, in the model's order.
    #[serde(default)]
    pub metrics: Vec<MetricSpec>,
    /// KPI summaries by name.
    #[serde(default)]
    pub kpis: BTreeMap<String, Kpi>,
    /// The KPIs in the model's order, when the run lists them.
    #[serde(default)]
    pub kpi_specs: Vec<KpiSpec>,
    /// The format of the per-replication records.
    #[serde(default)]
    pub format: Format,
    /// Which per-replication records the folder keeps.
    #[serde(default)]
    pub records: Detail,
    /// The posterior each replication's parameters were drawn from, if any.
    #[serde(default)]
    pub posterior: Option<crate::posterior::PosteriorId>,
}

impl RunSummary {
    /// What the intervals contain ([`crate::posterior::uncertainty`]).
    pub fn uncertainty(&self) -> String {
        crate::posterior::uncertainty(self.posterior.as_ref())
    }
}

fn run_kind() -> JobKind {
    JobKind::Run
}

impl RunSummary {
    /// KPIs in the model's order (those `kpi_specs` lists first, then any
    /// other in alphabetical order).
    pub fn kpis_in_order(&self) -> Vec<(&str, &Kpi)> {
        let mut out: Vec<(&str, &Kpi)> = self
            .kpi_specs
            .iter()
            .filter_map(|s| self.kpis.get_key_value(&s.name))
            .map(|(n, k)| (n.as_str(), k))
            .collect();
        for (n, k) in &self.kpis {
            if !self.kpi_specs.iter().any(|s| s.name == *n) {
                out.push((n.as_str(), k));
            }
        }
        out
    }
}

/// A metric's distribution across replications on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayStats {
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl From<&crate::stats::Summary> for DayStats {
    fn from(s: &crate::stats::Summary) -> Self {
        DayStats {
            mean: s.mean,
            p05: s.p05,
            p25: s.p25,
            p50: s.p50,
            p75: s.p75,
            p95: s.p95,
        }
    }
}

impl DayStats {
    /// A day with no data (drawn as a gap).
    pub const MISSING: DayStats = DayStats {
        mean: f64::NAN,
        p05: f64::NAN,
        p25: f64::NAN,
        p50: f64::NAN,
        p75: f64::NAN,
        p95: f64::NAN,
    };

    /// Quantiles of `values` (NaNs ignored; `MISSING` when none is left),
    /// by linear interpolation between order statistics.
    pub fn of(values: &mut [f64]) -> DayStats {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return DayStats::MISSING;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let h = p * (v.len() - 1) as f64;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            v[lo] + (h - lo as f64) * (v[hi] - v[lo])
        };
        DayStats {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.50),
            p75: q(0.75),
            p95: q(0.95),
        }
    }
}

/// Observed monthly totals of a metric, from the scenario's `observed`.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The simulated metric it compares with.
    pub metric: String,
    /// The metric's place, none for the national total.
    pub place: Option<String>,
    /// The metric's origin group, none for all origins.
    pub origin: Option<String>,
    /// Where the numbers come from.
    pub source: String,
    /// (first day of month, monthly total [persons/month]) in date order.
    pub monthly: Vec<(NaiveDate, f64)>,
}

impl Observed {
    /// Each month's span `[first day, first day of next month)` with its
    /// daily average [persons/day].
    pub fn daily_averages(&self) -> Vec<(NaiveDate, NaiveDate, f64)> {
        self.monthly
            .iter()
            .filter_map(|&(m, total)| {
                let next = m.checked_add_months(Months::new(1))?;
                let days = (next - m).num_days() as f64;
                Some((m, next, total / days))
            })
            .collect()
    }
}

/// Everything a report is drawn from.
#[derive(Debug, Clone)]
pub struct RunData {
    /// The run's folder.
    pub dir: PathBuf,
    /// `summary.json`.
    pub summary: RunSummary,
    /// Simulated days, in order (from `daily_summary.csv`).
    pub dates: Vec<NaiveDate>,
    /// Per metric, its stats on each day of `dates`.
    pub series: Series,
    /// Metric names in the model's order (from `summary.json`, then any
    /// other metric found in `daily_summary.csv`).
    pub metric_order: Vec<String>,
    /// The resolved scenario, when `scenario.ron` is there and parses.
    pub scenario: Option<Value>,
    /// Observed series named by the scenario.
    pub observed: Vec<Observed>,
    /// The scorecard's month rows (`fit.csv`), empty without one.
    pub fit: Vec<FitRow>,
    /// The scorecard's series rows (`score.csv`), empty without one.
    pub scores: Vec<ScoreRow>,
}

/// A parse error in `file`, as an input error (exit code 2).
pub fn bad(file: &Path, message: impl std::fmt::Display) -> Error {
    Error::Read {
        file: shown(&file.display().to_string()),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_string()),
    }
}

impl RunData {
    /// Reads `summary.json` of the results folder `dir`.
    pub fn load_summary(dir: &Path) -> Result<RunSummary> {
        let summary_path = dir.join("summary.json");
        serde_json::from_str(&read_text(&summary_path, MAX_INPUT_BYTES)?)
            .map_err(|e| bad(&summary_path, e))
    }

    /// Reads the run in `dir`. `summary.json` and `daily_summary.csv` are
    /// required; `scenario.ron` is optional (no parameters, no observed data).
    pub fn load(dir: &Path) -> Result<RunData> {
        if !dir.is_dir() {
            return Err(Error::Read {
                file: dir.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not a folder; give the output folder of a `borderflow run`",
                ),
            });
        }
        let summary = Self::load_summary(dir)?;
        let (dates, series) = read_daily_summary(&dir.join("daily_summary.csv"))?;
        let mut metric_order: Vec<String> = summary
            .metrics
            .iter()
            .map(MetricSpec::key)
            .filter(|m| series.contains_key(m))
            .collect();
        let listed: BTreeSet<&String> = metric_order.iter().collect();
        let extra: Vec<String> = series
            .keys()
            .filter(|m| !listed.contains(m))
            .cloned()
            .collect();
        metric_order.extend(extra);
        // The report still draws every chart without the scenario; it only
        // loses the parameter tables and the observed overlays.
        let scenario = read_text(&dir.join("scenario.ron"), MAX_INPUT_BYTES)
            .ok()
            .and_then(|t| ron::from_str::<Value>(&t).ok());
        let observed = scenario.as_ref().map(observed_of).unwrap_or_default();
        let fit = optional_table(&dir.join(FIT_FILE))?;
        let scores = optional_table(&dir.join(SCORE_FILE))?;
        Ok(RunData {
            dir: dir.to_path_buf(),
            summary,
            dates,
            series,
            metric_order,
            scenario,
            observed,
            fit,
            scores,
        })
    }

    /// The declaration of the metric with key `key` ([`MetricSpec::key`]).
    pub fn spec(&self, key: &str) -> Option<&MetricSpec> {
        self.summary.metrics.iter().find(|m| m.key() == key)
    }

    /// The stats of `metric` by day, when the run has it.
    pub fn get(&self, metric: &str) -> Option<&[DayStats]> {
        self.series.get(metric).map(Vec::as_slice)
    }

    /// The places metric `name` is declared at (for all origins), in the
    /// model's order, among those the folder has values for. A folder
    /// without declarations (older than them) falls back to the key's
    /// `name:place` form.
    pub fn places(&self, name: &str) -> Vec<String> {
        if self.summary.metrics.is_empty() {
            let p = format!("{name}:");
            return self
                .metric_order
                .iter()
                .filter_map(|m| m.strip_prefix(&p).map(str::to_string))
                .collect();
        }
        self.summary
            .metrics
            .iter()
            .filter(|m| m.name == name && m.origin.is_none() && m.scenario.is_none())
            .filter(|m| self.series.contains_key(&m.key()))
            .filter_map(|m| m.place.clone())
            .collect()
    }

    /// The observed national series of `metric` (no place, all origins),
    /// when the scenario names one: what the national charts and the month
    /// table show beside the metric.
    pub fn observed(&self, metric: &str) -> Option<&Observed> {
        self.observed.iter().find(|o| {
            o.metric == metric && o.place.is_none() && o.origin.is_none() && !o.monthly.is_empty()
        })
    }

    /// The scorecard row of national `metric` in `month` (`YYYY-MM`), when
    /// that month was scored.
    pub fn fit(&self, metric: &str, month: &str) -> Option<&FitRow> {
        self.fit.iter().find(|r| {
            r.metric == metric && r.place.is_empty() && r.origin.is_empty() && r.month == month
        })
    }

    /// First simulated day.
    pub fn start(&self) -> NaiveDate {
        self.dates.first().copied().unwrap_or(self.summary.start)
    }
}

/// The rows of a scorecard table, none when the file is absent (a run
/// without observed series has no scorecard); a file that is there must
/// read.
fn optional_table<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    if path.exists() {
        read_table(path)
    } else {
        Ok(Vec::new())
    }
}

/// Per metric, its stats on each day of the run.
pub type Series = BTreeMap<String, Vec<DayStats>>;

/// Reads `daily_summary.csv` into the sorted dates and per-metric stats.
fn read_daily_summary(path: &Path) -> Result<(Vec<NaiveDate>, Series)> {
    let mut rdr = csv::Reader::from_reader(BufReader::new(crate::input::open_regular(path)?));
    let headers = rdr.headers().map_err(|e| bad(path, e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(path, format!("no column `{name}` in the header")))
    };
    // Place and origin columns (written since the tidy header gained them)
    // join the name into the metric's key, as `MetricSpec::key` does.
    let place = headers.iter().position(|h| h == "place");
    let origin = headers.iter().position(|h| h == "origin");
    let idx = [
        col("date")?,
        col("metric")?,
        col("mean")?,
        col("p05")?,
        col("p25")?,
        col("p50")?,
        col("p75")?,
        col("p95")?,
    ];
    let mut rows: Vec<(NaiveDate, String, DayStats)> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| bad(path, e))?;
        let line = i + 2;
        let field = |k: usize| rec.get(idx[k]).unwrap_or("");
        let date = check_date(field(0)).map_err(|why| bad(path, format!("line {line}: {why}")))?;
        let num = |k: usize| -> Result<f64> {
            let s = field(k);
            // An undefined statistic is written as an empty field or NaN.
            if s.is_empty() {
                return Ok(f64::NAN);
            }
            s.parse::<f64>()
                .map_err(|_| bad(path, format!("line {line}: `{s}` is not a number")))
        };
        let stats = DayStats {
            mean: num(2)?,
            p05: num(3)?,
            p25: num(4)?,
            p50: num(5)?,
            p75: num(6)?,
            p95: num(7)?,
        };
        let dim = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let key = MetricSpec {
            name: field(1).to_string(),
            place: dim(place),
            origin: dim(origin),
            ..MetricSpec::new(
                "",
                crate::metrics::Unit::Persons,
                crate::metrics::MetricKind::Count,
                "",
            )
        }
        .key();
        rows.push((date, key, stats));
    }
    let dates: Vec<NaiveDate> = rows
        .iter()
        .map(|r| r.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut series: Series = BTreeMap::new();
    for (date, metric, stats) in rows {
        // `dates` holds every row's date, so the search always succeeds.
        if let Ok(d) = dates.binary_search(&date) {
            series
                .entry(metric)
                .or_insert_with(|| vec![DayStats::MISSING; dates.len()])[d] = stats;
        }
    }
    if dates.is_empty() {
        return Err(bad(path, "no rows"));
    }
    Ok((dates, series))
}

/// What one streaming pass over the daily records collects per replication.
#[derive(Debug, Clone, Default)]
pub struct PerReplication {
    /// Total over the run of each requested metric, per replication.
    pub totals: BTreeMap<String, Vec<f64>>,
    /// Day-by-day values of each requested metric, per replication
    /// (`[replication][day]`), for cumulative series.
    pub daily: BTreeMap<String, Vec<Vec<f32>>>,
}

/// Streams the daily records once through the record store, summing
/// `totals` metrics (by key) per replication and keeping `daily` metrics day
/// by day. The records hold every replication of every metric and can be
/// gigabytes, so one replication is in memory at a time and only the
/// requested metrics are kept; day-by-day values are `f32` (7 significant
/// digits are plenty for a chart) to halve their memory. `None` when the
/// folder keeps no daily records (`--records kpis` or `none`) or the run
/// lists no metrics: the charts that need them are left out.
pub fn per_replication(
    run: &RunData,
    totals: &BTreeSet<String>,
    daily: &BTreeSet<String>,
) -> Result<Option<PerReplication>> {
    let s = &run.summary;
    let file = run.dir.join(s.format.daily_file());
    if (totals.is_empty() && daily.is_empty())
        || s.records < Detail::Daily
        || s.metrics.is_empty()
        || !file.exists()
    {
        return Ok(None);
    }
    if !std::fs::metadata(&file).is_ok_and(|m| m.is_file()) {
        return Err(bad(&file, "not a regular file"));
    }
    let days = usize::try_from((s.end - s.start).num_days() + 1).unwrap_or(0);
    let dates: Vec<NaiveDate> = s.start.iter_days().take(days).collect();
    let kpi_names = s.kpi_specs.iter().map(|k| k.name.clone()).collect();
    let schema = crate::output::RecordSchema::new(s.format, dates, s.metrics.clone(), kpi_names)?;
    let mut reader = crate::output::records::open(
        &run.dir,
        &schema,
        crate::output::Stage::Finished,
        true,
        false,
    )?;
    let keys: Vec<String> = s.metrics.iter().map(MetricSpec::key).collect();
    let mut out = PerReplication::default();
    // The charts' days are those of `daily_summary.csv`, from the run's start.
    let shown_days = run.dates.len().min(days);
    while let Some((_, table, _)) = reader.next_replication()? {
        for (m, key) in keys.iter().enumerate() {
            if totals.contains(key) {
                let total = (0..table.days())
                    .map(|d| table.get(d, m))
                    .filter(|v| v.is_finite())
                    .sum();
                out.totals.entry(key.clone()).or_default().push(total);
            }
            if daily.contains(key) {
                let values = (0..shown_days).map(|d| table.get(d, m) as f32).collect();
                out.daily.entry(key.clone()).or_default().push(values);
            }
        }
    }
    Ok(Some(out))
}

/// Stats by day of the running total of per-replication daily series
/// (`[replication][day]`); a missing day adds nothing.
pub fn cumulative_stats(reps: &[Vec<f32>], days: usize) -> Vec<DayStats> {
    let mut running = vec![0.0f64; reps.len()];
    let mut out = Vec::with_capacity(days);
    for d in 0..days {
        for (acc, rep) in running.iter_mut().zip(reps) {
            let v = rep.get(d).copied().unwrap_or(f32::NAN);
            if v.is_finite() {
                *acc += f64::from(v);
            }
        }
        out.push(DayStats::of(&mut running.clone()));
    }
    out
}

/// A field of a RON map by name.
pub fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    match v {
        Value::Map(m) => m.get(&Value::String(name.to_string())),
        Value::Option(Some(inner)) => field(inner, name),
        _ => None,
    }
}

/// A RON value as text, when it is a string.
pub fn as_str(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Option(Some(inner)) => as_str(inner),
        _ => None,
    }
}

/// A RON value as a number, when it is one.
pub fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(n.into_f64()),
        Value::Option(Some(inner)) => as_f64(inner),
        _ => None,
    }
}

/// The scenario's `observed` series; malformed entries are skipped (the
/// scenario was validated when it ran; this only guards hand-edited files).
fn observed_of(scn: &Value) -> Vec<Observed> {
    let Some(Value::Seq(list)) = field(scn, "observed") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|o| {
            let metric = as_str(field(o, "metric")?)?.to_string();
            let text = |name: &str| field(o, name).and_then(as_str).map(str::to_string);
            let source = field(o, "source")
                .and_then(as_str)
                .unwrap_or("")
                .to_string();
            let Some(Value::Seq(months)) = field(o, "monthly") else {
                return None;
            };
            let mut monthly: Vec<(NaiveDate, f64)> = months
                .iter()
                .filter_map(|pair| match pair {
                    Value::Seq(p) if p.len() == 2 => {
                        let d = check_month(as_str(&p[0])?).ok()?;
                        Some((d, as_f64(&p[1])?))
                    }
                    _ => None,
                })
                .collect();
            monthly.sort_by_key(|m| m.0);
            Some(Observed {
                metric,
                place: text("place"),
                origin: text("origin"),
                source,
                monthly,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let s = DayStats::of(&mut [4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!((s.mean, s.p50, s.p25, s.p75), (3.0, 3.0, 2.0, 4.0));
        assert!((s.p05 - 1.2).abs() < 1e-12 && (s.p95 - 4.8).abs() < 1e-12);
        assert!(DayStats::of(&mut [f64::NAN]).mean.is_nan());
    }

    #[test]
    fn observed_series_are_read_from_ron() {
        let v: Value = ron::from_str(
            r#"(name: "x", observed: [(metric: "usbp_apprehensions", source: "CBP",
               monthly: [("2023-02", 28.0), ("2023-01", 31.0)])])"#,
        )
        .unwrap_or(Value::Unit);
        let obs = observed_of(&v);
        assert_eq!(obs.len(), 1);
        assert_eq!(
            obs[0].monthly[0].0,
            NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default()
        );
        let avg = obs[0].daily_averages();
        assert_eq!(
            (avg[0].2, avg[1].2),
            (1.0, 1.0),
            "31/31 days and 28/28 days"
        );
    }

    #[test]
    fn cumulative_adds_up_per_replication() {
        let reps = vec![vec![1.0f32, 2.0, 3.0], vec![3.0, 2.0, 1.0]];
        let c = cumulative_stats(&reps, 3);
        assert_eq!(c[2].p05, 6.0);
        assert_eq!(c[0].mean, 2.0);
    }
}
