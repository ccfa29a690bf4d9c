//! Caravans: each one's size and its distance from the start over time,
//! two panels sharing the calendar, one colour per caravan, zoomed to the
//! days some caravan is on the road. Beside the simulated caravans: each
//! one's declared timeline (the day it sets off, the day it dissolves,
//! where it halts; an input, marked as such) and, where the scenario's
//! `observed_caravans:` reports the real caravan of the same name, its
//! reported position and size by date as black dots.

use plotters::coord::Shift;
use plotters::prelude::*;

use ron::Value;

use super::axis::DayAxis;
use super::data::{DayStats, RunData, as_f64, as_str, field};
use super::figure::{self, Figure, TimeChart, band, line, max_of};
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::calendar::check_date;

/// One caravan's series, with the days it is inactive in most replications
/// blanked out (the model writes 0 then, which would draw as a collapse).
#[derive(Debug, Clone)]
struct Caravan {
    /// Its name.
    name: String,
    /// Members [persons].
    size: Vec<DayStats>,
    /// Distance walked from the start [km].
    km: Vec<DayStats>,
}

/// A caravan's timeline as the scenario declares it (an input, not an
/// observation), in days of the chart's axis.
#[derive(Debug, Clone, PartialEq)]
struct Declared {
    /// The caravan's name.
    name: String,
    /// The day it sets off [d on the chart's axis].
    start: Option<f64>,
    /// The day it dissolves [d on the chart's axis].
    dissolve: Option<f64>,
    /// Where it halts [km from the start].
    halt_km: Option<f64>,
}

/// A real caravan's reported days (the scenario's `observed_caravans`),
/// in days of the chart's axis.
#[derive(Debug, Clone, PartialEq)]
struct Reported {
    /// The simulated caravan it is drawn beside.
    name: String,
    /// (middle of the day [d on the chart's axis], km from the start) of
    /// each day with a reported position.
    km: Vec<(f64, f64)>,
    /// (middle of the day, members [persons]) of each day with a number.
    size: Vec<(f64, f64)>,
}

/// The caravans chart.
#[derive(Debug, Clone)]
pub struct CaravanFigure {
    /// The caravans.
    caravans: Vec<Caravan>,
    /// Their timelines as declared by the scenario.
    declared: Vec<Declared>,
    /// The real caravans' reported days.
    reported: Vec<Reported>,
    /// The calendar.
    axis: DayAxis,
    /// Footer.
    footer: Footer,
}

/// The chart of the run's caravans; `None` when it has none.
pub fn figure(run: &RunData) -> Option<CaravanFigure> {
    let mut names = run.places("caravan_size");
    for n in run.places("caravan_km") {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let days = run.dates.len();
    let mut caravans: Vec<Caravan> = names
        .into_iter()
        .map(|name| {
            let get = |m: &str| {
                run.get(&format!("{m}:{name}"))
                    .map(<[DayStats]>::to_vec)
                    .unwrap_or_else(|| vec![DayStats::MISSING; days])
            };
            let (mut size, mut km) = (get("caravan_size"), get("caravan_km"));
            for d in 0..days {
                if size[d].p50 <= 0.0 && km[d].p50 <= 0.0 {
                    size[d] = DayStats::MISSING;
                    km[d] = DayStats::MISSING;
                }
            }
            Caravan { name, size, km }
        })
        .collect();
    if caravans.is_empty() {
        return None;
    }
    // Caravans last days to weeks of a run of months: zoom the calendar to
    // the days some caravan is active, with three days either side (a
    // whole run would leave most of the chart empty).
    let active = |d: usize| {
        caravans
            .iter()
            .any(|c| c.size[d].p50.is_finite() || c.km[d].p50.is_finite())
    };
    let (first, last) = match (
        (0..days).find(|&d| active(d)),
        (0..days).rfind(|&d| active(d)),
    ) {
        (Some(a), Some(b)) => (a.saturating_sub(3), (b + 3).min(days.saturating_sub(1))),
        _ => (0, days.saturating_sub(1)),
    };
    for c in &mut caravans {
        c.size = c
            .size
            .get(first..=last)
            .map(<[DayStats]>::to_vec)
            .unwrap_or_default();
        c.km =
            c.km.get(first..=last)
                .map(<[DayStats]>::to_vec)
                .unwrap_or_default();
    }
    let start = run
        .start()
        .checked_add_days(chrono::Days::new(first as u64))
        .unwrap_or(chrono::NaiveDate::MAX);
    let axis = DayAxis::new(start, (last + 1 - first) as u32);
    let declared = declared(run, axis, &caravans);
    let reported = reported(run, axis, &caravans);
    let right = match (declared.is_empty(), reported.is_empty()) {
        (true, true) => "line: median; band: 90% of replications; no observed caravan data",
        (false, true) => {
            "line: median; band: 90% of replications; thin lines: the scenario's timeline (no observed data)"
        }
        (true, false) => "simulated: median line, 90% band; observed: black dots",
        (false, false) => {
            "simulated: median line, 90% band; thin lines: scenario's timeline; dots: observed"
        }
    };
    Some(CaravanFigure {
        caravans,
        declared,
        reported,
        axis,
        footer: Footer {
            right: right.into(),
            ..figure::footer(run, false)
        },
    })
}

/// The scenario's declared timeline of each drawn caravan (`start`,
/// `dissolve_on`, `halt_at_km` of `model.caravans`), inside the axis.
fn declared(run: &RunData, axis: DayAxis, caravans: &[Caravan]) -> Vec<Declared> {
    let Some(Value::Seq(list)) = run
        .scenario
        .as_ref()
        .and_then(|v| field(v, "model"))
        .and_then(|m| field(m, "caravans"))
    else {
        return Vec::new();
    };
    let inside = |key: &str, item: &Value| {
        let d = check_date(field(item, key).and_then(as_str)?).ok()?;
        let x = axis.x_of(d);
        (0.0..=f64::from(axis.days)).contains(&x).then_some(x)
    };
    list.iter()
        .filter_map(|item| {
            let name = field(item, "name").and_then(as_str)?.to_string();
            caravans.iter().any(|c| c.name == name).then(|| Declared {
                start: inside("start", item),
                dissolve: inside("dissolve_on", item),
                halt_km: field(item, "halt_at_km").and_then(as_f64),
                name,
            })
        })
        .filter(|d| d.start.is_some() || d.dissolve.is_some() || d.halt_km.is_some())
        .collect()
}

/// The scenario's `observed_caravans` of each drawn caravan, their days
/// inside the axis; malformed entries are skipped (the scenario was
/// validated when it ran; this only guards hand-edited files).
fn reported(run: &RunData, axis: DayAxis, caravans: &[Caravan]) -> Vec<Reported> {
    let Some(Value::Seq(list)) = run
        .scenario
        .as_ref()
        .and_then(|v| field(v, "observed_caravans"))
    else {
        return Vec::new();
    };
    let end = f64::from(axis.days);
    list.iter()
        .filter_map(|item| {
            let name = field(item, "caravan").and_then(as_str)?.to_string();
            if !caravans.iter().any(|c| c.name == name) {
                return None;
            }
            let Some(Value::Seq(days)) = field(item, "days") else {
                return None;
            };
            let mut r = Reported {
                name,
                km: Vec::new(),
                size: Vec::new(),
            };
            for day in days {
                let Some(date) = field(day, "date").and_then(as_str) else {
                    continue;
                };
                let Ok(date) = check_date(date) else { continue };
                let x = axis.x_of(date) + 0.5;
                if !(0.0..end).contains(&x) {
                    continue;
                }
                if let Some(km) = field(day, "km").and_then(as_f64) {
                    r.km.push((x, km));
                }
                if let Some(size) = field(day, "size").and_then(as_f64) {
                    r.size.push((x, size));
                }
            }
            (!r.km.is_empty() || !r.size.is_empty()).then_some(r)
        })
        .collect()
}

impl CaravanFigure {
    /// The reported days on one panel: black dots, joined by a thin black
    /// line on the distance panel (a position is between two reports).
    fn observed<DB: DrawingBackend>(&self, chart: &mut TimeChart<'_, DB>, km: bool) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        for r in &self.reported {
            let pts = if km { &r.km } else { &r.size };
            if km && pts.len() > 1 {
                chart.draw_series(std::iter::once(PathElement::new(
                    pts.clone(),
                    style::BLACK.stroke_width(1),
                )))?;
            }
            chart.draw_series(
                pts.iter()
                    .map(|&p| Circle::new(p, 5, style::BLACK.filled())),
            )?;
        }
        Ok(())
    }

    /// One panel: every caravan's median and 90% band of `pick`.
    fn panel<DB: DrawingBackend>(
        &self,
        chart: &mut TimeChart<'_, DB>,
        pick: fn(&Caravan) -> &[DayStats],
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        for (i, c) in self.caravans.iter().enumerate() {
            let s = pick(c);
            let col = style::series_colour(i);
            let get = |f: fn(&DayStats) -> f64| s.iter().map(f).collect::<Vec<f64>>();
            band(chart, &get(|d| d.p05), &get(|d| d.p95), col, 0.18)?;
            line(chart, &get(|d| d.p50), col, 3)?;
        }
        Ok(())
    }

    /// The declared timeline: a thin vertical line on the day each caravan
    /// sets off and dissolves, and (on the distance panel) its halt.
    fn timeline<DB: DrawingBackend>(&self, chart: &mut TimeChart<'_, DB>, km: bool) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let top = chart.y_range().end;
        let small = style::text(style::TICK_PX, style::GREY);
        for d in &self.declared {
            let i = self
                .caravans
                .iter()
                .position(|c| c.name == d.name)
                .unwrap_or(0);
            let col = style::series_colour(i).stroke_width(1);
            for (x, what) in [(d.start, "sets off"), (d.dissolve, "dissolves")] {
                let Some(x) = x else { continue };
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, top)],
                    col,
                )))?;
                if !km {
                    chart.draw_series(std::iter::once(Text::new(
                        format!("{what} (scenario)"),
                        (x + 0.2, top * 0.97),
                        small.clone(),
                    )))?;
                }
            }
            if let (true, Some(h)) = (km, d.halt_km) {
                let x1 = f64::from(self.axis.days);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, h), (x1, h)],
                    col,
                )))?;
                chart.draw_series(std::iter::once(Text::new(
                    format!("halts at {} km (scenario)", style::fmt_num(h, 0)),
                    (0.5, h + top * 0.02),
                    small.clone(),
                )))?;
            }
        }
        Ok(())
    }
}

impl Figure for CaravanFigure {
    fn stem(&self) -> String {
        "caravans".into()
    }

    fn title(&self) -> String {
        "Caravans: size and distance from the start".into()
    }

    fn size(&self) -> (u32, u32) {
        style::SIZE_TALL
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let simulated = if self.reported.is_empty() {
            ""
        } else {
            " (simulated)"
        };
        let mut legend: Vec<LegendItem> = self
            .caravans
            .iter()
            .enumerate()
            .map(|(i, c)| {
                LegendItem::line(format!("{}{simulated}", c.name), style::series_colour(i), 3)
            })
            .collect();
        if !self.reported.is_empty() {
            let sizes = self.reported.iter().any(|r| !r.size.is_empty());
            legend.push(LegendItem::dot(
                if sizes {
                    "observed: reported km by date; size only where a number was reported"
                } else {
                    "observed: reported km by date (no reported sizes)"
                },
                style::BLACK,
            ));
        }
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let (_, h) = area.dim_in_pixel();
        let (upper, lower) = area.split_vertically(h / 2);
        let max = |pick: fn(&Caravan) -> &[DayStats]| {
            self.caravans
                .iter()
                .map(|c| max_of(pick(c), |d| d.p95))
                .fold(0.0, f64::max)
        };
        let size: fn(&Caravan) -> &[DayStats] = |c| &c.size;
        let km: fn(&Caravan) -> &[DayStats] = |c| &c.km;
        let halt = self
            .declared
            .iter()
            .filter_map(|d| d.halt_km)
            .fold(0.0, f64::max);
        let reported = |pick: fn(&Reported) -> &[(f64, f64)]| {
            self.reported
                .iter()
                .flat_map(|r| pick(r).iter().map(|p| p.1))
                .fold(0.0, f64::max)
        };
        let mut top = figure::time_panel(
            &upper,
            self.axis,
            max(size).max(reported(|r| &r.size)),
            "members [persons]",
            false,
        )?;
        self.timeline(&mut top, false)?;
        self.panel(&mut top, size)?;
        self.observed(&mut top, false)?;
        let mut bottom = figure::time_panel(
            &lower,
            self.axis,
            max(km).max(halt).max(reported(|r| &r.km)),
            "distance from start [km]",
            true,
        )?;
        self.timeline(&mut bottom, true)?;
        self.panel(&mut bottom, km)?;
        self.observed(&mut bottom, true)
    }
}
