//! Border Patrol sectors: apprehensions month by month in one small panel
//! per sector (a bar at the simulated mean of the monthly total, a whisker
//! over the middle 90% of replications), with the observed monthly totals
//! the scenario gives per sector as black dots, and each panel's heading
//! giving the sector's total over the run.
//!
//! Monthly and run totals are of each replication, summed from `daily.csv`:
//! adding up daily quantiles would overstate the spread (the 95th
//! percentile of a sum is not the sum of the 95th percentiles). Without
//! daily records the bars are the sums of the daily means (exact for the
//! mean) and have no whiskers.

use chrono::{Datelike, Months, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{DayStats, PerReplication, RunData};
use super::figure::{self, Figure};
use super::style::{self, DrawResult, Footer, LegendItem};

/// The nine sectors, west to east, the order the panels follow.
pub const SECTORS: [&str; 9] = [
    "San Diego",
    "El Centro",
    "Yuma",
    "Tucson",
    "El Paso",
    "Big Bend",
    "Del Rio",
    "Laredo",
    "Rio Grande Valley",
];

/// Prefix of the per-sector metrics.
pub const PREFIX: &str = "usbp_apprehensions";

/// One month of one sector.
#[derive(Debug, Clone)]
struct Month {
    /// Simulated monthly total across replications [persons/month]; only
    /// the mean is finite without daily records.
    sim: DayStats,
    /// The observed total, where the scenario has one for a whole month
    /// of the run [persons/month].
    observed: Option<f64>,
}

/// One sector's panel.
#[derive(Debug, Clone)]
struct Panel {
    /// The sector.
    name: String,
    /// Its total over the run across replications [persons], when the
    /// daily records are there.
    total: Option<DayStats>,
    /// Its months, in the order of [`SectorFigure::months`].
    months: Vec<Month>,
}

/// The sector chart.
#[derive(Debug, Clone)]
pub struct SectorFigure {
    /// The panels, west to east.
    panels: Vec<Panel>,
    /// (first day, whether the run covers the whole month) of each month.
    months: Vec<(NaiveDate, bool)>,
    /// Legend label of the observed dots, when a panel has some.
    observed_label: Option<String>,
    /// Footer.
    footer: Footer,
}

/// Sectors of the run in panel order: the known ones west to east, then any
/// other in the model's order.
pub fn sectors(run: &RunData) -> Vec<String> {
    let found = run.places(PREFIX);
    let mut out: Vec<String> = SECTORS
        .iter()
        .filter(|s| found.iter().any(|f| f == *s))
        .map(|s| s.to_string())
        .collect();
    out.extend(found.into_iter().filter(|f| !SECTORS.contains(&f.as_str())));
    out
}

/// The months the run's days touch, each with its day indices
/// `[first, last]` and whether all its days are in the run.
fn calendar_months(dates: &[NaiveDate]) -> Vec<(NaiveDate, usize, usize, bool)> {
    let mut out: Vec<(NaiveDate, usize, usize, bool)> = Vec::new();
    for (d, date) in dates.iter().enumerate() {
        let first = date.with_day(1).unwrap_or(*date);
        match out.last_mut() {
            Some(m) if m.0 == first => m.2 = d,
            _ => out.push((first, d, d, false)),
        }
    }
    for m in &mut out {
        let next = m.0.checked_add_months(Months::new(1));
        let days = next.map_or(0, |n| (n - m.0).num_days());
        m.3 = dates[m.1] == m.0 && i64::try_from(m.2 - m.1 + 1).is_ok_and(|n| n == days);
    }
    out
}

/// The chart from the run and its per-replication daily values of the
/// sector metrics (and their run totals); `None` without sectors.
pub fn figure(run: &RunData, per_rep: &PerReplication) -> Option<SectorFigure> {
    let months = calendar_months(&run.dates);
    let mut last_observed: Option<NaiveDate> = None;
    let mut source = String::new();
    let panels: Vec<Panel> = sectors(run)
        .into_iter()
        .filter_map(|s| {
            let key = format!("{PREFIX}:{s}");
            let means = run.get(&key)?;
            let reps = per_rep.daily.get(&key);
            let obs = run.observed.iter().find(|o| {
                o.metric == PREFIX && o.place.as_deref() == Some(s.as_str()) && o.origin.is_none()
            });
            let months = months
                .iter()
                .map(|&(first, a, b, whole)| {
                    let sim = match reps {
                        Some(reps) => DayStats::of(
                            &mut reps.iter().map(|r| month_sum(r, a, b)).collect::<Vec<_>>(),
                        ),
                        None => DayStats {
                            mean: means.get(a..=b).map_or(f64::NAN, |d| {
                                d.iter().map(|x| x.mean).filter(|v| v.is_finite()).sum()
                            }),
                            ..DayStats::MISSING
                        },
                    };
                    let observed = obs.filter(|_| whole).and_then(|o| {
                        let v = o.monthly.iter().find(|m| m.0 == first)?.1;
                        last_observed = last_observed.max(Some(first));
                        source.clone_from(&o.source);
                        Some(v)
                    });
                    Month { sim, observed }
                })
                .collect();
            let total = per_rep
                .totals
                .get(&key)
                .map(|t| DayStats::of(&mut t.clone()));
            Some(Panel {
                name: s,
                total,
                months,
            })
        })
        .collect();
    if panels.is_empty() || months.is_empty() {
        return None;
    }
    let observed_label = last_observed.map(|last| {
        let name = source.split(" (").next().unwrap_or(&source).trim();
        let name = name.split(',').next().unwrap_or(name).trim();
        let name = if name.is_empty() { "observed" } else { name };
        let after = run
            .dates
            .last()
            .is_some_and(|d| d.with_day(1).is_some_and(|m| m > last));
        let month = last.format("%b %Y");
        if after {
            format!("observed monthly total ({name}); no observed split after {month}")
        } else {
            format!("observed monthly total ({name}), to {month}")
        }
    });
    let right = if per_rep.totals.is_empty() {
        "bar: sum of daily means (no daily records: no spread); y scales differ"
    } else {
        "heading: run total, median (90% of replications); y scales differ"
    };
    Some(SectorFigure {
        panels,
        months: months.iter().map(|m| (m.0, m.3)).collect(),
        observed_label,
        footer: Footer {
            right: right.into(),
            ..figure::footer(run, false)
        },
    })
}

/// Sum of days `a..=b` of one replication's daily values, missing days
/// adding nothing [persons].
fn month_sum(rep: &[f32], a: usize, b: usize) -> f64 {
    rep.get(a..=b.min(rep.len().saturating_sub(1)))
        .unwrap_or_default()
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| f64::from(*v))
        .sum()
}

impl SectorFigure {
    /// The legend: bars, whiskers, observed dots and pale part months, as
    /// far as the chart has them.
    fn legend(&self) -> Vec<LegendItem> {
        let mut legend = vec![LegendItem::fill(
            "simulated mean monthly total",
            style::BLUE,
            0.85,
        )];
        if self.panels.iter().any(|p| p.total.is_some()) {
            legend.push(LegendItem::line("90% of replications", style::GREY, 2));
        }
        if self.months.iter().any(|m| !m.1) {
            legend.push(LegendItem::fill(
                "month the run covers in part",
                style::BLUE,
                0.3,
            ));
        }
        if let Some(l) = &self.observed_label {
            legend.push(LegendItem::dot(l.clone(), style::BLACK));
        }
        legend
    }

    /// One sector's panel on `cell`.
    fn panel<DB: DrawingBackend>(&self, cell: &DrawingArea<DB, Shift>, p: &Panel) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.months.len();
        let top = p
            .months
            .iter()
            .flat_map(|m| [m.sim.p95, m.sim.mean, m.observed.unwrap_or(0.0)])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let y_max = if top > 0.0 { top * 1.12 } else { 1.0 };
        let heading = match &p.total {
            Some(t) if t.p50.is_finite() => format!(
                "{}: {} ({}–{})",
                p.name,
                style::fmt_tick(t.p50),
                style::fmt_tick(t.p05),
                style::fmt_tick(t.p95)
            ),
            _ => p.name.clone(),
        };
        let mut chart = ChartBuilder::on(cell)
            .caption(heading, style::text(style::TICK_PX, style::BLACK))
            .margin(6)
            .margin_right(14)
            .x_label_area_size(26)
            .y_label_area_size(52)
            .build_cartesian_2d(0.0..n as f64, 0.0..y_max)?;
        let fmt_y = |y: &f64| style::fmt_tick(*y);
        style::house_mesh(&mut chart.configure_mesh())
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(4)
            .y_label_formatter(&fmt_y)
            .label_style(style::text(style::FOOTER_PX, style::BLACK))
            .draw()?;
        let small = style::text(style::FOOTER_PX, style::BLACK);
        // About five month labels fit under a panel.
        let every = n.div_ceil(5).max(1);
        for (i, (m, &(first, whole))) in p.months.iter().zip(&self.months).enumerate() {
            let x = i as f64;
            if m.sim.mean.is_finite() {
                let alpha = if whole { 0.85 } else { 0.3 };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.15, 0.0), (x + 0.85, m.sim.mean)],
                    style::BLUE.mix(alpha).filled(),
                )))?;
            }
            if m.sim.p05.is_finite() && m.sim.p95.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x + 0.5, m.sim.p05), (x + 0.5, m.sim.p95)],
                    style::GREY.stroke_width(2),
                )))?;
            }
            if let Some(o) = m.observed {
                chart.draw_series(std::iter::once(Circle::new(
                    (x + 0.5, o),
                    4,
                    style::BLACK.filled(),
                )))?;
            }
            if i % every == 0 {
                let (px, py) = chart.backend_coord(&(x + 0.5, 0.0));
                cell.draw(&Text::new(
                    first.format("%b %y").to_string(),
                    (
                        px - cell.get_base_pixel().0,
                        py - cell.get_base_pixel().1 + 6,
                    ),
                    small.clone().pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        Ok(())
    }
}

impl Figure for SectorFigure {
    fn stem(&self) -> String {
        "sectors".into()
    }

    fn title(&self) -> String {
        // The months are on the panels' axes; the period would not fit.
        "Border Patrol apprehensions by sector and month".into()
    }

    fn size(&self) -> (u32, u32) {
        style::SIZE_TALL
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let area = style::frame(root, &self.title(), &self.legend(), &self.footer)?;
        let rows = self.panels.len().div_ceil(3);
        let cells = area.split_evenly((rows, 3));
        for (cell, p) in cells.iter().zip(&self.panels) {
            self.panel(cell, p)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// A run from 15 Jan to 1 Mar touches three months; only February is
    /// whole, so only February may carry an observed dot.
    #[test]
    fn months_know_whether_they_are_whole() {
        let dates: Vec<NaiveDate> = day(2024, 1, 15).iter_days().take(47).collect();
        let m = calendar_months(&dates);
        let got: Vec<(NaiveDate, usize, usize, bool)> = m;
        assert_eq!(
            got,
            vec![
                (day(2024, 1, 1), 0, 16, false),
                (day(2024, 2, 1), 17, 45, true),
                (day(2024, 3, 1), 46, 46, false),
            ]
        );
        assert_eq!(month_sum(&[1.0, f32::NAN, 2.0, 4.0], 0, 2), 3.0);
        assert_eq!(
            month_sum(&[1.0], 0, 5),
            1.0,
            "days past the end add nothing"
        );
    }
}
