//! The convergence trace: the tolerance after each generation of the
//! sampler (log scale, against the stated model discrepancy, distance 1)
//! above the share of candidates accepted. A tolerance that reaches 1 fits
//! the data as closely as the discrepancy allows; an acceptance rate near 0
//! is a sampler spending its runs for little.

use plotters::coord::Shift;
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::report::style::{self, DrawResult, Footer, LegendItem};
use crate::results::calibration::Generation;

/// The distance that means "fits within the stated model discrepancy".
pub const DISCREPANCY_LEVEL: f64 = 1.0;

/// The two-panel trace.
#[derive(Debug, Clone)]
pub struct Convergence {
    /// The generations, in order.
    pub generations: Vec<Generation>,
    /// Footer.
    pub footer: Footer,
}

impl crate::report::figure::Figure for Convergence {
    fn stem(&self) -> String {
        "convergence".into()
    }

    fn title(&self) -> String {
        "Convergence: tolerance and acceptance by generation".into()
    }

    fn size(&self) -> (u32, u32) {
        style::SIZE_TALL
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = [
            LegendItem::line("tolerance (largest distance kept)", style::BLUE, 3),
            LegendItem::line(
                "stated model discrepancy (distance 1, dashed)",
                style::BLACK,
                2,
            ),
            LegendItem::line("acceptance rate", style::ORANGE, 3),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let (_, h) = area.dim_in_pixel();
        let (upper, lower) = area.split_vertically(h * 55 / 100);
        let n = self.generations.len();
        let x = -0.5..(n.max(1) as f64 - 0.5);

        let tol: Vec<(f64, f64)> = self
            .generations
            .iter()
            .map(|g| (f64::from(g.generation), g.tolerance))
            .filter(|p| p.1.is_finite() && p.1 > 0.0)
            .collect();
        let lo = tol.iter().map(|p| p.1).fold(DISCREPANCY_LEVEL, f64::min) / 1.6;
        let hi = tol.iter().map(|p| p.1).fold(DISCREPANCY_LEVEL, f64::max) * 1.6;
        let mut chart = panel(
            &upper,
            x.clone(),
            (lo..hi)
                .log_scale()
                .with_key_points(super::log_ticks(lo, hi)),
            "tolerance [discrepancy units]",
            false,
            (6, &|v| style::fmt_tick(*v)),
        )?;
        chart.draw_series(DashedLineSeries::new(
            [(x.start, DISCREPANCY_LEVEL), (x.end, DISCREPANCY_LEVEL)],
            10,
            6,
            style::BLACK.stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(tol.clone(), style::BLUE.stroke_width(3)))?;
        chart.draw_series(tol.iter().map(|&p| Circle::new(p, 5, style::BLUE.filled())))?;

        let acc: Vec<(f64, f64)> = self
            .generations
            .iter()
            .map(|g| (f64::from(g.generation), g.acceptance))
            .filter(|p| p.1.is_finite())
            .collect();
        let mut chart = panel(
            &lower,
            x,
            0.0..1.05,
            "acceptance [% of candidates]",
            true,
            (6, &|v| format!("{}%", style::fmt_num(v * 100.0, 0))),
        )?;
        chart.draw_series(LineSeries::new(acc.clone(), style::ORANGE.stroke_width(3)))?;
        chart.draw_series(
            acc.iter()
                .map(|&p| Circle::new(p, 5, style::ORANGE.filled())),
        )?;
        Ok(())
    }
}

/// A panel over the generations (ticks on whole generations only) with y
/// over `y`, of either scale.
fn panel<'a, DB, Y>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: Y,
    y_desc: &str,
    x_labels: bool,
    (y_ticks, fmt_y): (usize, &dyn Fn(&f64) -> String),
) -> DrawResult<
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y::CoordDescType>>,
>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let span = (x.end - x.start).round() as usize;
    let mut chart = ChartBuilder::on(area)
        .margin_left(12)
        .margin_right(style::MARGIN_RIGHT)
        .margin_top(8)
        .x_label_area_size(if x_labels { 48 } else { 8 })
        .y_label_area_size(96)
        .build_cartesian_2d(x, y)?;
    let whole = move |v: &f64| {
        if x_labels && (v - v.round()).abs() < 1e-6 && *v >= 0.0 {
            format!("{}", v.round() as i64)
        } else {
            String::new()
        }
    };
    let mut mesh = chart.configure_mesh();
    style::house_mesh(&mut mesh)
        .x_labels((span + 1).min(30))
        .y_labels(y_ticks)
        .x_label_formatter(&whole)
        .y_label_formatter(fmt_y)
        .y_desc(y_desc);
    if x_labels {
        mesh.x_desc("generation (0: draws from the prior)");
    }
    mesh.draw()?;
    Ok(chart)
}
