//! Charts of a parameter sweep (`borderflow sweep`): a response curve with
//! its 95% confidence band for one parameter on a grid, a heatmap for two, a
//! tornado for a one-at-a-time design, and Sobol indices as bars.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Chart, Figure, save};
use super::style::{self, DrawResult, Footer, LegendItem, TICK_PX};
use crate::error::Result;
use crate::results::sweep::{Design, SweepPlan};
use crate::sensitivity::SobolIndex;
use crate::stats::Summary;

/// What the sweep charts are drawn from.
pub struct SweepResults<'a> {
    /// The plan: design, parameters, points.
    pub plan: &'a SweepPlan,
    /// KPI names.
    pub kpis: &'a [String],
    /// Summary of every (point, KPI), point-major.
    pub summaries: &'a [Summary],
    /// Sobol indices per KPI, for a Sobol design.
    pub sobol: Option<Vec<Vec<SobolIndex>>>,
    /// Footer of every chart.
    pub footer: Footer,
}

impl SweepResults<'_> {
    fn at(&self, point: usize, kpi: usize) -> &Summary {
        &self.summaries[point * self.kpis.len() + kpi]
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
                        parameter: plan.parameters[0].path.clone(),
                        kpi: kpi.clone(),
                        points: pts,
                        footer: r.footer.clone(),
                    },
                    dir,
                )?);
            }
            (Design::Grid, 2) => {
                charts.push(save(
                    &Heatmap {
                        x_name: plan.parameters[0].path.clone(),
                        y_name: plan.parameters[1].path.clone(),
                        kpi: kpi.clone(),
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
                            parameter: param.path.clone(),
                            low,
                            high,
                        });
                    }
                }
                rows.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
                charts.push(save(
                    &Tornado {
                        kpi: kpi.clone(),
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
                    parameters: plan.parameters.iter().map(|p| p.path.clone()).collect(),
                    indices: sobol[k].clone(),
                    footer: r.footer.clone(),
                },
                dir,
            )?);
        }
    }
    Ok(charts)
}

fn stem(prefix: &str, kpi: &str) -> String {
    format!("{prefix}_{}", super::diff::file_safe(kpi))
}

/// Mean KPI against one parameter, with the 95% CI of the mean as a band.
struct Response {
    parameter: String,
    kpi: String,
    points: Vec<(f64, Summary)>,
    footer: Footer,
}

impl Figure for Response {
    fn stem(&self) -> String {
        stem("response", &self.kpi)
    }
    fn title(&self) -> String {
        format!("{} against {}", self.kpi, self.parameter)
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
            &self.kpi,
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

/// Mean KPI over a grid of two parameters.
struct Heatmap {
    x_name: String,
    y_name: String,
    kpi: String,
    cells: Vec<(f64, f64, f64)>,
    footer: Footer,
}

/// Viridis anchors: a perceptually even, colour-blind-safe scale.
const VIRIDIS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

fn viridis(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let f = t - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + f * (f64::from(y) - f64::from(x))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Figure for Heatmap {
    fn stem(&self) -> String {
        stem("heatmap", &self.kpi)
    }
    fn title(&self) -> String {
        // The parameters are the axes' labels; the title stays short.
        format!("mean {} over a grid of two parameters", self.kpi)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut xs: Vec<f64> = self.cells.iter().map(|c| c.0).collect();
        let mut ys: Vec<f64> = self.cells.iter().map(|c| c.1).collect();
        for v in [&mut xs, &mut ys] {
            v.sort_by(f64::total_cmp);
            v.dedup();
        }
        let vals = self.cells.iter().map(|c| c.2).filter(|v| v.is_finite());
        let (lo, hi) = (
            vals.clone().fold(f64::INFINITY, f64::min),
            vals.fold(f64::NEG_INFINITY, f64::max),
        );
        let legend = [
            LegendItem::fill(
                format!("low ({})", style::fmt_num(lo, 2)),
                viridis(0.0),
                1.0,
            ),
            LegendItem::fill("→", viridis(0.5), 1.0),
            LegendItem::fill(
                format!("high ({})", style::fmt_num(hi, 2)),
                viridis(1.0),
                1.0,
            ),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let (nx, ny) = (xs.len(), ys.len());
        let (xs_l, ys_l) = (xs.clone(), ys.clone());
        let mut chart = ChartBuilder::on(&area)
            .margin_left(12)
            .margin_right(style::MARGIN_RIGHT)
            .x_label_area_size(48)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        let at = |v: &[f64], x: f64| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 1e-6 && i < v.len() {
                style::fmt_num(v[i], 3)
            } else {
                String::new()
            }
        };
        style::house_mesh(&mut chart.configure_mesh())
            .x_labels(2 * nx + 1)
            .y_labels(2 * ny + 1)
            .x_label_formatter(&|x| at(&xs_l, *x))
            .y_label_formatter(&|y| at(&ys_l, *y))
            .x_desc(self.x_name.as_str())
            .y_desc(self.y_name.as_str())
            .disable_mesh()
            .draw()?;
        let span = if hi > lo { hi - lo } else { 1.0 };
        for &(x, y, v) in &self.cells {
            let i = xs.iter().position(|a| *a == x).unwrap_or(0) as f64;
            let j = ys.iter().position(|a| *a == y).unwrap_or(0) as f64;
            let t = (v - lo) / span;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(i, j), (i + 1.0, j + 1.0)],
                viridis(t).filled(),
            )))?;
            let ink = if t > 0.6 { style::BLACK } else { WHITE };
            let label = style::text(TICK_PX, ink).pos(Pos::new(HPos::Center, VPos::Center));
            let decimals = if v.abs() >= 100.0 { 0 } else { 2 };
            chart.draw_series(std::iter::once(Text::new(
                style::fmt_num(v, decimals),
                (i + 0.5, j + 0.5),
                label,
            )))?;
        }
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
    base: f64,
    rows: Vec<TornadoRow>,
    footer: Footer,
}

impl Figure for Tornado {
    fn stem(&self) -> String {
        stem("tornado", &self.kpi)
    }
    fn title(&self) -> String {
        format!("{}: one parameter at a time", self.kpi)
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
            format!("mean {}", self.kpi),
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

/// First- and total-order Sobol indices of one KPI, as paired bars.
struct SobolBars {
    kpi: String,
    parameters: Vec<String>,
    indices: Vec<SobolIndex>,
    footer: Footer,
}

impl Figure for SobolBars {
    fn stem(&self) -> String {
        stem("sobol", &self.kpi)
    }
    fn title(&self) -> String {
        format!("{}: Sobol sensitivity indices", self.kpi)
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
        let legend = [
            LegendItem::fill("first order (alone)", style::BLUE, 1.0),
            LegendItem::fill("total order (with interactions)", style::ORANGE, 1.0),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let n = self.parameters.len();
        let top = self
            .indices
            .iter()
            .flat_map(|s| [s.first, s.total])
            .filter(|v| v.is_finite())
            .fold(1.0, f64::max);
        let low = self
            .indices
            .iter()
            .map(|s| s.first)
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        let names = self.parameters.clone();
        let mut chart = bar_panel(
            &area,
            low.min(0.0)..top * 1.05,
            names,
            "share of the KPI's variance",
            &|x| style::fmt_num(*x, 2),
        )?;
        for (i, s) in self.indices.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (v, off, c) in [(s.first, 0.52, style::BLUE), (s.total, 0.14, style::ORANGE)] {
                if v.is_finite() {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(0.0, y + off), (v, y + off + 0.34)],
                        c.filled(),
                    )))?;
                }
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
