//! Charts of a parameter sweep (`borderflow sweep`): a response curve with
//! its 95% confidence band for one parameter on a grid, a heatmap with a
//! colour bar for two ([`heatmap`]), a tornado for a one-at-a-time design,
//! and Sobol indices as bars with their 95% bootstrap intervals. Axes are
//! titled by the parameters' labels (or readable paths) and the KPIs'
//! labels and units.

pub mod heatmap;

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Chart, Figure, save};
use super::style::{self, DrawResult, Footer, LegendItem, TICK_PX};
use crate::error::Result;
use crate::metrics::KpiSpec;
use crate::results::sweep::{Design, SweepPlan};
use crate::sensitivity::SobolCi;
use crate::stats::Summary;
use heatmap::Heatmap;

/// What the sweep charts are drawn from.
pub struct SweepResults<'a> {
    /// The plan: design, parameters, points.
    pub plan: &'a SweepPlan,
    /// KPI names.
    pub kpis: &'a [String],
    /// Summary of every (point, KPI), point-major.
    pub summaries: &'a [Summary],
    /// Sobol indices with their intervals per KPI, for a Sobol design.
    pub sobol: Option<Vec<Vec<SobolCi>>>,
    /// The KPIs as declared (labels and units), where known.
    pub kpi_specs: &'a [KpiSpec],
    /// Footer of every chart.
    pub footer: Footer,
}

impl SweepResults<'_> {
    fn at(&self, point: usize, kpi: usize) -> &Summary {
        &self.summaries[point * self.kpis.len() + kpi]
    }

    /// The declared label of KPI `k` (its name where it has none) and its
    /// unit ("" where unknown).
    fn kpi_label(&self, k: usize) -> (String, String) {
        let name = &self.kpis[k];
        match self.kpi_specs.iter().find(|s| s.name == *name) {
            Some(spec) if !spec.label.is_empty() => (spec.label.clone(), spec.unit.label().into()),
            Some(spec) => (name.clone(), spec.unit.label().into()),
            None => (name.clone(), String::new()),
        }
    }

    /// The title of KPI `k` on a value axis: its label with its unit.
    fn kpi_axis(&self, k: usize) -> String {
        match self.kpi_label(k) {
            (label, unit) if unit.is_empty() => format!("mean {label}"),
            (label, unit) => format!("mean {label} [{unit}]"),
        }
    }
}

/// Draws a complete sweep folder's charts from its tables (`sweep.json`,
/// `sweep_summary.csv`, `sensitivity.csv`) and `summary.json`.
pub fn render_folder(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let tables = crate::results::sweep::SweepTables::read(dir)?;
    let run = super::data::RunData::load_summary(dir)?;
    let results = SweepResults {
        plan: &tables.plan,
        kpis: &tables.kpis,
        summaries: &tables.summaries,
        sobol: tables.sobol.clone(),
        kpi_specs: &run.kpi_specs,
        footer: Footer {
            left: format!(
                "borderflow · sweep “{}” · seed {} · {} points × {} replications",
                run.scenario,
                run.seed,
                tables.plan.points.len(),
                tables.plan.replications
            ),
            right: "points share random numbers (same seed and replication indices)".into(),
        },
    };
    let charts = draw(dir, &results)?;
    Ok(charts
        .iter()
        .flat_map(|c| [c.png.clone(), c.svg.clone()])
        .collect())
}

/// Draws the charts that suit the sweep's design into `dir`.
pub fn draw(dir: &Path, r: &SweepResults) -> Result<Vec<Chart>> {
    style::register_fonts()?;
    let plan = r.plan;
    let mut charts = Vec::new();
    for (k, kpi) in r.kpis.iter().enumerate() {
        match (plan.design, plan.parameters.len()) {
            (Design::Grid, 1) => {
                let pts = (0..plan.points.len())
                    .map(|p| (plan.points[p][0], *r.at(p, k)))
                    .collect();
                charts.push(save(
                    &Response {
                        parameter: plan.parameters[0].title(),
                        kpi: kpi.clone(),
                        kpi_label: r.kpi_label(k).0,
                        y_desc: r.kpi_axis(k),
                        points: pts,
                        footer: r.footer.clone(),
                    },
                    dir,
                )?);
            }
            (Design::Grid, 2) => {
                charts.push(save(
                    &Heatmap {
                        x_name: plan.parameters[0].title(),
                        y_name: plan.parameters[1].title(),
                        kpi: kpi.clone(),
                        kpi_label: r.kpi_label(k).0,
                        unit: r.kpi_label(k).1,
                        cells: (0..plan.points.len())
                            .map(|p| (plan.points[p][0], plan.points[p][1], r.at(p, k).mean))
                            .collect(),
                        footer: r.footer.clone(),
                    },
                    dir,
                )?);
            }
            (Design::Oat, _) => {
                // Point 0 is the base; then each parameter's steps in turn.
                let base = r.at(0, k).mean;
                let base_point = &plan.points[0];
                let mut rows = Vec::new();
                for (i, param) in plan.parameters.iter().enumerate() {
                    // The points that move parameter i alone.
                    let along: Vec<(f64, f64)> = (1..plan.points.len())
                        .filter(|&p| {
                            plan.points[p]
                                .iter()
                                .zip(base_point)
                                .enumerate()
                                .all(|(j, (a, b))| j == i || a == b)
                        })
                        .map(|p| (plan.points[p][i], r.at(p, k).mean))
                        .collect();
                    let low = along.iter().copied().min_by(|a, b| a.0.total_cmp(&b.0));
                    let high = along.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0));
                    if let (Some(low), Some(high)) = (low, high) {
                        rows.push(TornadoRow {
                            parameter: param.title(),
                            low,
                            high,
                        });
                    }
                }
                rows.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
                charts.push(save(
                    &Tornado {
                        kpi: kpi.clone(),
                        kpi_label: r.kpi_label(k).0,
                        x_desc: r.kpi_axis(k),
                        base,
                        rows,
                        footer: r.footer.clone(),
                    },
                    dir,
                )?);
            }
            _ => {}
        }
        if let Some(sobol) = &r.sobol {
            charts.push(save(
                &SobolBars {
                    kpi: kpi.clone(),
                    kpi_label: r.kpi_label(k).0,
                    parameters: plan.parameters.iter().map(|p| p.title()).collect(),
                    indices: sobol[k].clone(),
                    footer: r.footer.clone(),
                },
                dir,
            )?);
        }
    }
    Ok(charts)
}

pub(crate) fn stem(prefix: &str, kpi: &str) -> String {
    format!("{prefix}_{}", super::diff::file_safe(kpi))
}

/// Mean KPI against one parameter, with the 95% CI of the mean as a band.
struct Response {
    parameter: String,
    kpi: String,
    kpi_label: String,
    y_desc: String,
    points: Vec<(f64, Summary)>,
    footer: Footer,
}

impl Figure for Response {
    fn stem(&self) -> String {
        stem("response", &self.kpi)
    }
    fn title(&self) -> String {
        format!("{} against {}", self.kpi_label, self.parameter)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let c = style::BLUE;
        let legend = [
            LegendItem::line("mean over replications", c, 3),
            LegendItem::fill("95% confidence interval of the mean", c, 0.25),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let xs = self.points.iter().map(|p| p.0);
        let (x0, x1) = (
            xs.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
        );
        let ys = self
            .points
            .iter()
            .flat_map(|p| [p.1.ci95_low, p.1.ci95_high])
            .filter(|v| v.is_finite());
        let (y0, y1) = (
            ys.clone().fold(f64::INFINITY, f64::min),
            ys.fold(f64::NEG_INFINITY, f64::max),
        );
        let pad_x = ((x1 - x0) * 0.04).max(1e-9);
        let pad_y = ((y1 - y0) * 0.08).max(1e-9);
        let mut chart = axes(
            &area,
            (x0 - pad_x)..(x1 + pad_x),
            (y0 - pad_y)..(y1 + pad_y),
            &self.parameter,
            &self.y_desc,
        )?;
        let mut band: Vec<(f64, f64)> = self.points.iter().map(|p| (p.0, p.1.ci95_high)).collect();
        band.extend(self.points.iter().rev().map(|p| (p.0, p.1.ci95_low)));
        chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.25).filled())))?;
        chart.draw_series(LineSeries::new(
            self.points.iter().map(|p| (p.0, p.1.mean)),
            c.stroke_width(3),
        ))?;
        chart.draw_series(
            self.points
                .iter()
                .map(|p| Circle::new((p.0, p.1.mean), 4, c.filled())),
        )?;
        Ok(())
    }
}

/// One parameter's effect in a one-at-a-time sweep: the KPI at the lowest
/// and at the highest value tried, (parameter value, KPI mean).
struct TornadoRow {
    parameter: String,
    low: (f64, f64),
    high: (f64, f64),
}

impl TornadoRow {
    fn swing(&self) -> f64 {
        (self.high.1 - self.low.1).abs()
    }
}

/// A tornado: each parameter's swing of the KPI around the base point,
/// largest first.
struct Tornado {
    kpi: String,
    kpi_label: String,
    x_desc: String,
    base: f64,
    rows: Vec<TornadoRow>,
    footer: Footer,
}

impl Figure for Tornado {
    fn stem(&self) -> String {
        stem("tornado", &self.kpi)
    }
    fn title(&self) -> String {
        format!("{}: one parameter at a time", self.kpi_label)
    }
    fn size(&self) -> (u32, u32) {
        (style::SIZE.0, (200 + 44 * self.rows.len() as u32).max(360))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = [
            LegendItem::fill("parameter at its lowest value", style::SKY_BLUE, 1.0),
            LegendItem::fill("parameter at its highest value", style::ORANGE, 1.0),
            LegendItem::line("base point", style::BLACK, 2),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let vals = self
            .rows
            .iter()
            .flat_map(|r| [r.low.1, r.high.1])
            .chain([self.base])
            .filter(|v| v.is_finite());
        let (lo, hi) = (
            vals.clone().fold(f64::INFINITY, f64::min),
            vals.fold(f64::NEG_INFINITY, f64::max),
        );
        let pad = ((hi - lo) * 0.1).max(1e-9);
        let n = self.rows.len();
        let names: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{} ({} – {})",
                    r.parameter,
                    style::fmt_num(r.low.0, 3),
                    style::fmt_num(r.high.0, 3)
                )
            })
            .collect();
        let mut chart = bar_panel(
            &area,
            (lo - pad)..(hi + pad),
            names,
            self.x_desc.clone(),
            &|x| style::fmt_tick(*x),
        )?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (v, c) in [(r.low.1, style::SKY_BLUE), (r.high.1, style::ORANGE)] {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(self.base, y + 0.2), (v, y + 0.8)],
                    c.filled(),
                )))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(self.base, 0.0), (self.base, n as f64)],
            style::BLACK.stroke_width(2),
        )))?;
        Ok(())
    }
}

/// First- and total-order Sobol indices of one KPI, as paired bars with
/// their 95% bootstrap intervals as whiskers, and a warning on each row
/// whose total order is below its first order beyond its interval.
struct SobolBars {
    kpi: String,
    kpi_label: String,
    parameters: Vec<String>,
    indices: Vec<SobolCi>,
    footer: Footer,
}

/// What a row says when its total order is below its first order.
const SOBOL_WARNING: &str = "warning: total < first order beyond its interval: too noisy";

impl Figure for SobolBars {
    fn stem(&self) -> String {
        stem("sobol", &self.kpi)
    }
    fn title(&self) -> String {
        format!("{}: Sobol sensitivity indices", self.kpi_label)
    }
    fn size(&self) -> (u32, u32) {
        (
            style::SIZE.0,
            (200 + 60 * self.parameters.len() as u32).max(360),
        )
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut legend = vec![
            LegendItem::fill("first order (alone)", style::BLUE, 1.0),
            LegendItem::fill("total order (with interactions)", style::ORANGE, 1.0),
            LegendItem::line("95% bootstrap interval", style::BLACK, 2),
        ];
        let warned = self.indices.iter().any(SobolCi::total_below_first);
        if warned {
            legend.push(LegendItem::fill(
                "total below first order: raise `points` or `replications`",
                style::VERMILION,
                1.0,
            ));
        }
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let n = self.parameters.len();
        let ends = self
            .indices
            .iter()
            .flat_map(|s| [s.first, s.total])
            .flat_map(|e| [e.value, e.low, e.high])
            .filter(|v| v.is_finite());
        let top = ends.clone().fold(1.0, f64::max);
        let low = ends.fold(0.0, f64::min);
        let mut chart = bar_panel(
            &area,
            low.min(0.0)..top * 1.05,
            self.parameters.clone(),
            "share of the KPI's variance",
            &|x| style::fmt_num(*x, 2),
        )?;
        let whisker = style::BLACK.stroke_width(2);
        for (i, s) in self.indices.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (e, off, c) in [(s.first, 0.52, style::BLUE), (s.total, 0.14, style::ORANGE)] {
                if !e.value.is_finite() {
                    continue;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + off), (e.value, y + off + 0.34)],
                    c.filled(),
                )))?;
                if e.low.is_finite() && e.high.is_finite() {
                    let mid = y + off + 0.17;
                    let cap =
                        |x: f64| PathElement::new(vec![(x, mid - 0.1), (x, mid + 0.1)], whisker);
                    chart.draw_series([
                        PathElement::new(vec![(e.low, mid), (e.high, mid)], whisker),
                        cap(e.low),
                        cap(e.high),
                    ])?;
                }
            }
            if s.total_below_first() {
                let at = Pos::new(HPos::Right, VPos::Center);
                chart.draw_series(std::iter::once(Text::new(
                    SOBOL_WARNING,
                    (top * 1.04, y + 0.5),
                    style::text(TICK_PX, style::VERMILION).pos(at),
                )))?;
            }
        }
        Ok(())
    }
}

/// Width of a label column that fits `names` at the tick font [px]: about
/// 9.5 px a character at 16 px, within 120–640.
pub fn label_width(names: &[String]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) as u32;
    (longest * 19 / 2 + 24).clamp(120, 640)
}

/// A panel of horizontal bars: numeric x over `x`, one row per name (the
/// first at the top), each row's label at its middle.
pub fn bar_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    names: Vec<String>,
    x_desc: impl Into<String>,
    x_fmt: &dyn Fn(&f64) -> String,
) -> DrawResult<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>>
where
    DB::ErrorType: 'static,
{
    let n = names.len();
    let mut chart = ChartBuilder::on(area)
        .margin_left(12)
        .margin_right(style::MARGIN_RIGHT)
        .x_label_area_size(44)
        .y_label_area_size(label_width(&names))
        .build_cartesian_2d(x, 0.0..n as f64)?;
    let label = move |y: &f64| {
        let i = y.floor() as usize;
        if (y - y.floor() - 0.5).abs() < 1e-6 && i < n {
            names[n - 1 - i].clone()
        } else {
            String::new()
        }
    };
    style::house_mesh(&mut chart.configure_mesh())
        .y_labels(2 * n + 1)
        .y_label_formatter(&label)
        .x_label_formatter(x_fmt)
        .x_desc(x_desc)
        .disable_y_mesh()
        .draw()?;
    Ok(chart)
}

/// Axes with numeric x and y and their labels.
fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_desc: &str,
    y_desc: &str,
) -> DrawResult<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin_left(12)
        .margin_right(style::MARGIN_RIGHT)
        .x_label_area_size(48)
        .y_label_area_size(96)
        .build_cartesian_2d(x, y)?;
    style::house_mesh(&mut chart.configure_mesh())
        .x_labels(10)
        .y_labels(8)
        .x_label_formatter(&|v| style::fmt_tick(*v))
        .y_label_formatter(&|v| style::fmt_tick(*v))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()?;
    Ok(chart)
}
