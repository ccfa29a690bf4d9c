//! Fan charts: a metric's median by day with the middle 50% and 90% of
//! replications as bands, the observed monthly series overlaid where the
//! scenario names one, each port closure shaded behind with its own dates
//! and label, and capacity cuts as bars along the top.
//!
//! Daily counts are compared with the observed monthly total divided by the
//! days of the month (a step per month); cumulative series are compared with
//! the observed cumulative total at each month's end.

use std::collections::BTreeSet;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::DayAxis;
use super::data::{DayStats, RunData};
use super::figure::{self, Figure, TimeChart, fan, max_of};
use super::ports::PortEvent;
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::metrics::{MetricKind, MetricSpec};

/// Observed data drawn over a fan.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// Monthly daily averages: (first x, end x, value) steps.
    Steps(Vec<(f64, f64, f64)>),
    /// Points joined by straight lines (a cumulative total at month ends).
    Points(Vec<(f64, f64)>),
}

/// A fan chart of one series.
#[derive(Debug, Clone)]
pub struct FanFigure {
    /// File name without extension.
    pub stem: String,
    /// Title.
    pub title: String,
    /// y-axis label with its unit.
    pub y_label: String,
    /// The series by day.
    pub stats: Vec<DayStats>,
    /// Colour of the median and bands.
    pub colour: RGBColor,
    /// The calendar.
    pub axis: DayAxis,
    /// Observed data and its legend label.
    pub overlay: Option<(Overlay, String)>,
    /// Port closures (shaded, one band each) and capacity cuts (bars in
    /// lanes along the top), each with its own dates and label.
    pub events: Vec<PortEvent>,
    /// Footer.
    pub footer: Footer,
}

impl Figure for FanFigure {
    fn stem(&self) -> String {
        self.stem.clone()
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut legend = vec![
            LegendItem::line("median", self.colour, 3),
            LegendItem::fill("50% of replications", self.colour, 0.45),
            LegendItem::fill("90% of replications", self.colour, 0.18),
        ];
        let mut y_max = max_of(&self.stats, |s| s.p95);
        if let Some((overlay, label)) = &self.overlay {
            legend.push(LegendItem::line(label.clone(), style::BLACK, 2));
            let obs_max = match overlay {
                Overlay::Steps(s) => s.iter().map(|p| p.2).fold(0.0, f64::max),
                Overlay::Points(p) => p.iter().map(|p| p.1).fold(0.0, f64::max),
            };
            y_max = y_max.max(obs_max);
        }
        let closures: Vec<&PortEvent> = self.events.iter().filter(|e| e.is_closure()).collect();
        let cuts: Vec<&PortEvent> = self.events.iter().filter(|e| !e.is_closure()).collect();
        for (i, e) in closures.iter().enumerate() {
            legend.push(LegendItem::fill(
                e.label(self.axis.start),
                closure_colour(i),
                CLOSURE_ALPHA,
            ));
        }
        let lanes = lanes(&cuts);
        for (i, e) in cuts.iter().enumerate() {
            legend.push(LegendItem::fill(
                format!("capacity cut: {}", e.label(self.axis.start)),
                cut_colour(i),
                1.0,
            ));
        }
        // Room above the data for the lanes of capacity cuts.
        let n_lanes = lanes.iter().copied().max().map_or(0, |l| l + 1);
        let headroom = 1.0 + LANE * n_lanes as f64;
        let area = style::frame(root, &self.title, &legend, &self.footer)?;
        let mut chart =
            figure::time_panel(&area, self.axis, y_max * headroom, &self.y_label, true)?;
        let top = chart.y_range().end;
        for (i, e) in closures.iter().enumerate() {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(e.first as f64, 0.0), (e.last as f64 + 1.0, top)],
                closure_colour(i).mix(CLOSURE_ALPHA).filled(),
            )))?;
        }
        fan(&mut chart, &self.stats, self.colour)?;
        if let Some((overlay, _)) = &self.overlay {
            draw_overlay(&mut chart, overlay)?;
        }
        for (i, (e, lane)) in cuts.iter().zip(&lanes).enumerate() {
            let hi = top * (1.0 - LANE * *lane as f64 - LANE * 0.2);
            let lo = top * (1.0 - LANE * (*lane as f64 + 1.0) + LANE * 0.2);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(e.first as f64, lo), (e.last as f64 + 1.0, hi)],
                cut_colour(i).filled(),
            )))?;
        }
        Ok(())
    }
}

/// Draws observed data in black over the fan.
fn draw_overlay<DB: DrawingBackend>(chart: &mut TimeChart<'_, DB>, overlay: &Overlay) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let stroke = style::BLACK.stroke_width(2);
    match overlay {
        Overlay::Steps(steps) => {
            // One polyline through every step, so adjacent months are joined
            // by a vertical riser, the usual look of a step series.
            let mut pts = Vec::with_capacity(steps.len() * 2);
            for &(x0, x1, y) in steps {
                pts.push((x0, y));
                pts.push((x1, y));
            }
            chart.draw_series(std::iter::once(PathElement::new(pts, stroke)))?;
        }
        Overlay::Points(points) => {
            chart.draw_series(std::iter::once(PathElement::new(points.clone(), stroke)))?;
            chart.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 4, style::BLACK.filled())),
            )?;
        }
    }
    Ok(())
}

/// Opacity of a closure's band [0–1]: light enough that the fan reads
/// through it and that overlapping closures show both.
const CLOSURE_ALPHA: f64 = 0.3;

/// Height of one lane of capacity cuts, as a share of the y range [0–1].
const LANE: f64 = 0.035;

/// Fill of the `i`-th closure band: greys and pale hues that differ in
/// lightness, so neighbouring closures stay apart in the legend.
fn closure_colour(i: usize) -> RGBColor {
    [style::GREY, style::PURPLE, style::SKY_BLUE, style::YELLOW][i % 4]
}

/// Colour of the `i`-th capacity cut's bar.
fn cut_colour(i: usize) -> RGBColor {
    // Dark and saturated, none of the closures' pale fills.
    [style::BLACK, style::GREEN, style::VERMILION, style::BLUE][i % 4]
}

/// A lane for each capacity cut (in date order), the lowest one free: cuts
/// that overlap in time get lanes of their own, others share.
fn lanes(cuts: &[&PortEvent]) -> Vec<usize> {
    let mut ends: Vec<usize> = Vec::new();
    cuts.iter()
        .map(|e| match ends.iter().position(|&end| end < e.first) {
            Some(l) => {
                ends[l] = e.last;
                l
            }
            None => {
                ends.push(e.last);
                ends.len() - 1
            }
        })
        .collect()
}

/// The observed monthly daily averages of `metric` inside the run, as steps.
fn observed_steps(run: &RunData, axis: DayAxis, metric: &str) -> Option<(Overlay, String)> {
    let obs = run.observed(metric)?;
    let end = f64::from(axis.days);
    let steps: Vec<(f64, f64, f64)> = obs
        .daily_averages()
        .into_iter()
        .map(|(a, b, v)| (axis.x_of(a).max(0.0), axis.x_of(b).min(end), v))
        .filter(|(a, b, _)| b > a)
        .collect();
    if steps.is_empty() {
        return None;
    }
    Some((
        Overlay::Steps(steps),
        observed_label(&obs.source, "monthly total ÷ days"),
    ))
}

/// Longest source name in a legend [characters]; the full source is listed
/// in the report.
const SOURCE_MAX: usize = 48;

/// Legend label of an observed series: the source's name without its file
/// (in parentheses) and, when still long, only up to its first comma.
fn observed_label(source: &str, what: &str) -> String {
    let mut name = source.split(" (").next().unwrap_or(source).trim();
    if name.chars().count() > SOURCE_MAX {
        name = name.split(',').next().unwrap_or(name).trim();
    }
    let name: String = if name.chars().count() > SOURCE_MAX {
        format!("{}…", name.chars().take(SOURCE_MAX - 1).collect::<String>())
    } else {
        name.to_string()
    };
    if name.is_empty() {
        format!("observed ({what})")
    } else {
        format!("observed, {name} ({what})")
    }
}

/// A fan chart of a daily count with its observed steps and port closures.
fn daily_count(
    run: &RunData,
    metric: &str,
    title: &str,
    y_label: &str,
    colour: RGBColor,
) -> Option<FanFigure> {
    let stats = run.get(metric)?.to_vec();
    let axis = DayAxis::new(run.start(), stats.len() as u32);
    Some(FanFigure {
        stem: metric.to_string(),
        title: title.to_string(),
        y_label: y_label.to_string(),
        stats,
        colour,
        axis,
        overlay: observed_steps(run, axis, metric),
        events: super::ports::events(run),
        footer: figure::footer(run, true),
    })
}

/// How the report names one of the border model's national series, so a
/// run's daily fan and a calibration's monthly fit say the same words.
#[derive(Debug, Clone, Copy)]
pub struct SeriesName {
    /// The metric's name.
    pub metric: &'static str,
    /// What the series counts, for a title ("Border Patrol apprehensions
    /// between ports").
    pub subject: &'static str,
    /// The quantity on the y axis ("apprehensions").
    pub quantity: &'static str,
    /// Its unit ("persons").
    pub unit: &'static str,
}

/// The series with names of their own; any other metric keeps its declared
/// label (a run) or its name (a calibration, whose tables hold only names).
pub const SERIES_NAMES: [SeriesName; 3] = [
    SeriesName {
        metric: "usbp_apprehensions",
        subject: "Border Patrol apprehensions between ports",
        quantity: "apprehensions",
        unit: "persons",
    },
    SeriesName {
        metric: "ofo_encounters",
        subject: "OFO encounters at ports of entry",
        quantity: "encounters",
        unit: "persons",
    },
    SeriesName {
        metric: MX_DETECTIONS,
        subject: "Detections by Mexico's authorities",
        quantity: "detections",
        unit: "persons",
    },
];

/// The name of `metric` in [`SERIES_NAMES`], if it has one.
pub fn series_name(metric: &str) -> Option<&'static SeriesName> {
    SERIES_NAMES.iter().find(|n| n.metric == metric)
}

/// A daily fan of one of the [`SERIES_NAMES`].
fn named_daily(run: &RunData, metric: &str, colour: RGBColor) -> Option<FanFigure> {
    let name = series_name(metric)?;
    daily_count(
        run,
        metric,
        &format!("{}, per day", name.subject),
        &format!("{} [{}/day]", name.quantity, name.unit),
        colour,
    )
}

/// USBP apprehensions between ports, per day.
pub fn usbp(run: &RunData) -> Option<FanFigure> {
    named_daily(run, "usbp_apprehensions", style::BLUE)
}

/// OFO encounters at ports of entry, per day.
pub fn ofo(run: &RunData) -> Option<FanFigure> {
    named_daily(run, "ofo_encounters", style::ORANGE)
}

/// Metric of Mexico's detections.
pub const MX_DETECTIONS: &str = "mx_detections";

/// Mexico's detections, cumulative since the first simulated day, from each
/// replication's running total (quantiles of a running total cannot be
/// built from daily quantiles); `reps` is `[replication][day]` from
/// `daily.csv`.
pub fn mx_cumulative(run: &RunData, reps: &[Vec<f32>]) -> Option<FanFigure> {
    if reps.is_empty() {
        return None;
    }
    let days = run.dates.len();
    let stats = super::data::cumulative_stats(reps, days);
    let axis = DayAxis::new(run.start(), days as u32);
    let overlay = run.observed(MX_DETECTIONS).and_then(|obs| {
        // Only whole months inside the run, so both totals cover the same days.
        let end = f64::from(axis.days);
        let mut total = 0.0;
        let mut pts = Vec::new();
        for (a, b, v) in obs.daily_averages() {
            let (x0, x1) = (axis.x_of(a), axis.x_of(b));
            if x0 < 0.0 || x1 > end {
                continue;
            }
            if pts.is_empty() {
                pts.push((x0, 0.0));
            }
            total += v * (x1 - x0);
            pts.push((x1, total));
        }
        (pts.len() > 1).then(|| {
            (
                Overlay::Points(pts),
                observed_label(&obs.source, "cumulative at month ends"),
            )
        })
    });
    Some(FanFigure {
        stem: format!("{MX_DETECTIONS}_cumulative"),
        title: format!(
            "{}, cumulative since {}",
            SERIES_NAMES[2].subject,
            run.start().format("%-d %b %Y")
        ),
        y_label: "detections since start [persons]".into(),
        stats,
        colour: style::VERMILION,
        axis,
        overlay,
        events: Vec::new(),
        footer: figure::footer(run, true),
    })
}

/// The axis unit of a declared metric: its unit, per day for counts,
/// "since start" for running totals.
pub fn unit_text(spec: &MetricSpec) -> String {
    let unit = spec.unit.label();
    match spec.kind {
        MetricKind::Count => format!("{unit}/day"),
        MetricKind::Cumulative => format!("{unit} since start"),
        MetricKind::Level | MetricKind::Mean => unit.to_string(),
    }
}

/// A declared metric's title: its label, at its place, for its origin.
pub fn title_of(spec: &MetricSpec) -> String {
    let mut t = spec.label.clone();
    for dim in [&spec.place, &spec.origin].into_iter().flatten() {
        t.push_str(", ");
        t.push_str(dim);
    }
    t
}

/// A plain fan chart of any metric, for models and metrics without a
/// specific chart. A running total (a cumulative metric) starts at zero on
/// the report's first day, so the spin-up before it is not counted: from
/// each replication's own values when `reps` (`[replication][day]`, from
/// the daily records) has them, else by shifting each daily quantile by its
/// first day's value (exact for the mean, close for the quantiles).
pub fn generic(run: &RunData, metric: &str, reps: Option<&[Vec<f32>]>) -> Option<FanFigure> {
    let mut stats = run.get(metric)?.to_vec();
    let axis = DayAxis::new(run.start(), stats.len() as u32);
    let mut footer = figure::footer(run, true);
    // Titles and units come from the model's declaration; a metric the
    // summary does not declare (an older folder) keeps its bare name.
    let (title, y_label) = match run.spec(metric) {
        Some(spec) if spec.kind == MetricKind::Cumulative => {
            stats = match reps {
                Some(r) if !r.is_empty() => since_first_day(r, stats.len()),
                _ => {
                    footer
                        .right
                        .push_str("; quantiles shifted by the first day's");
                    shifted(&stats)
                }
            };
            let since = since_date(run);
            (
                format!("{}, {} since {since}", title_of(spec), spec.unit.label()),
                format!("{} [{} since {since}]", spec.label, spec.unit.label()),
            )
        }
        Some(spec) => (
            format!("{} by day", title_of(spec)),
            format!("{} [{}]", spec.label, unit_text(spec)),
        ),
        None => (format!("{metric} by day"), metric.to_string()),
    };
    Some(FanFigure {
        stem: format!("metric_{}", slug(metric)),
        title,
        y_label,
        stats,
        // One dark colour for all: these are separate charts, and the light
        // palette colours make pale bands.
        colour: style::BLUE,
        axis,
        overlay: observed_steps(run, axis, metric),
        events: Vec::new(),
        footer,
    })
}

/// The day from which the report's running totals count: the second
/// simulated day, since a running total's first recorded value (the end
/// of the first day) already holds the spin-up and that day; "persons since
/// 2 Jan 2023" is then exactly what the chart shows.
pub fn since_date(run: &RunData) -> String {
    run.start()
        .succ_opt()
        .unwrap_or(run.start())
        .format("%-d %b %Y")
        .to_string()
}

/// Stats by day of each replication's running total minus its first day's
/// value (`reps` is `[replication][day]`).
pub fn since_first_day(reps: &[Vec<f32>], days: usize) -> Vec<DayStats> {
    (0..days)
        .map(|d| {
            let mut v: Vec<f64> = reps
                .iter()
                .map(|r| match (r.first(), r.get(d)) {
                    (Some(a), Some(b)) => f64::from(*b) - f64::from(*a),
                    _ => f64::NAN,
                })
                .collect();
            DayStats::of(&mut v)
        })
        .collect()
}

/// Daily stats with each statistic's first-day value subtracted.
fn shifted(stats: &[DayStats]) -> Vec<DayStats> {
    let Some(&f) = stats.first() else {
        return Vec::new();
    };
    stats
        .iter()
        .map(|s| DayStats {
            mean: s.mean - f.mean,
            p05: s.p05 - f.p05,
            p25: s.p25 - f.p25,
            p50: s.p50 - f.p50,
            p75: s.p75 - f.p75,
            p95: s.p95 - f.p95,
        })
        .collect()
}

/// Metrics whose daily values the report keeps per replication: Mexico's
/// detections (its running total) and every declared running total (to
/// start it at the report's first day, here and in the key results).
pub fn daily_needed(run: &RunData) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = run
        .get(MX_DETECTIONS)
        .map(|_| MX_DETECTIONS.to_string())
        .into_iter()
        .collect();
    out.extend(
        run.summary
            .metrics
            .iter()
            .filter(|m| m.kind == MetricKind::Cumulative && !m.internal)
            .map(MetricSpec::key)
            .filter(|k| run.get(k).is_some()),
    );
    out
}

/// A metric or place name as a file-name part: lower-case letters, digits
/// and `_`.
pub fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    s.split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Metrics the specific charts draw; the rest get a generic fan.
pub fn covered() -> BTreeSet<&'static str> {
    ["usbp_apprehensions", "ofo_encounters", MX_DETECTIONS]
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(
            slug("ofo_encounters:San Ysidro"),
            "ofo_encounters_san_ysidro"
        );
        assert_eq!(slug("caravan_km:Éxodo 2023"), "caravan_km_xodo_2023");
    }

    #[test]
    fn units_follow_the_declaration() {
        use crate::metrics::Unit;
        let count = MetricSpec::new("usbp", Unit::Persons, MetricKind::Count, "USBP").at("Tucson");
        assert_eq!(unit_text(&count), "persons/day");
        assert_eq!(title_of(&count), "USBP, Tucson");
        let wait = MetricSpec::new("w", Unit::Minutes, MetricKind::Mean, "Wait");
        assert_eq!(unit_text(&wait), "min");
        let out = MetricSpec::new("o", Unit::Persons, MetricKind::Cumulative, "Got away");
        assert_eq!(unit_text(&out), "persons since start");
    }

    #[test]
    fn long_sources_are_shortened() {
        let cbp = "CBP Southwest Land Border Encounters, USBP (scenarios/data/cbp.csv)";
        assert_eq!(
            observed_label(cbp, "x"),
            "observed, CBP Southwest Land Border Encounters, USBP (x)"
        );
        let upm = "SEGOB/UPM Boletín Estadístico table 3.1.1, events of people in irregular status (f.csv)";
        assert_eq!(
            observed_label(upm, "x"),
            "observed, SEGOB/UPM Boletín Estadístico table 3.1.1 (x)"
        );
        assert_eq!(observed_label("", "x"), "observed (x)");
    }
}
