//! KPIs a user declares in a scenario (or a sweep file): a daily metric the
//! model declares, reduced over a window of days, appended after the model's
//! own KPIs.
//!
//! ```ron
//! kpis: [
//!     (name: "tucson_dec", metric: "usbp_apprehensions", place: "Tucson",
//!      from: "2023-12-01", to: "2023-12-31",       // inclusive; default: the whole period
//!      aggregate: "sum",                           // "sum" | "mean" | "max" | "end"
//!      label: "USBP apprehensions in Tucson, December 2023"),   // optional
//! ],
//! ```
//!
//! Why a wrapper around the model's experiment ([`WithUserKpis`]) rather
//! than a feature of each model: a user KPI needs only the daily table every
//! model already fills and the metrics it already declares, so every model,
//! present and future, gets them without a line of its own; and a scenario
//! without `kpis:` runs the model's experiment untouched, so its results do
//! not change by a byte.

use std::sync::atomic::AtomicBool;

use chrono::{Datelike, NaiveDate};
use ron::Value;
use serde::Deserialize;

use crate::calendar::Calendar;
use crate::input::shown;
use crate::metrics::{Aggregate, KpiSpec, MetricSpec, aggregate};
use crate::montecarlo::{Experiment, Replication};
use crate::validate::{Checks, some, suggest};

/// Longest user KPI name [characters]: a column heading, not a sentence.
pub const MAX_NAME_CHARS: usize = 64;

/// The aggregates a user may choose, by the name written in a scenario.
/// ([`Aggregate::Model`] is the model's own business.)
const AGGREGATES: [(&str, Aggregate); 4] = [
    ("sum", Aggregate::Sum),
    ("mean", Aggregate::Mean),
    ("max", Aggregate::Max),
    ("end", Aggregate::End),
];

/// One entry of `kpis:` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKpi {
    name: String,
    metric: String,
    #[serde(default, deserialize_with = "some")]
    place: Option<String>,
    #[serde(default, deserialize_with = "some")]
    origin: Option<String>,
    #[serde(default, deserialize_with = "some")]
    from: Option<String>,
    #[serde(default, deserialize_with = "some")]
    to: Option<String>,
    aggregate: String,
    #[serde(default, deserialize_with = "some")]
    label: Option<String>,
}

/// A checked user KPI: its declaration and where it reads the daily table.
#[derive(Debug, Clone, PartialEq)]
pub struct UserKpi {
    /// The declaration, as `summary.json` and the records carry it.
    pub spec: KpiSpec,
    /// The daily column it reduces.
    column: usize,
    /// First day of the window (day index of the horizon).
    from: usize,
    /// One past the last day of the window.
    to: usize,
}

impl UserKpi {
    /// Its value in one replication's daily table.
    pub fn value(&self, daily: &crate::metrics::DailySeries) -> f64 {
        aggregate(daily, self.column, self.from, self.to, self.spec.aggregate)
    }
}

/// Whether `name` may name a user KPI: 1 to [`MAX_NAME_CHARS`] letters,
/// digits, `_`, `-` or `.`. Model KPIs use `:` to join a metric and a
/// window and comparisons use `|` to join a what-if and a KPI, so a user's
/// name can never be mistaken for either, and it reads as a column name in
/// pandas or R.
fn name_ok(name: &str) -> bool {
    let n = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&n)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Checks user KPI entries, each given with its position `i` in the list
/// `kpis` (problems at `kpis[i].field` under the current path), against the
/// model's daily `metrics` (`None` when the model itself did not validate:
/// only what can be checked without it is) and the KPI names already taken
/// (`taken`: the model's, and any user KPI declared before these), over
/// `calendar`. Returns the KPIs that passed, in order.
pub fn check_kpis(
    entries: Vec<(usize, Value)>,
    metrics: Option<&[MetricSpec]>,
    taken: &[String],
    calendar: &Calendar,
    checks: &mut Checks,
) -> Vec<UserKpi> {
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, value) in entries {
        let kpi = checks.at("kpis", |c| {
            c.index(i, |c| {
                let raw: RawKpi = c.deserialize(value, "")?;
                let before = c.problems.len();
                check_name(&raw.name, taken, &names, c);
                names.push(raw.name.clone());
                let window = check_window(&raw, calendar, c);
                let how = check_aggregate(&raw.aggregate, c);
                let column = metrics.and_then(|m| check_metric(&raw, m, c));
                let (metrics, column, (from, to), how) = (metrics?, column?, window?, how?);
                c.clean_since(before)
                    .then(|| build(raw, &metrics[column], column, calendar, (from, to), how))
            })
        });
        out.extend(kpi);
    }
    out
}

/// Checks a name's form and that it is new.
fn check_name(name: &str, taken: &[String], earlier: &[String], c: &mut Checks) {
    if !name_ok(name) {
        c.fail(
            "name",
            format!(
                "\"{}\" is not a KPI name: use 1 to {MAX_NAME_CHARS} letters, digits, `_`, `-` or `.`",
                shown(name)
            ),
        );
    } else if taken.iter().any(|t| t == name) {
        c.fail(
            "name",
            format!("\"{name}\" is already a KPI (of the model or the base scenario); choose another name"),
        );
    } else if earlier.iter().any(|t| t == name) {
        c.fail(
            "name",
            format!("\"{name}\" is used twice in `kpis`; names must be unique"),
        );
    }
}

/// The window as day indices `(first, last + 1)` of the horizon: `from`
/// and `to` (inclusive) default to the period's first and last day and must
/// lie within it, in order.
fn check_window(raw: &RawKpi, calendar: &Calendar, c: &mut Checks) -> Option<(usize, usize)> {
    let (start, end) = (calendar.start, calendar.end());
    let mut date = |field: &str, given: &Option<String>, default: NaiveDate| {
        let Some(text) = given else {
            return Some(default);
        };
        let d = c.date(field, text)?;
        if d < start || d > end {
            c.fail(
                field,
                format!("{d} is outside the simulated period {start} to {end}"),
            );
            return None;
        }
        Some(d)
    };
    let from = date("from", &raw.from, start);
    let to = date("to", &raw.to, end);
    let (from, to) = (from?, to?);
    if from > to {
        c.fail(
            "to",
            format!(
                "{to} is before `from` {from}: the window runs from `from` to `to`, both included"
            ),
        );
        return None;
    }
    let day = |d: NaiveDate| calendar.day_index(d) as usize;
    Some((day(from), day(to) + 1))
}

/// The aggregate named `name`.
fn check_aggregate(name: &str, c: &mut Checks) -> Option<Aggregate> {
    let found = AGGREGATES.iter().find(|(n, _)| *n == name).map(|a| a.1);
    if found.is_none() {
        c.fail(
            "aggregate",
            format!(
                "unknown aggregate \"{}\"{}",
                shown(name),
                suggest(name, AGGREGATES.iter().map(|a| a.0.to_string()))
            ),
        );
    }
    found
}

/// The daily column of the entry's metric, place and origin, each unknown
/// one a problem at its own field with the names the model does declare.
fn check_metric(raw: &RawKpi, metrics: &[MetricSpec], c: &mut Checks) -> Option<usize> {
    let own: Vec<(usize, &MetricSpec)> = metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| m.scenario.is_none())
        .collect();
    let of_metric: Vec<(usize, &MetricSpec)> = own
        .iter()
        .copied()
        .filter(|(_, m)| m.name == raw.metric)
        .collect();
    if of_metric.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for (_, m) in &own {
            if !names.contains(&m.name) {
                names.push(m.name.clone());
            }
        }
        c.fail(
            "metric",
            format!(
                "the model declares no daily metric \"{}\"{}",
                shown(&raw.metric),
                suggest(&raw.metric, names)
            ),
        );
        return None;
    }
    let at_place: Vec<(usize, &MetricSpec)> = of_metric
        .iter()
        .copied()
        .filter(|(_, m)| m.place == raw.place)
        .collect();
    if at_place.is_empty() {
        let places = distinct(of_metric.iter().filter_map(|(_, m)| m.place.clone()));
        let message = match &raw.place {
            Some(_) if places.is_empty() => format!(
                "\"{}\" has no places (it is a total only); leave `place` out",
                raw.metric
            ),
            Some(p) => format!(
                "\"{}\" is not measured at \"{}\"{}",
                raw.metric,
                shown(p),
                suggest(p, places)
            ),
            None => format!(
                "\"{}\" has no total; give a `place`{}",
                raw.metric,
                suggest("", places)
            ),
        };
        c.fail("place", message);
        return None;
    }
    let found = at_place.iter().find(|(_, m)| m.origin == raw.origin);
    if found.is_none() {
        let origins = distinct(at_place.iter().filter_map(|(_, m)| m.origin.clone()));
        let message = match &raw.origin {
            Some(o) => format!(
                "\"{}\" is not counted for origin \"{}\" there{}",
                raw.metric,
                shown(o),
                suggest(o, origins)
            ),
            None => format!(
                "\"{}\" has no all-origins column there; give an `origin`{}",
                raw.metric,
                suggest("", origins)
            ),
        };
        c.fail("origin", message);
    }
    found.map(|(i, _)| *i)
}

/// The distinct values of `items`, in first-seen order.
fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in items {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The checked KPI: the metric's unit, the window's dates, its month when
/// it is exactly one calendar month, and a label when none was given.
fn build(
    raw: RawKpi,
    metric: &MetricSpec,
    column: usize,
    calendar: &Calendar,
    (from, to): (usize, usize),
    how: Aggregate,
) -> UserKpi {
    let (first, last) = (calendar.date(from as u32), calendar.date(to as u32 - 1));
    let label = raw
        .label
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| {
            let dims = crate::metrics::dimensions_text(
                raw.place.as_deref(),
                raw.origin.as_deref(),
                " at ",
            );
            format!(
                "{}{dims}, {} {first} to {last}",
                metric.label, raw.aggregate
            )
        });
    let mut spec = KpiSpec::of(raw.name, metric, how, label);
    spec.window = Some((first.to_string(), last.to_string()));
    let next = last.succ_opt().unwrap_or(last);
    spec.month = (first.day() == 1 && next.day() == 1 && first.month() == last.month())
        .then(|| first.format("%Y-%m").to_string());
    UserKpi {
        spec,
        column,
        from,
        to,
    }
}

/// A model's experiment with user KPIs appended after its own: the same
/// metrics and replications, and each replication's KPIs followed by the
/// user KPIs' values, read from its daily table.
pub struct WithUserKpis<'a> {
    /// The model's experiment.
    inner: Box<dyn Experiment + 'a>,
    /// The user KPIs, in declaration order.
    kpis: Vec<UserKpi>,
}

impl<'a> WithUserKpis<'a> {
    /// `inner`, or `inner` with `kpis` appended when there are any.
    pub fn wrap(inner: Box<dyn Experiment + 'a>, kpis: &[UserKpi]) -> Box<dyn Experiment + 'a> {
        if kpis.is_empty() {
            return inner;
        }
        Box::new(WithUserKpis {
            inner,
            kpis: kpis.to_vec(),
        })
    }
}

impl Experiment for WithUserKpis<'_> {
    fn metrics(&self) -> Vec<MetricSpec> {
        self.inner.metrics()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        let mut all = self.inner.kpis();
        all.extend(self.kpis.iter().map(|k| k.spec.clone()));
        all
    }

    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let mut rep = self.inner.run_replication(seed, replication, check, stop)?;
        let values: Vec<f64> = self.kpis.iter().map(|k| k.value(&rep.daily)).collect();
        rep.kpis.extend(values);
        Some(rep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{DailySeries, MetricKind, Unit};

    fn metrics() -> Vec<MetricSpec> {
        let m = |n: &str| MetricSpec::new(n, Unit::Persons, MetricKind::Count, "People");
        vec![
            m("usbp_apprehensions"),
            m("usbp_apprehensions").at("Tucson"),
            m("usbp_apprehensions").at("El Paso"),
            m("in_system"),
        ]
    }

    fn calendar() -> Calendar {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        Calendar::from_dates(d("2023-11-01"), d("2024-01-31"))
    }

    fn check(text: &str) -> (Vec<UserKpi>, Vec<String>) {
        let v: Value = ron::from_str(text).unwrap_or(Value::Unit);
        let Value::Seq(items) = v else {
            return (Vec::new(), vec!["not a list".into()]);
        };
        let mut c = Checks::default();
        let m = metrics();
        let kpis = check_kpis(
            items.into_iter().enumerate().collect(),
            Some(&m),
            &["taken".to_string()],
            &calendar(),
            &mut c,
        );
        (kpis, c.problems.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn a_place_window_reads_its_column_and_days() {
        let (k, problems) = check(
            r#"[(name: "tucson_dec", metric: "usbp_apprehensions", place: "Tucson",
                 from: "2023-12-01", to: "2023-12-31", aggregate: "sum")]"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((k[0].column, k[0].from, k[0].to), (1, 30, 61));
        assert_eq!(k[0].spec.month.as_deref(), Some("2023-12"));
        assert_eq!(k[0].spec.place.as_deref(), Some("Tucson"));
        // Day d of column 1 holds d: the sum over days 30..=60 is 31 × 45.
        let mut daily = DailySeries::new(92, 4);
        for d in 0..92 {
            daily.row_mut(d)[1] = d as f64;
        }
        assert_eq!(k[0].value(&daily), 31.0 * 45.0);
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let (k, problems) = check(
            r#"[(name: "taken", metric: "usbp_aprehensions", aggregate: "summ"),
                (name: "a b", metric: "usbp_apprehensions", place: "Tuscon", aggregate: "sum",
                 from: "2024-01-10", to: "2024-01-02"),
                (name: "ok", metric: "in_system", place: "Tucson", aggregate: "end", to: "2024-02-01"),
                (name: "ok", metric: "in_system", aggregate: "end", colour: "red")]"#,
        );
        assert!(k.is_empty());
        let expected = [
            "kpis[0].name: \"taken\" is already a KPI",
            "kpis[0].aggregate: unknown aggregate \"summ\" — did you mean \"sum\"?",
            "kpis[0].metric: the model declares no daily metric \"usbp_aprehensions\" — did you mean \"usbp_apprehensions\"?",
            "kpis[1].name: \"a b\" is not a KPI name",
            "kpis[1].to: 2024-01-02 is before `from` 2024-01-10",
            "kpis[1].place: \"usbp_apprehensions\" is not measured at \"Tuscon\" — did you mean \"Tucson\"?",
            "kpis[2].to: 2024-02-01 is outside the simulated period 2023-11-01 to 2024-01-31",
            "kpis[2].place: \"in_system\" has no places",
            "kpis[3].colour: Unexpected field named `colour`",
            // Reading went on past the unknown field (issue 15).
            "kpis[3].name: \"ok\" is used twice",
        ];
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
        for (p, e) in problems.iter().zip(expected) {
            assert!(p.starts_with(e), "{p:?} should start with {e:?}");
        }
    }

    #[test]
    fn names_are_unique_and_default_to_the_whole_period() {
        let (k, problems) = check(
            r#"[(name: "all", metric: "usbp_apprehensions", aggregate: "max", label: "Peak"),
                (name: "all", metric: "usbp_apprehensions", aggregate: "max")]"#,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("kpis[1].name: \"all\" is used twice"));
        assert_eq!((k[0].from, k[0].to), (0, 92));
        assert_eq!(k[0].spec.label, "Peak");
        assert_eq!(k[0].spec.month, None);
    }
}
