//! Charts of a comparison (`borderflow compare`): the daily difference
//! what-if − baseline as a fan across paired replications, zoomed to the
//! intervention window, with zero marked, and the relative changes of the
//! KPIs that changed with their 95% confidence intervals.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use ron::Value;

use super::axis::DayAxis;
use super::compare_page::Comparison;
use super::data::{DayStats, field};
use super::figure::{self, Chart, Figure, save};
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::error::Result;
use crate::metrics::{MetricKind, MetricSpec};
use crate::results::compare::{KpiDifference, subject};

/// Metrics whose national daily difference gets a chart when the model has
/// them; a model with none of them gets a chart for every metric.
const CHARTED: &[&str] = &[
    "usbp_apprehensions",
    "ofo_encounters",
    "mx_detections",
    "gotaways",
    "waiting_north",
    "port_queue",
];

/// Days shown either side of the window a chart zooms to [d]: enough to see
/// the series before the change and how it settles after.
pub const MARGIN_DAYS: usize = 14;

/// Most KPIs in a what-if's chart of relative changes (the largest; the
/// table in `report.html` and `compare.csv` have them all).
const MAX_KPI_BARS: usize = 30;

/// Longest chart title [characters]: what fits the chart's width at the
/// title's size (about 17 px a character of 28 px bold type in 1,200 px).
const MAX_TITLE_CHARS: usize = 64;

/// The days a what-if's daily charts show and the window they mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartWindow {
    /// Days `first..end` of the run shown [day index].
    pub days: (usize, usize),
    /// The window marked on the charts, first and last day included [day
    /// index]; none when the chart shows the whole run for want of one.
    pub marked: Option<(usize, usize)>,
}

impl ChartWindow {
    /// The days of a run of `days` days from `start` that show `window`
    /// (first and last date, included) with [`MARGIN_DAYS`] either side,
    /// within the run; the whole run without a window, or with one
    /// entirely outside the run.
    pub fn around(start: NaiveDate, days: usize, window: Option<(NaiveDate, NaiveDate)>) -> Self {
        let whole = Self {
            days: (0, days),
            marked: None,
        };
        let Some((a, b)) = window else {
            return whole;
        };
        let index = |d: NaiveDate| (d - start).num_days();
        let (a, b) = (index(a).max(0), index(b).min(days as i64 - 1));
        if a > b {
            return whole;
        }
        let (a, b) = (a as usize, b as usize);
        Self {
            days: (
                a.saturating_sub(MARGIN_DAYS),
                (b + 1 + MARGIN_DAYS).min(days),
            ),
            marked: Some((a, b)),
        }
    }
}

/// The first and last date over which the interventions of what-if
/// `whatif` differ from the baseline's `base` (both resolved scenarios):
/// every intervention in one list and not, identical, in the other; an
/// intervention without an end runs to `end`, one without a start from
/// `start`. None when the lists are the same (a what-if that changes
/// parameters only).
pub fn intervention_span(
    base: &Value,
    whatif: &Value,
    start: NaiveDate,
    end: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    let list = |v: &Value| match field(v, "model").and_then(|m| field(m, "interventions")) {
        Some(Value::Seq(items)) => items.clone(),
        _ => Vec::new(),
    };
    let (b, w) = (list(base), list(whatif));
    let date = |item: &Value, keys: &[&str]| {
        keys.iter()
            .filter_map(|k| field(item, k))
            .find_map(|v| match v {
                Value::String(s) => crate::calendar::parse_date(s),
                _ => None,
            })
    };
    b.iter()
        .filter(|i| !w.contains(i))
        .chain(w.iter().filter(|i| !b.contains(i)))
        .map(|i| {
            let first = date(i, &["from", "start"]).unwrap_or(start);
            let last = date(i, &["until", "end", "to"]).unwrap_or(end);
            (first.max(start), last.min(end))
        })
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// Draws a comparison's charts into `dir`, each with the what-if it
/// belongs to: per what-if, the daily difference of each key national
/// metric and of the metrics at the places of its [`leading`] KPIs, zoomed
/// to its [`ChartWindow`], and the relative changes of the KPIs that
/// changed.
///
/// [`leading`]: crate::results::compare::changes::leading
pub fn draw(dir: &std::path::Path, c: &Comparison) -> Result<Vec<(String, Chart)>> {
    style::register_fonts()?;
    let run = &c.run;
    let footer = Footer {
        left: format!(
            "borderflow · compare against “{}” · seed {} · {} paired replications",
            run.summary.scenario, run.summary.seed, run.summary.replications
        ),
        right: "common random numbers; bands: middle 50% and 90% of paired differences".into(),
    };
    let metrics = &run.summary.metrics;
    let any_charted = metrics.iter().any(|m| CHARTED.contains(&m.name.as_str()));
    let mut charts = Vec::new();
    for w in &c.whatifs {
        let rows: Vec<&KpiDifference> = c.kpis.iter().filter(|k| k.whatif == w.name).collect();
        let (lead, _) = crate::results::compare::changes::leading(&rows, c.window.is_some());
        let national = |m: &MetricSpec| {
            m.place.is_none()
                && m.origin.is_none()
                && (!any_charted || CHARTED.contains(&m.name.as_str()))
        };
        let local = |m: &MetricSpec| {
            m.origin.is_none()
                && m.place.is_some()
                && lead
                    .iter()
                    .any(|d| d.metric.as_ref() == Some(&m.name) && d.place == m.place)
        };
        for m in metrics {
            if m.scenario.as_deref() != Some(&w.name) || m.internal || !(national(m) || local(m)) {
                continue;
            }
            let Some(stats) = run.get(&m.key()) else {
                continue;
            };
            let (a, b) = w.chart.days;
            let f = DiffFan {
                whatif: w.name.clone(),
                metric: m.clone(),
                stats: stats.get(a..b).unwrap_or(stats).to_vec(),
                axis: DayAxis::new(run.start() + chrono::Days::new(a as u64), (b - a) as u32),
                marked: w.chart.marked.map(|(x, y)| (x - a, y - a)),
                marked_label: w.marked_label.clone(),
                footer: footer.clone(),
            };
            charts.push((w.name.clone(), save(&f, dir)?));
        }
        if let Some(f) = kpi_changes(&w.name, &rows, &footer, &run.summary.uncertainty()) {
            charts.push((w.name.clone(), save(&f, dir)?));
        }
    }
    Ok(charts)
}

/// The chart of relative changes of what-if `whatif`'s KPIs that changed
/// (the [`MAX_KPI_BARS`] largest), none when none changed.
fn kpi_changes(
    whatif: &str,
    rows: &[&KpiDifference],
    footer: &Footer,
    uncertainty: &str,
) -> Option<KpiChanges> {
    let mut changed: Vec<&KpiDifference> = rows.iter().copied().filter(|k| k.changed()).collect();
    changed.sort_by(|a, b| {
        let size = |d: &KpiDifference| d.relative().map_or(f64::INFINITY, f64::abs);
        size(b).total_cmp(&size(a))
    });
    changed.truncate(MAX_KPI_BARS);
    let rows: Vec<_> = changed
        .into_iter()
        .map(|k| {
            let b = k.base.mean;
            let rel = |v: f64| if b != 0.0 { v / b.abs() } else { f64::NAN };
            (
                k.shown_label().to_string(),
                rel(k.difference.mean),
                rel(k.difference.ci95_low),
                rel(k.difference.ci95_high),
            )
        })
        .collect();
    (!rows.is_empty()).then(|| KpiChanges {
        whatif: whatif.to_string(),
        rows,
        footer: footer.clone(),
        uncertainty: uncertainty.to_string(),
    })
}

/// `text` cut to `max` characters, ending with "…" when cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The daily difference of one metric, what-if minus baseline, over the
/// days of its [`ChartWindow`].
pub struct DiffFan {
    /// What-if name.
    pub whatif: String,
    /// The metric, as declared (its label, place, unit and kind).
    pub metric: MetricSpec,
    /// Its summary by day, from the axis's first day.
    pub stats: Vec<DayStats>,
    /// The days shown.
    pub axis: DayAxis,
    /// The window shaded, first and last day included [day of the axis].
    pub marked: Option<(usize, usize)>,
    /// What the shaded window is, for the legend.
    pub marked_label: String,
    /// Footer.
    pub footer: Footer,
}

impl DiffFan {
    /// The y axis's title: the difference and its unit, per day for
    /// counts ("what-if − baseline [persons/day]").
    fn y_label(&self) -> String {
        let unit = self.metric.unit.label();
        match self.metric.kind {
            MetricKind::Count => format!("what-if − baseline [{unit}/day]"),
            MetricKind::Mean => format!("what-if − baseline [{unit}, daily mean]"),
            MetricKind::Level | MetricKind::Cumulative => {
                format!("what-if − baseline [{unit}]")
            }
        }
    }
}

impl Figure for DiffFan {
    fn stem(&self) -> String {
        let key = match &self.metric.place {
            Some(p) => format!("{}_{p}", self.metric.name),
            None => self.metric.name.clone(),
        };
        format!("diff_{}_{}", file_safe(&self.whatif), file_safe(&key))
    }

    fn title(&self) -> String {
        let what = subject(&self.metric);
        let room = MAX_TITLE_CHARS.saturating_sub(what.chars().count() + 3);
        format!("{what}: {} − baseline", fit(&self.whatif, room.max(12)))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let colour = style::VERMILION;
        let mut legend = vec![
            LegendItem::line("median of paired differences", colour, 3),
            LegendItem::fill("50% of replications", colour, 0.45),
            LegendItem::fill("90% of replications", colour, 0.18),
            LegendItem::line("no change", style::BLACK, 1),
        ];
        if self.marked.is_some() {
            legend.push(LegendItem::fill(
                self.marked_label.clone(),
                style::SHADE,
                1.0,
            ));
        }
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let finite = |f: fn(&DayStats) -> f64| self.stats.iter().map(f).filter(|v| v.is_finite());
        let lo = finite(|s| s.p05).fold(0.0, f64::min);
        let hi = finite(|s| s.p95).fold(0.0, f64::max);
        let pad = ((hi - lo) * 0.06).max(1e-9);
        let (y0, y1) = (lo - pad, hi + pad);
        let mut chart = figure::time_panel_range(&area, self.axis, y0, y1, &self.y_label(), true)?;
        if let Some((a, b)) = self.marked {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a as f64, y0), (b as f64 + 1.0, y1)],
                style::SHADE.filled(),
            )))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (f64::from(self.axis.days), 0.0)],
            style::BLACK.stroke_width(1),
        )))?;
        figure::fan(&mut chart, &self.stats, colour)
    }
}

/// The relative change of every KPI with its 95% confidence interval, one
/// horizontal bar per KPI.
pub struct KpiChanges {
    /// What-if name.
    pub whatif: String,
    /// (KPI, relative change, CI low, CI high) [fraction of the baseline].
    pub rows: Vec<(String, f64, f64, f64)>,
    /// Footer.
    pub footer: Footer,
    /// What the intervals contain ([`crate::posterior::uncertainty`]),
    /// said in the legend beside them.
    pub uncertainty: String,
}

impl Figure for KpiChanges {
    fn stem(&self) -> String {
        format!("kpi_changes_{}", file_safe(&self.whatif))
    }

    fn title(&self) -> String {
        format!(
            "{}: KPIs that changed against the baseline",
            fit(&self.whatif, MAX_TITLE_CHARS - 40)
        )
    }

    fn size(&self) -> (u32, u32) {
        (style::SIZE.0, (160 + 34 * self.rows.len() as u32).max(320))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = [
            LegendItem::fill("change in the mean", style::BLUE, 0.7),
            LegendItem::line(
                format!("95% confidence interval ({})", self.uncertainty),
                style::BLACK,
                2,
            ),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let finite = self
            .rows
            .iter()
            .flat_map(|r| [r.1, r.2, r.3])
            .filter(|v| v.is_finite());
        let lo = finite.clone().fold(0.0, f64::min) * 100.0;
        let hi = finite.fold(0.0, f64::max) * 100.0;
        let pad = ((hi - lo) * 0.08).max(1.0);
        let n = self.rows.len();
        let names: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = super::sweep::bar_panel(
            &area,
            (lo - pad)..(hi + pad),
            names,
            "change against the baseline [% of the baseline mean]",
            &|x| format!("{}%", style::fmt_num(*x, 1)),
        )?;
        for (i, (_, m, l, h)) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if m.is_finite() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.25), (m * 100.0, y + 0.75)],
                    style::BLUE.mix(0.7).filled(),
                )))?;
            }
            if l.is_finite() && h.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(l * 100.0, y + 0.5), (h * 100.0, y + 0.5)],
                    style::BLACK.stroke_width(2),
                )))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            style::BLACK.stroke_width(1),
        )))?;
        Ok(())
    }
}

/// Letters, digits, `-` and `_` only, for file names.
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::calendar::parse_date(s).unwrap_or_default()
    }

    /// The window with 14 days either side, cut at the run's ends; the
    /// whole run without a window or with one outside it.
    #[test]
    fn charts_zoom_to_the_window() {
        let start = d("2023-01-01");
        let w = ChartWindow::around(start, 396, Some((d("2023-12-20"), d("2024-01-02"))));
        assert_eq!(w.marked, Some((353, 366)));
        assert_eq!(w.days, (339, 381));
        let w = ChartWindow::around(start, 20, Some((d("2023-01-05"), d("2023-02-10"))));
        assert_eq!((w.days, w.marked), ((0, 20), Some((4, 19))));
        let whole = ChartWindow::around(start, 20, None);
        assert_eq!((whole.days, whole.marked), ((0, 20), None));
        let outside = ChartWindow::around(start, 20, Some((d("2024-01-01"), d("2024-02-01"))));
        assert_eq!(outside, whole);
    }

    /// Added, removed and edited interventions count; shared ones do not;
    /// an open end runs to the end of the run.
    #[test]
    fn the_span_covers_the_interventions_that_differ() {
        let v = |s: &str| ron::from_str::<Value>(s).unwrap_or(Value::Unit);
        let base = v(r#"(model: (interventions: [
            (name: "a", from: "2023-03-01", until: "2023-03-31"),
            (name: "b", from: "2023-06-01", until: "2023-06-30")]))"#);
        let whatif = v(r#"(model: (interventions: [
            (name: "a", from: "2023-03-01", until: "2023-03-31"),
            (name: "b", from: "2023-06-01", until: "2023-07-15"),
            (name: "c", from: "2023-09-01")]))"#);
        let (start, end) = (d("2023-01-01"), d("2023-12-31"));
        assert_eq!(
            intervention_span(&base, &whatif, start, end),
            Some((d("2023-06-01"), end))
        );
        assert_eq!(intervention_span(&base, &base, start, end), None);
    }

    #[test]
    fn long_titles_are_cut_to_fit() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
