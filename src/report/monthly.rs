//! A metric month by month against its observed series: a bar per month
//! (the simulated mean of the monthly total, with the 90% spread across
//! replications), the observed total as a black dot and the error of the
//! mean above it. A cumulative curve hides a single month's miss (Mexico's
//! December); a bar per month shows it.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{Kpi, RunData};
use super::figure::{self, Figure};
use super::scorecard::signed_percent;
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::calendar::check_month;

/// One month of the chart.
#[derive(Debug, Clone)]
pub struct Month {
    /// First day of the month.
    pub month: NaiveDate,
    /// The simulated monthly total across replications [persons/month].
    pub kpi: Kpi,
    /// The observed total, where the scenario has one [persons/month].
    pub observed: Option<f64>,
    /// (simulated mean − observed) / observed [×], where observed.
    pub error: Option<f64>,
}

/// The months of `metric`'s monthly KPIs (`<metric>:YYYY-MM`, whole months
/// only where the run says which are whole), in date order, each with its
/// observed value and error.
pub fn months(run: &RunData, metric: &str) -> Vec<Month> {
    let prefix = format!("{metric}:");
    let mut out: Vec<Month> = run
        .summary
        .kpis
        .iter()
        .filter_map(|(name, kpi)| {
            let tag = name.strip_prefix(&prefix)?;
            let month = check_month(tag).ok().filter(|_| tag.len() == 7)?;
            // A declared KPI without a month is the horizon's partial month.
            let spec = run.summary.kpi_specs.iter().find(|s| s.name == *name);
            if spec.is_some_and(|s| s.month.is_none()) {
                return None;
            }
            let observed = run
                .observed(metric)
                .and_then(|o| o.monthly.iter().find(|(d, _)| *d == month).map(|(_, v)| *v));
            let error = run
                .fit(metric, tag)
                .map(|r| r.rel_error)
                .filter(|e| e.is_finite())
                .or_else(|| match (kpi.mean, observed) {
                    (Some(m), Some(o)) if o > 0.0 => Some((m - o) / o),
                    _ => None,
                });
            Some(Month {
                month,
                kpi: kpi.clone(),
                observed,
                error,
            })
        })
        .collect();
    out.sort_by_key(|m| m.month);
    out
}

/// The monthly chart.
#[derive(Debug, Clone)]
pub struct MonthlyFigure {
    /// The metric, for the file name.
    metric: String,
    /// Title.
    title: String,
    /// y-axis label with its unit.
    y_label: String,
    /// The months.
    months: Vec<Month>,
    /// Legend label of the observed dots.
    observed_label: Option<String>,
    /// Footer.
    footer: Footer,
}

/// The chart of `metric` by month; `None` when the run has no monthly KPIs
/// of it.
pub fn figure(run: &RunData, metric: &str) -> Option<MonthlyFigure> {
    let months = months(run, metric);
    if months.is_empty() {
        return None;
    }
    let (subject, quantity) = match super::fan::series_name(metric) {
        Some(n) => (n.subject.to_string(), n.quantity.to_string()),
        None => {
            let label = run
                .spec(metric)
                .map_or_else(|| metric.to_string(), |s| s.label.clone());
            (label.clone(), label)
        }
    };
    let observed_label = months.iter().any(|m| m.observed.is_some()).then(|| {
        let source = run.observed(metric).map_or("", |o| o.source.as_str());
        let name = source.split(" (").next().unwrap_or(source).trim();
        let name = name.split(',').next().unwrap_or(name).trim();
        if name.is_empty() {
            "observed monthly total".to_string()
        } else {
            format!("observed monthly total, {name}")
        }
    });
    Some(MonthlyFigure {
        metric: metric.to_string(),
        title: format!("{subject}, per month"),
        y_label: format!("{quantity} [persons/month]"),
        months,
        observed_label,
        footer: Footer {
            right: "bar: mean; whisker: 90% of replications; label: error of the mean".into(),
            ..figure::footer(run, false)
        },
    })
}

impl Figure for MonthlyFigure {
    fn stem(&self) -> String {
        format!("{}_monthly", super::fan::slug(&self.metric))
    }

    fn title(&self) -> String {
        self.title.clone()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let colour = style::VERMILION;
        let mut legend = vec![
            LegendItem::fill("simulated mean", colour, 0.8),
            LegendItem::line("90% of replications", style::GREY, 2),
        ];
        if let Some(l) = &self.observed_label {
            legend.push(LegendItem::dot(l.clone(), style::BLACK));
        }
        let area = style::frame(root, &self.title, &legend, &self.footer)?;
        let n = self.months.len();
        let top = self
            .months
            .iter()
            .flat_map(|m| [m.kpi.p95, m.kpi.mean, m.observed])
            .flatten()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let y_max = if top > 0.0 { top * 1.15 } else { 1.0 };
        let mut chart = ChartBuilder::on(&area)
            .margin_left(12)
            .margin_right(style::MARGIN_RIGHT)
            .margin_top(8)
            .x_label_area_size(40)
            .y_label_area_size(96)
            .build_cartesian_2d(0.0..n as f64, 0.0..y_max)?;
        let fmt_y = |y: &f64| style::fmt_tick(*y);
        style::house_mesh(&mut chart.configure_mesh())
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(7)
            .y_label_formatter(&fmt_y)
            .y_desc(self.y_label.as_str())
            .draw()?;
        let small = style::text(style::TICK_PX, style::BLACK);
        for (i, m) in self.months.iter().enumerate() {
            let x = i as f64;
            if let Some(mean) = m.kpi.mean.filter(|v| v.is_finite()) {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.18, 0.0), (x + 0.82, mean)],
                    colour.mix(0.8).filled(),
                )))?;
            }
            if let (Some(lo), Some(hi)) = (m.kpi.p05, m.kpi.p95) {
                let k = style::GREY.stroke_width(2);
                chart.draw_series([
                    PathElement::new(vec![(x + 0.5, lo), (x + 0.5, hi)], k),
                    PathElement::new(vec![(x + 0.4, lo), (x + 0.6, lo)], k),
                    PathElement::new(vec![(x + 0.4, hi), (x + 0.6, hi)], k),
                ])?;
            }
            if let Some(o) = m.observed {
                chart.draw_series(std::iter::once(Circle::new(
                    (x + 0.5, o),
                    6,
                    style::BLACK.filled(),
                )))?;
            }
            if let Some(e) = m.error {
                let y = [m.kpi.p95, m.kpi.mean, m.observed]
                    .into_iter()
                    .flatten()
                    .fold(0.0, f64::max);
                chart.draw_series(std::iter::once(Text::new(
                    signed_percent(e),
                    (x + 0.5, y + y_max * 0.02),
                    small.clone().pos(Pos::new(HPos::Center, VPos::Bottom)),
                )))?;
            }
            // Month names under their bars, in the root's pixels (the
            // numeric ticks would not fall on the bars' middles).
            let (px, py) = chart.backend_coord(&(x + 0.5, 0.0));
            let label = m.month.format(if n > 8 { "%b\n%Y" } else { "%b %Y" });
            for (k, line) in label.to_string().lines().enumerate() {
                root.draw(&Text::new(
                    line.to_string(),
                    (px, py + 8 + 18 * k as i32),
                    small.clone().pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        Ok(())
    }
}
