//! Caravans: each one's size and its distance from the start over time,
//! two panels sharing the calendar, one colour per caravan.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::DayAxis;
use super::data::{DayStats, RunData};
use super::figure::{self, Figure, TimeChart, band, line, max_of};
use super::style::{self, DrawResult, Footer, LegendItem};

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

/// The caravans chart.
#[derive(Debug, Clone)]
pub struct CaravanFigure {
    /// The caravans.
    caravans: Vec<Caravan>,
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
    // the days some caravan is active, with a week either side.
    let active = |d: usize| {
        caravans
            .iter()
            .any(|c| c.size[d].p50.is_finite() || c.km[d].p50.is_finite())
    };
    let (first, last) = match (
        (0..days).find(|&d| active(d)),
        (0..days).rfind(|&d| active(d)),
    ) {
        (Some(a), Some(b)) => (a.saturating_sub(7), (b + 7).min(days.saturating_sub(1))),
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
    Some(CaravanFigure {
        caravans,
        axis: DayAxis::new(start, (last + 1 - first) as u32),
        footer: Footer {
            right: "line: median; band: 90% of replications; drawn while active".into(),
            ..figure::footer(run, false)
        },
    })
}

impl CaravanFigure {
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
        let legend: Vec<LegendItem> = self
            .caravans
            .iter()
            .enumerate()
            .map(|(i, c)| LegendItem::line(c.name.clone(), style::series_colour(i), 3))
            .collect();
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
        let mut top = figure::time_panel(&upper, self.axis, max(size), "members [persons]", false)?;
        self.panel(&mut top, size)?;
        let mut bottom =
            figure::time_panel(&lower, self.axis, max(km), "distance from start [km]", true)?;
        self.panel(&mut bottom, km)
    }
}
