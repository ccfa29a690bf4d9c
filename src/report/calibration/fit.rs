//! The fit of a calibrated model, one chart per target series: observed
//! monthly totals as points, the posterior predictive mean as a line with
//! its 5–95% band, and the holdout months — scored, never fitted — shaded
//! behind, so an out-of-sample miss cannot pass for a fitted one.

use chrono::{Months, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{MonthPoint, Series};
use crate::report::axis::DayAxis;
use crate::report::fan::{series_name, slug};
use crate::report::figure::{self, Figure, TimeChart, runs};
use crate::report::style::{self, DrawResult, Footer, LegendItem};

/// What the shading of holdout months says, in the legend and on the chart.
pub const HOLDOUT_LABEL: &str = "holdout (never fitted)";

/// Colour of the simulated line and band.
const COLOUR: RGBColor = style::BLUE;

/// One target series against its posterior predictive.
#[derive(Debug, Clone)]
pub struct FitFigure {
    /// The series.
    pub series: Series,
    /// Footer.
    pub footer: Footer,
}

/// The month after `m` (the end of its span on the axis).
fn next_month(m: NaiveDate) -> NaiveDate {
    m.checked_add_months(Months::new(1)).unwrap_or(m)
}

impl FitFigure {
    /// The calendar: from the first target month to the end of the last.
    fn axis(&self) -> DayAxis {
        let first = self.series.months.first().map(|m| m.month);
        let last = self.series.months.last().map(|m| next_month(m.month));
        match (first, last) {
            (Some(a), Some(b)) => DayAxis::new(a, u32::try_from((b - a).num_days()).unwrap_or(1)),
            _ => DayAxis::new(NaiveDate::MIN, 1),
        }
    }

    /// The metric's human name where the report has one, else its name.
    fn subject(&self) -> String {
        let metric = &self.series.key.0;
        series_name(metric).map_or_else(|| metric.clone(), |n| n.subject.to_string())
    }

    /// The y axis: the quantity and its unit per month.
    fn y_label(&self) -> String {
        let metric = &self.series.key.0;
        match series_name(metric) {
            Some(n) => format!("{} [{}/month]", n.quantity, n.unit),
            // fit.csv names the metric but not its unit.
            None => format!("{metric} [monthly total]"),
        }
    }
}

impl Figure for FitFigure {
    fn stem(&self) -> String {
        let (metric, place, origin) = &self.series.key;
        let mut s = format!("fit_{}", slug(metric));
        for dim in [place, origin] {
            if !dim.is_empty() {
                s.push('_');
                s.push_str(&slug(dim));
            }
        }
        s
    }

    fn title(&self) -> String {
        let (_, place, origin) = &self.series.key;
        let mut t = self.subject();
        for dim in [place, origin] {
            if !dim.is_empty() {
                t.push_str(", ");
                t.push_str(dim);
            }
        }
        t.push_str(", by month: calibrated model");
        t
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let months = &self.series.months;
        let mut legend = vec![
            LegendItem::dot("observed monthly total", style::BLACK),
            LegendItem::line("posterior predictive mean", COLOUR, 3),
            LegendItem::fill("5–95% of the posterior predictive", COLOUR, 0.18),
        ];
        let holdout = runs(months.len(), |i| months[i].holdout);
        if !holdout.is_empty() {
            legend.push(LegendItem::fill(HOLDOUT_LABEL, style::SHADE, 1.0));
        }
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let axis = self.axis();
        let y_max = months
            .iter()
            .flat_map(|m| [m.observed, m.mean, m.p95])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let top = if y_max > 0.0 { y_max * 1.12 } else { 1.0 };
        let y_label = self.y_label();
        let mut chart = figure::time_panel_with(&area, axis, 0.0..top, &y_label, true, &|v| {
            style::fmt_num(*v, 0)
        })?;
        // Whole months, first day to last, behind everything else.
        let windows: Vec<(usize, usize)> = holdout
            .iter()
            .map(|&(a, b)| {
                let from = axis.x_of(months[a].month).max(0.0) as usize;
                let to = axis.x_of(next_month(months[b].month)) as usize;
                (from, to.saturating_sub(1).max(from))
            })
            .collect();
        figure::shade(&mut chart, &windows, style::SHADE)?;
        let label = style::text(style::TICK_PX, style::GREY).pos(Pos::new(HPos::Center, VPos::Top));
        for &(a, b) in &windows {
            let x = (a as f64 + b as f64 + 1.0) / 2.0;
            chart.draw_series(std::iter::once(Text::new(
                HOLDOUT_LABEL,
                (x, top * 0.985),
                label.clone(),
            )))?;
        }
        draw_predictive(&mut chart, axis, months)?;
        chart.draw_series(
            months
                .iter()
                .filter(|m| m.observed.is_finite())
                .map(|m| Circle::new((mid(axis, m.month), m.observed), 5, style::BLACK.filled())),
        )?;
        Ok(())
    }
}

/// x of a month's value: the middle of its days.
fn mid(axis: DayAxis, month: NaiveDate) -> f64 {
    (axis.x_of(month) + axis.x_of(next_month(month))) / 2.0
}

/// The band and mean line through the months' middles, broken where a
/// month is missing from the series or has no simulated value.
fn draw_predictive<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    axis: DayAxis,
    months: &[MonthPoint],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for (a, b) in segments(months) {
        let run = &months[a..=b];
        let mut band: Vec<(f64, f64)> = run.iter().map(|m| (mid(axis, m.month), m.p95)).collect();
        band.extend(run.iter().rev().map(|m| (mid(axis, m.month), m.p05)));
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            COLOUR.mix(0.18).filled(),
        )))?;
        chart.draw_series(LineSeries::new(
            run.iter().map(|m| (mid(axis, m.month), m.mean)),
            COLOUR.stroke_width(3),
        ))?;
    }
    Ok(())
}

/// Runs `[first, last]` of consecutive calendar months whose simulated
/// mean and interval are all numbers.
fn segments(months: &[MonthPoint]) -> Vec<(usize, usize)> {
    let ok = |m: &MonthPoint| m.mean.is_finite() && m.p05.is_finite() && m.p95.is_finite();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, m) in months.iter().enumerate() {
        if !ok(m) {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 + 1 == i && next_month(months[last.1].month) == m.month => {
                last.1 = i;
            }
            _ => out.push((i, i)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(month: u32, mean: f64) -> MonthPoint {
        MonthPoint {
            month: NaiveDate::from_ymd_opt(2023, month, 1).unwrap_or_default(),
            observed: 1.0,
            mean,
            p05: 0.5,
            p95: 2.0,
            holdout: false,
        }
    }

    #[test]
    fn lines_break_at_missing_months_and_values() {
        let months = [
            point(1, 1.0),
            point(2, 1.0),
            point(4, 1.0), // March is missing
            point(5, f64::NAN),
            point(6, 1.0),
            point(7, 1.0),
        ];
        assert_eq!(segments(&months), vec![(0, 1), (2, 2), (4, 5)]);
    }

    #[test]
    fn names_and_units_come_from_the_house_labels() {
        let fig = |metric: &str, place: &str| FitFigure {
            series: Series {
                key: (metric.into(), place.into(), String::new()),
                months: vec![point(1, 1.0)],
            },
            footer: Footer {
                left: String::new(),
                right: String::new(),
            },
        };
        let usbp = fig("usbp_apprehensions", "Tucson");
        assert_eq!(usbp.stem(), "fit_usbp_apprehensions_tucson");
        assert!(
            usbp.title()
                .starts_with("Border Patrol apprehensions between ports, Tucson")
        );
        assert_eq!(usbp.y_label(), "apprehensions [persons/month]");
        let other = fig("queue_length", "");
        assert_eq!(other.stem(), "fit_queue_length");
        assert_eq!(other.y_label(), "queue_length [monthly total]");
    }
}
