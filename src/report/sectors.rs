//! Border Patrol sectors: apprehensions over the whole run by sector, a bar
//! at the median total with a whisker over the middle 90% of replications.
//!
//! The interval is of each replication's total, summed from `daily.csv`:
//! adding up daily quantiles would overstate the spread (the 95th
//! percentile of a sum is not the sum of the 95th percentiles).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{DayStats, RunData};
use super::figure::{self, Figure};
use super::style::{self, DrawResult, Footer, LegendItem};

/// The nine sectors, west to east, the order the bars follow.
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

/// The sector chart.
#[derive(Debug, Clone)]
pub struct SectorFigure {
    /// (sector, stats of the per-replication totals) in bar order.
    bars: Vec<(String, DayStats)>,
    /// Period covered, for the title.
    period: String,
    /// Footer.
    footer: Footer,
}

/// Sectors of the run in bar order: the known ones west to east, then any
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

/// The chart from per-replication totals by metric; `None` without sectors.
pub fn figure(
    run: &RunData,
    totals: &std::collections::BTreeMap<String, Vec<f64>>,
) -> Option<SectorFigure> {
    let bars: Vec<(String, DayStats)> = sectors(run)
        .into_iter()
        .filter_map(|s| {
            let mut t = totals.get(&format!("{PREFIX}:{s}"))?.clone();
            Some((s, DayStats::of(&mut t)))
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let s = &run.summary;
    Some(SectorFigure {
        bars,
        period: format!(
            "{} – {}",
            s.start.format("%-d %b %Y"),
            s.end.format("%-d %b %Y")
        ),
        footer: Footer {
            right: "totals of each replication over the run".into(),
            ..figure::footer(run, false)
        },
    })
}

impl Figure for SectorFigure {
    fn stem(&self) -> String {
        "sectors".into()
    }

    fn title(&self) -> String {
        format!("Border Patrol apprehensions by sector, {}", self.period)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::fill("median total", style::BLUE, 0.85),
            LegendItem::line("90% of replications", style::BLACK, 2),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let n = self.bars.len();
        let top = self
            .bars
            .iter()
            .map(|b| b.1.p95)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let x_max = if top > 0.0 { top * 1.15 } else { 1.0 };
        // Horizontal bars: sector names are long, and read better on the y axis.
        let mut chart = ChartBuilder::on(&area)
            .margin_left(12)
            .margin_right(style::MARGIN_RIGHT)
            .margin_top(8)
            .x_label_area_size(56)
            .y_label_area_size(170)
            .build_cartesian_2d(0.0..x_max, 0.0..n as f64)?;
        let fmt_x = |x: &f64| style::fmt_tick(*x);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&fmt_x)
            .x_desc("apprehensions over the run [persons]")
            .axis_desc_style(style::text(style::LABEL_PX, style::BLACK))
            .label_style(style::text(style::TICK_PX, style::BLACK))
            .bold_line_style(style::GREY.mix(0.18))
            .light_line_style(TRANSPARENT)
            .axis_style(style::GREY)
            .draw()?;
        for (i, (_, s)) in self.bars.iter().enumerate() {
            let y = (n - i - 1) as f64;
            if s.p50.is_finite() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.2), (s.p50, y + 0.8)],
                    style::BLUE.mix(0.85).filled(),
                )))?;
            }
            if s.p05.is_finite() && s.p95.is_finite() {
                let k = style::BLACK.stroke_width(2);
                let yc = y + 0.5;
                chart.draw_series([
                    PathElement::new(vec![(s.p05, yc), (s.p95, yc)], k),
                    PathElement::new(vec![(s.p05, y + 0.35), (s.p05, y + 0.65)], k),
                    PathElement::new(vec![(s.p95, y + 0.35), (s.p95, y + 0.65)], k),
                ])?;
                chart.draw_series(std::iter::once(Text::new(
                    style::fmt_num(s.p50, 0),
                    (s.p95 + x_max * 0.01, yc),
                    style::text(style::TICK_PX, style::BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
        }
        // Sector names beside their bars, drawn on the root in its pixels
        // (plotters' numeric ticks would not fall on the bars' middles).
        for (i, (name, _)) in self.bars.iter().enumerate() {
            let (_, py) = chart.backend_coord(&(0.0, (n - i - 1) as f64 + 0.5));
            let (px, _) = chart.backend_coord(&(0.0, 0.0));
            root.draw(&Text::new(
                name.clone(),
                (px - 10, py),
                style::text(style::LABEL_PX, style::BLACK).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}
