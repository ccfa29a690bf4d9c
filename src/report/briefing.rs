//! The briefing part of a run's `report.html`: the summary paragraph and
//! the headline KPIs that open the page, the caveats, and the key-results
//! table in the model's own words (labels and units from the declared
//! KPIs, whole numbers for people, running totals from the report's first
//! day).

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::data::{Kpi, PerReplication, RunData};
use super::fan::{SERIES_NAMES, series_name, since_date};
use super::html::esc;
use super::monthly;
use super::ports;
use super::scorecard::signed_percent;
use super::style::fmt_num;
use crate::metrics::{Aggregate, KpiSpec, MetricKind};
use crate::stats::Accumulator;

/// Decimals a KPI's numbers are shown with: none for counts of people (and
/// of customers and slots), two otherwise.
pub fn decimals(spec: Option<&KpiSpec>) -> usize {
    match spec {
        Some(s) if s.unit.whole() => 0,
        _ => 2,
    }
}

/// A KPI as the report shows it: its label, its numbers and their decimals.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Human label with the unit, e.g. "Got away, 2 Jan 2023 – 31 Jan 2024
    /// [persons]".
    pub label: String,
    /// Its summary across replications.
    pub kpi: Kpi,
    /// Decimals of its numbers.
    pub decimals: usize,
}

/// `name`'s declaration, when the run lists one.
fn spec<'a>(run: &'a RunData, name: &str) -> Option<&'a KpiSpec> {
    run.summary.kpi_specs.iter().find(|s| s.name == name)
}

/// How the report shows KPI `name`. A running total read at the end
/// (`outcome:*`) counts the spin-up before the report's first day; when the
/// daily records are kept, it is recomputed per replication from the report's
/// second day (see [`since_date`]) and labelled so.
pub fn shown(run: &RunData, per_rep: &PerReplication, name: &str, kpi: &Kpi) -> Shown {
    let spec = spec(run, name);
    let decimals = decimals(spec);
    let unit = spec.map(|s| format!(" [{}]", s.unit.label()));
    let label = match spec {
        Some(s) if !s.label.is_empty() && s.label != name => s.label.clone(),
        _ => name.to_string(),
    };
    if let Some((label, kpi)) = spec.and_then(|s| since_start(run, per_rep, s)) {
        return Shown {
            label: format!("{label}{}", unit.unwrap_or_default()),
            kpi,
            decimals,
        };
    }
    Shown {
        label: format!("{label}{}", unit.unwrap_or_default()),
        kpi: kpi.clone(),
        decimals,
    }
}

/// A running total's end value from the report's start: each replication's
/// last value minus its first, when the records hold the metric.
fn since_start(run: &RunData, per_rep: &PerReplication, s: &KpiSpec) -> Option<(String, Kpi)> {
    let metric = s.metric.as_deref()?;
    let m = run.summary.metrics.iter().find(|m| {
        m.name == metric && m.place == s.place && m.origin == s.origin && m.scenario.is_none()
    })?;
    if m.kind != MetricKind::Cumulative || s.aggregate != Aggregate::End {
        return None;
    }
    let reps = per_rep.daily.get(&m.key())?;
    let mut acc = Accumulator::default();
    for r in reps {
        let (Some(a), Some(b)) = (r.first(), r.last()) else {
            continue;
        };
        acc.push(f64::from(*b) - f64::from(*a));
    }
    let t = acc.summary();
    if t.n == 0 {
        return None;
    }
    let finite = |v: f64| v.is_finite().then_some(v);
    let kpi = Kpi {
        n: t.n,
        mean: finite(t.mean),
        ci95_low: (t.n > 1).then_some(t.ci95_low),
        ci95_high: (t.n > 1).then_some(t.ci95_high),
        p05: finite(t.p05),
        p50: finite(t.p50),
        p95: finite(t.p95),
    };
    let label = format!(
        "{}, {} – {}",
        m.label,
        since_date(run),
        run.summary.end.format("%-d %b %Y")
    );
    Some((label, kpi))
}

/// One row of the headline table.
struct Headline {
    /// Its row label with the month and unit.
    label: String,
    /// What it counts, for a sentence ("Border Patrol apprehensions between
    /// ports"); empty for the busiest day, which has a sentence of its own.
    what: String,
    /// Its summary across replications.
    kpi: Kpi,
    /// The observed value, where the scenario has one.
    observed: Option<f64>,
    /// Error of the mean relative to the observed value [×].
    error: Option<f64>,
}

/// The months the headline shows: the month with the most simulated
/// Border Patrol apprehensions (the one a briefing is about: December for
/// the baseline) and the run's last whole month, when they differ.
fn headline_months(run: &RunData) -> Vec<NaiveDate> {
    let months = monthly::months(run, SERIES_NAMES[0].metric);
    let busiest = months
        .iter()
        .filter(|m| m.kpi.mean.is_some_and(f64::is_finite))
        .max_by(|a, b| {
            a.kpi
                .mean
                .unwrap_or(0.0)
                .total_cmp(&b.kpi.mean.unwrap_or(0.0))
        })
        .map(|m| m.month);
    let last = months.last().map(|m| m.month);
    let mut out: Vec<NaiveDate> = busiest.into_iter().chain(last).collect();
    out.dedup();
    out
}

/// The headline rows of `month`: the month's total of each named national
/// series, and the Border Patrol's busiest day in it.
fn headline_rows(run: &RunData, month: NaiveDate) -> Vec<Headline> {
    let tag = month.format("%Y-%m").to_string();
    let mut rows: Vec<Headline> = SERIES_NAMES
        .iter()
        .filter_map(|n| {
            let m = monthly::months(run, n.metric)
                .into_iter()
                .find(|m| m.month == month)?;
            Some(Headline {
                label: format!("{}, {} [{}]", n.subject, month.format("%B %Y"), n.unit),
                what: n
                    .subject
                    .replace("Detections by Mexico's", "detections by Mexico's"),
                kpi: m.kpi,
                observed: m.observed,
                error: m.error,
            })
        })
        .collect();
    let peak = format!("{}:peak_day:{tag}", SERIES_NAMES[0].metric);
    if let Some(k) = run.summary.kpis.get(&peak) {
        rows.push(Headline {
            label: format!(
                "Border Patrol apprehensions on the busiest day of {} [persons/day]",
                month.format("%B %Y")
            ),
            what: String::new(),
            kpi: k.clone(),
            observed: None,
            error: None,
        });
    }
    rows
}

/// A mean with its 95% CI, as a whole number of people: "251,000 (248,000 –
/// 254,000)".
fn whole_ci(k: &Kpi) -> String {
    let n = |v: Option<f64>| v.map_or_else(|| "–".into(), |x| fmt_num(x, 0));
    match (k.ci95_low, k.ci95_high) {
        (Some(a), Some(b)) => format!("{} ({} – {})", n(k.mean), n(Some(a)), n(Some(b))),
        _ => n(k.mean),
    }
}

/// The headline table, or nothing for a model without the named series.
fn headline_table(run: &RunData) -> String {
    let rows: Vec<Headline> = headline_months(run)
        .into_iter()
        .flat_map(|m| headline_rows(run, m))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut h = String::from(
        "<table id=\"headline\"><thead><tr><th>headline</th><th>simulated mean (95% CI)</th>\
         <th>90% of replications</th><th>observed</th><th>error %</th></tr></thead><tbody>\n",
    );
    let n = |v: Option<f64>| v.map_or_else(|| "–".into(), |x| fmt_num(x, 0));
    for r in rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} – {}</td>\
             <td class=\"n obs\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.label),
            whole_ci(&r.kpi),
            n(r.kpi.p05),
            n(r.kpi.p95),
            n(r.observed),
            r.error.map_or_else(|| "–".into(), signed_percent)
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// One sentence per named series in `month`: "In December 2023 the model
/// gives 251,000 Border Patrol apprehensions between ports (observed
/// 249,740, +0.5%)".
fn month_sentence(run: &RunData, month: NaiveDate) -> Option<String> {
    let parts: Vec<String> = headline_rows(run, month)
        .into_iter()
        .filter(|r| !r.what.is_empty())
        .map(|r| {
            let obs = match (r.observed, r.error) {
                (Some(o), Some(e)) => {
                    format!(" (observed {}, {})", fmt_num(o, 0), signed_percent(e))
                }
                (Some(o), None) => format!(" (observed {})", fmt_num(o, 0)),
                _ => String::new(),
            };
            format!(
                "{} {}{obs}",
                fmt_num(r.kpi.mean.unwrap_or(f64::NAN), 0),
                r.what
            )
        })
        .collect();
    let list = match parts.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    Some(format!(
        "In {} the model gives {list}.",
        month.format("%B %Y")
    ))
}

/// The busiest simulated day of `metric` (highest mean): its date and stats.
fn busiest_day(run: &RunData, metric: &str) -> Option<String> {
    let s = run.get(metric)?;
    let (d, day) = s
        .iter()
        .enumerate()
        .filter(|(_, x)| x.mean.is_finite())
        .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))?;
    let date = run.dates.get(d)?;
    let name = series_name(metric)?;
    Some(format!(
        "The busiest simulated day for the Border Patrol is {}: {} {} on average (90% of \
         replications {} – {}).",
        date.format("%-d %B %Y"),
        fmt_num(day.mean, 0),
        name.quantity,
        fmt_num(day.p05, 0),
        fmt_num(day.p95, 0)
    ))
}

/// The summary section: a paragraph in plain words (the period, the
/// headline months, the busiest day, the ports closed and cut, what the
/// intervals contain) and the headline table.
pub fn summary(run: &RunData) -> String {
    let s = &run.summary;
    let mut p = String::new();
    if !s.description.is_empty() {
        let _ = write!(p, "{}. ", s.description.trim_end_matches('.'));
    }
    let _ = write!(
        p,
        "Simulated {} – {} ({} days), {} replications, seed {}.",
        s.start.format("%-d %b %Y"),
        s.end.format("%-d %b %Y"),
        run.dates.len(),
        s.replications,
        s.seed
    );
    for m in headline_months(run) {
        if let Some(t) = month_sentence(run, m) {
            let _ = write!(p, " {t}");
        }
    }
    if let Some(t) = busiest_day(run, SERIES_NAMES[0].metric) {
        let _ = write!(p, " {t}");
    }
    let events = ports::events(run);
    let list = |closure: bool| {
        events
            .iter()
            .filter(|e| e.is_closure() == closure)
            .map(|e| e.label(run.start()))
            .collect::<Vec<_>>()
    };
    let (closed, cut) = (list(true), list(false));
    if !closed.is_empty() {
        let _ = write!(
            p,
            " Port closures (the state in most replications): {}.",
            closed.join("; ")
        );
    }
    if !cut.is_empty() {
        let _ = write!(p, " Capacity cut: {}.", cut.join("; "));
    }
    let mut h = format!("<p id=\"summary-text\">{}</p>\n", esc(&p));
    let _ = writeln!(
        h,
        "<p>Intervals: <span id=\"uncertainty\">{}</span>. Monthly totals are means over \
         replications with the 95% confidence interval of the mean; the observed values are \
         never an input to the model.</p>",
        esc(&s.uncertainty())
    );
    h.push_str(&headline_table(run));
    h
}

/// The caveats: the scenario's own description of itself, what the
/// intervals contain, the spin-up and the observed series' role. The
/// scenario has no field for caveats of its own; its README says more.
pub fn caveats(run: &RunData) -> String {
    let s = &run.summary;
    let mut items: Vec<String> = Vec::new();
    if !s.description.is_empty() {
        items.push(format!(
            "The scenario says of itself: “{}”.",
            esc(&s.description)
        ));
    }
    let why = if s.posterior.is_none() {
        " Replications differ only in their random numbers; the uncertainty of the parameters \
         themselves is not in the intervals, so they are narrower than what is really known."
    } else {
        ""
    };
    items.push(format!(
        "What the intervals contain: <strong>{}</strong>.{why}",
        esc(&s.uncertainty())
    ));
    let spinup = run
        .scenario
        .as_ref()
        .and_then(|v| super::data::field(v, "model"))
        .and_then(|m| super::data::field(m, "spinup_days"))
        .and_then(super::data::as_f64);
    if let Some(days) = spinup.filter(|d| *d > 0.0) {
        items.push(format!(
            "The model runs {} days before {} from an empty system (spin-up); they are dropped, \
             and running totals here count from {}.",
            fmt_num(days, 0),
            s.start.format("%-d %b %Y"),
            esc(&since_date(run))
        ));
    }
    if !run.observed.is_empty() {
        items.push(
            "Observed series are shown for comparison only; the model never reads them, but \
             calibrated parameters were fitted to some of them (see “How well does this fit?”)."
                .into(),
        );
    }
    items.push(
        "Interventions are the scenario's assumptions about when and how strongly a policy \
         acted; the table of interventions lists them as given."
            .into(),
    );
    let mut h = String::from("<ul id=\"caveat-list\">\n");
    for i in items {
        let _ = writeln!(h, "<li>{i}</li>");
    }
    h.push_str("</ul>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Unit;

    #[test]
    fn people_are_whole_and_others_keep_decimals() {
        let mut s = KpiSpec {
            name: "x".into(),
            metric: None,
            place: None,
            origin: None,
            window: None,
            aggregate: Aggregate::End,
            unit: Unit::Persons,
            label: "X".into(),
            month: None,
            scenario: None,
            contrast: None,
        };
        assert_eq!(decimals(Some(&s)), 0);
        s.unit = Unit::Minutes;
        assert_eq!(decimals(Some(&s)), 2);
        assert_eq!(decimals(None), 2);
    }

    #[test]
    fn means_with_intervals_are_whole() {
        let k = Kpi {
            n: 3,
            mean: Some(1_919_278.29),
            ci95_low: Some(1_900_000.4),
            ci95_high: Some(1_921_192.41),
            ..Kpi::default()
        };
        assert_eq!(whole_ci(&k), "1,919,278 (1,900,000 – 1,921,192)");
    }
}
