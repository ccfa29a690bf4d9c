//! Fan charts: a metric's median by day with the middle 50% and 90% of
//! replications as bands, the observed monthly series overlaid where the
//! scenario names one, and the days when a port was closed shaded behind.
//!
//! Daily counts are compared with the observed monthly total divided by the
//! days of the month (a step per month); cumulative series are compared with
//! the observed cumulative total at each month's end.

use std::collections::BTreeSet;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::DayAxis;
use super::data::{DayStats, RunData};
use super::figure::{self, Figure, TimeChart, fan, max_of, runs, shade};
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::metrics::{MetricKind, MetricSpec};

/// Port states at or below this are "closed" [0–1]; a tolerance, since the
/// state is stored as a decimal fraction of capacity.
const CLOSED: f64 = 1e-9;

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
    /// Days when some port was closed, as `[first, last]`, and which ports.
    pub closures: (Vec<(usize, usize)>, Vec<String>),
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
        if !self.closures.0.is_empty() {
            let label = format!("port closed: {}", self.closures.1.join(", "));
            legend.push(LegendItem::fill(label, style::SHADE, 1.0));
        }
        let area = style::frame(root, &self.title, &legend, &self.footer)?;
        let mut chart = figure::time_panel(&area, self.axis, y_max, &self.y_label, true)?;
        shade(&mut chart, &self.closures.0, style::SHADE)?;
        fan(&mut chart, &self.stats, self.colour)?;
        if let Some((overlay, _)) = &self.overlay {
            draw_overlay(&mut chart, overlay)?;
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

/// Days when at least one port was closed in most replications (median
/// state 0), as `[first, last]` runs, and the names of those ports. Partial
/// openings are left to the port charts: shading them too would cover most
/// of a run where some port always works at reduced capacity.
pub fn closure_windows(run: &RunData) -> (Vec<(usize, usize)>, Vec<String>) {
    let ports: Vec<(String, &[DayStats])> = run
        .places("port_open")
        .into_iter()
        .filter_map(|p| run.get(&format!("port_open:{p}")).map(|s| (p, s)))
        .collect();
    let closed = |s: &[DayStats], d: usize| s.get(d).is_some_and(|x| x.p50 <= CLOSED);
    let names = ports
        .iter()
        .filter(|(_, s)| (0..s.len()).any(|d| closed(s, d)))
        .map(|(p, _)| p.clone())
        .collect();
    let windows = runs(run.dates.len(), |d| ports.iter().any(|(_, s)| closed(s, d)));
    (windows, names)
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
        closures: closure_windows(run),
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
        closures: (Vec::new(), Vec::new()),
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
/// specific chart.
pub fn generic(run: &RunData, metric: &str) -> Option<FanFigure> {
    let stats = run.get(metric)?.to_vec();
    let axis = DayAxis::new(run.start(), stats.len() as u32);
    // Titles and units come from the model's declaration; a metric the
    // summary does not declare (an older folder) keeps its bare name.
    let (title, y_label) = match run.spec(metric) {
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
        closures: (Vec::new(), Vec::new()),
        footer: figure::footer(run, true),
    })
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
