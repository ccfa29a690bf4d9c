//! One chart per port of entry: people processed per day, the queue, and
//! the port's state (open, partly open, closed) as a band under the axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use chrono::{Days, NaiveDate};
use ron::Value;

use super::axis::DayAxis;
use super::data::{DayStats, RunData, as_f64, as_str, field};
use super::fan::slug;
use super::figure::{self, Figure, fan, max_of};
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::calendar::check_date;

/// Colour of an open port.
const OPEN: RGBColor = style::GREEN;
/// Colour of a partly open port.
const PARTIAL: RGBColor = style::YELLOW;
/// Colour of a closed port.
const CLOSED: RGBColor = style::VERMILION;
/// Height of the state band, with its label [px].
const BAND_H: u32 = 58;

/// A port's state on a day, from its median `port_open` across
/// replications: the state the port was in in most replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Fully open.
    Open,
    /// Open with a fraction of its capacity.
    Partial,
    /// Closed.
    Closed,
    /// No data.
    Unknown,
}

impl State {
    /// The state of a median `port_open` value [0–1].
    fn of(v: f64) -> State {
        if !v.is_finite() {
            State::Unknown
        } else if v >= 1.0 - 1e-9 {
            State::Open
        } else if v <= 1e-9 {
            State::Closed
        } else {
            State::Partial
        }
    }

    /// Its colour on the band.
    fn colour(self) -> Option<RGBColor> {
        match self {
            State::Open => Some(OPEN),
            State::Partial => Some(PARTIAL),
            State::Closed => Some(CLOSED),
            State::Unknown => None,
        }
    }
}

/// The chart of one port.
#[derive(Debug, Clone)]
pub struct PortFigure {
    /// The port's name.
    port: String,
    /// People processed per day.
    processed: Option<Vec<DayStats>>,
    /// Queue length at the end of the day [persons].
    queue: Option<Vec<DayStats>>,
    /// State by day.
    states: Vec<State>,
    /// The calendar.
    axis: DayAxis,
    /// Footer.
    footer: Footer,
}

/// A chart for every port the run has any metric of.
pub fn figures(run: &RunData) -> Vec<PortFigure> {
    let mut ports: Vec<String> = Vec::new();
    for prefix in ["ofo_encounters", "port_queue", "port_open"] {
        for p in run.places(prefix) {
            if !ports.contains(&p) {
                ports.push(p);
            }
        }
    }
    let days = run.dates.len();
    ports
        .into_iter()
        .map(|port| {
            let states = run
                .get(&format!("port_open:{port}"))
                .map(|s| s.iter().map(|d| State::of(d.p50)).collect())
                .unwrap_or_else(|| vec![State::Unknown; days]);
            PortFigure {
                processed: run
                    .get(&format!("ofo_encounters:{port}"))
                    .map(<[DayStats]>::to_vec),
                queue: run
                    .get(&format!("port_queue:{port}"))
                    .map(<[DayStats]>::to_vec),
                states,
                axis: DayAxis::new(run.start(), days as u32),
                footer: figure::footer(run, true),
                port,
            }
        })
        .collect()
}

impl Figure for PortFigure {
    fn stem(&self) -> String {
        format!("port_{}", slug(&self.port))
    }

    fn title(&self) -> String {
        format!("Port of entry {}: processed, queue and state", self.port)
    }

    fn size(&self) -> (u32, u32) {
        style::SIZE_TALL
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::fill("open", OPEN, 1.0),
            LegendItem::fill("partly open", PARTIAL, 1.0),
            LegendItem::fill("closed (state in most replications)", CLOSED, 1.0),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let (_, h) = area.dim_in_pixel();
        let (panels, band_area) = area.split_vertically(h.saturating_sub(BAND_H));
        let (_, ph) = panels.dim_in_pixel();
        let (upper, lower) = panels.split_vertically(ph / 2);
        let mut drew = false;
        if let Some(p) = &self.processed {
            let mut chart = figure::time_panel(
                &upper,
                self.axis,
                max_of(p, |s| s.p95),
                "processed [persons/day]",
                false,
            )?;
            fan(&mut chart, p, style::ORANGE)?;
            drew = true;
        }
        if let Some(q) = &self.queue {
            let mut chart = figure::time_panel(
                &lower,
                self.axis,
                max_of(q, |s| s.p95),
                "queue [persons]",
                true,
            )?;
            fan(&mut chart, q, style::BLUE)?;
            drew = true;
        }
        if !drew {
            lower.draw(&Text::new(
                "no processed or queue data for this port",
                (120, 40),
                style::text(style::LABEL_PX, style::GREY),
            ))?;
        }
        // The band gets the same margins and label area as the panels, so
        // its days line up with theirs.
        let mut band = ChartBuilder::on(&band_area)
            .margin_left(12)
            .margin_right(style::MARGIN_RIGHT)
            .margin_top(6)
            .margin_bottom(14)
            .y_label_area_size(96)
            .build_cartesian_2d(self.axis, 0.0..1.0)?;
        band.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(0)
            .y_desc("state")
            .axis_desc_style(style::text(style::LABEL_PX, style::BLACK))
            .axis_style(TRANSPARENT)
            .draw()?;
        for (a, b, state) in segments(&self.states) {
            if let Some(c) = state.colour() {
                band.draw_series(std::iter::once(Rectangle::new(
                    [(a as f64, 0.0), (b as f64, 1.0)],
                    c.filled(),
                )))?;
            }
        }
        Ok(())
    }
}

/// What happened to a port over a span of days, as the national charts
/// mark it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// Closed in most replications (median `port_open` 0).
    Closed,
    /// Partly open (`port_state` partial): the fraction of capacity kept
    /// [0–1], from the median `port_open`.
    Partial(f64),
    /// Processing capacity scaled by a `port_capacity` intervention [×].
    Capacity(f64),
}

/// One closure or capacity change of one port (or of every port), over the
/// days `[first, last]` of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct PortEvent {
    /// The port's name, or "every port".
    pub port: String,
    /// What changed.
    pub change: Change,
    /// First day [index into the run's days].
    pub first: usize,
    /// Last day, included [index into the run's days].
    pub last: usize,
}

impl PortEvent {
    /// Whether the port was closed (the others are capacity cuts).
    pub fn is_closure(&self) -> bool {
        self.change == Change::Closed
    }

    /// Its dates, "4 Dec 2023 – 3 Jan 2024" (one date for a single day).
    pub fn dates(&self, start: NaiveDate) -> String {
        let day = |d: usize| {
            start
                .checked_add_days(Days::new(d as u64))
                .map(|x| x.format("%-d %b %Y").to_string())
                .unwrap_or_default()
        };
        if self.first == self.last {
            day(self.first)
        } else {
            format!("{} – {}", day(self.first), day(self.last))
        }
    }

    /// What happened, without dates: "Lukeville closed", "Nogales at 90%
    /// of capacity".
    pub fn what(&self) -> String {
        match self.change {
            Change::Closed => format!("{} closed", self.port),
            Change::Partial(f) => format!("{} at {:.0}% of capacity", self.port, 100.0 * f),
            Change::Capacity(m) => format!("{} capacity ×{}", self.port, style::fmt_num(m, 2)),
        }
    }

    /// What happened and when, for a legend or a sentence.
    pub fn label(&self, start: NaiveDate) -> String {
        format!("{}, {}", self.what(), self.dates(start))
    }
}

/// Every closure and capacity change of the run's ports, in date order:
/// closures and partial openings from each port's median `port_open` (so
/// scheduled, `"*"` and pressure-triggered ones all show, one event per
/// port and span), and `port_capacity` interventions from the scenario
/// (they scale capacity without changing the state `port_open` records).
pub fn events(run: &RunData) -> Vec<PortEvent> {
    let mut out = Vec::new();
    for port in run.places("port_open") {
        let Some(s) = run.get(&format!("port_open:{port}")) else {
            continue;
        };
        // Fractions compared at 1% resolution: the state is a decimal
        // fraction and a median of equal values.
        let class = |d: usize| match State::of(s[d].p50) {
            State::Closed => Some(Change::Closed),
            State::Partial => Some(Change::Partial((s[d].p50 * 100.0).round() / 100.0)),
            State::Open | State::Unknown => None,
        };
        let mut d = 0;
        while d < s.len() {
            if let Some(c) = class(d) {
                let first = d;
                while d + 1 < s.len() && class(d + 1) == Some(c) {
                    d += 1;
                }
                out.push(PortEvent {
                    port: port.clone(),
                    change: c,
                    first,
                    last: d,
                });
            }
            d += 1;
        }
    }
    out.extend(capacity_events(run));
    out.sort_by(|a, b| (a.first, a.last, &a.port).cmp(&(b.first, b.last, &b.port)));
    out
}

/// The scenario's `port_capacity` interventions that change capacity
/// inside the run, clipped to its days.
fn capacity_events(run: &RunData) -> Vec<PortEvent> {
    let Some(Value::Seq(list)) = run
        .scenario
        .as_ref()
        .and_then(|v| field(v, "model"))
        .and_then(|m| field(m, "interventions"))
    else {
        return Vec::new();
    };
    let days = run.dates.len();
    let day_of = |d: NaiveDate| (d - run.start()).num_days();
    let date = |item: &Value, keys: &[&str]| {
        keys.iter()
            .filter_map(|k| field(item, k).and_then(as_str))
            .find_map(|s| check_date(s).ok())
    };
    list.iter()
        .filter(|i| field(i, "kind").and_then(as_str) == Some("port_capacity"))
        .filter_map(|i| {
            let m = field(i, "multiplier").and_then(as_f64)?;
            let from = date(i, &["from", "start"]).map_or(0, day_of).max(0);
            let until = date(i, &["until", "end"]).map_or(days as i64 - 1, day_of);
            let until = until.min(days as i64 - 1);
            if (m - 1.0).abs() < 1e-9 || until < from {
                return None;
            }
            let port = match field(i, "port").and_then(as_str) {
                Some(p) if p != "*" => p.to_string(),
                _ => "every port".to_string(),
            };
            Some(PortEvent {
                port,
                change: Change::Capacity(m),
                first: usize::try_from(from).ok()?,
                last: usize::try_from(until).ok()?,
            })
        })
        .collect()
}

/// Spans of days `[first, end)` in the same state.
fn segments(states: &[State]) -> Vec<(usize, usize, State)> {
    let mut out: Vec<(usize, usize, State)> = Vec::new();
    for (d, &s) in states.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.2 == s => last.1 = d + 1,
            _ => out.push((d, d + 1, s)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_classify_and_segment() {
        let s: Vec<State> = [1.0, 1.0, 0.5, 0.0, 0.0, f64::NAN]
            .into_iter()
            .map(State::of)
            .collect();
        assert_eq!(
            segments(&s),
            vec![
                (0, 2, State::Open),
                (2, 3, State::Partial),
                (3, 5, State::Closed),
                (5, 6, State::Unknown)
            ]
        );
    }
}
