//! Posterior marginals: for each parameter a weighted histogram of the
//! posterior draws over the prior's range (log scale for a `log_…` prior),
//! with the flat prior's level where the prior is flat in that scale, the
//! 90% posterior interval, the estimate and the base scenario's value: one
//! grid of small panels, so where each posterior sits in its prior reads at
//! a glance.

use plotters::coord::Shift;
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::data::{ParamAxis, flat_prior};
use crate::report::style::{self, DrawResult, Footer, LegendItem};
use crate::results::calibration::ParameterSummary;

/// Colour of the histogram.
const BARS: RGBColor = style::BLUE;
/// Colour of the estimate and the posterior interval.
const ESTIMATE: RGBColor = style::VERMILION;
/// Height of one panel [px].
const PANEL_H: u32 = 300;
/// Room for the title, legend and footer [px].
const CHROME_H: u32 = 170;
/// Longest panel title [characters]; the full label and path are in the
/// report's parameter table.
const TITLE_MAX: usize = 40;

/// One parameter's panel.
#[derive(Debug, Clone)]
pub struct Marginal {
    /// The parameter as the summary has it.
    pub parameter: ParameterSummary,
    /// Its value in each posterior draw.
    pub values: Vec<f64>,
}

/// The grid of marginal panels.
#[derive(Debug, Clone)]
pub struct Marginals {
    /// One panel each, in the summary's order.
    pub panels: Vec<Marginal>,
    /// Weight of each draw.
    pub weights: Vec<f64>,
    /// Footer.
    pub footer: Footer,
}

impl Marginals {
    /// Panels per row: two for up to four parameters, then three, then
    /// four, so panels stay wide enough to read.
    fn columns(&self) -> usize {
        match self.panels.len() {
            0..=4 => 2,
            5..=9 => 3,
            _ => 4,
        }
    }

    fn rows(&self) -> usize {
        self.panels.len().div_ceil(self.columns()).max(1)
    }
}

/// A weighted histogram: `bins` bins of equal width on the axis's scale,
/// each bin's share of the total weight [0–1]; edges in values.
pub fn histogram(
    axis: &ParamAxis,
    values: &[f64],
    weights: &[f64],
    bins: usize,
) -> Vec<(f64, f64, f64)> {
    let bins = bins.max(1);
    let mut share = vec![0.0; bins];
    let mut total = 0.0;
    for (&v, &w) in values.iter().zip(weights) {
        let t = axis.unit(v);
        if !(t.is_finite() && w.is_finite() && w > 0.0) {
            continue;
        }
        let i = ((t * bins as f64).floor().max(0.0) as usize).min(bins - 1);
        share[i] += w;
        total += w;
    }
    (0..bins)
        .map(|i| {
            let s = if total > 0.0 { share[i] / total } else { 0.0 };
            (
                axis.value(i as f64 / bins as f64),
                axis.value((i + 1) as f64 / bins as f64),
                s,
            )
        })
        .collect()
}

/// Bins for `n` draws: about twice the square root, within 8–30, so 50
/// draws get 14 bins and a few thousand stay readable.
pub fn bin_count(n: usize) -> usize {
    ((n as f64).sqrt() * 2.0).round().clamp(8.0, 30.0) as usize
}

impl crate::report::figure::Figure for Marginals {
    fn stem(&self) -> String {
        "posterior_marginals".into()
    }

    fn title(&self) -> String {
        "Posterior of each parameter over its prior range".into()
    }

    fn size(&self) -> (u32, u32) {
        (style::SIZE.0, CHROME_H + PANEL_H * self.rows() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = [
            LegendItem::fill("posterior: share of weight per bin", BARS, 0.55),
            LegendItem::line("prior, where flat", style::GREY, 2),
            LegendItem::fill("90% posterior interval", ESTIMATE, 0.14),
            LegendItem::line("estimate (weighted median)", ESTIMATE, 3),
            LegendItem::line("base scenario (dashed)", style::BLACK, 2),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let cells = area.split_evenly((self.rows(), self.columns()));
        for (m, cell) in self.panels.iter().zip(&cells) {
            panel(cell, m, &self.weights)?;
        }
        Ok(())
    }
}

/// A title cut to [`TITLE_MAX`] characters.
fn short(label: &str) -> String {
    if label.chars().count() > TITLE_MAX {
        format!("{}…", label.chars().take(TITLE_MAX - 1).collect::<String>())
    } else {
        label.to_string()
    }
}

/// One parameter's panel in `cell`.
fn panel<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    m: &Marginal,
    weights: &[f64],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let p = &m.parameter;
    let axis = ParamAxis::of(p, &m.values);
    let title_style = (style::FAMILY, style::LABEL_PX, FontStyle::Bold)
        .into_font()
        .color(&style::BLACK);
    let mut title = short(&p.label);
    if axis.log {
        title.push_str(" (log scale)");
    }
    let body = cell.margin(8, 4, 8, 8).titled(&title, title_style)?;
    if axis.log {
        let ticks = super::log_ticks(axis.lo, axis.hi);
        let x = (axis.lo..axis.hi).log_scale().with_key_points(ticks);
        histogram_panel(&body, x, &axis, m, weights)
    } else {
        histogram_panel(&body, axis.lo..axis.hi, &axis, m, weights)
    }
}

/// The histogram and its marks on an x axis of either scale.
fn histogram_panel<DB, X>(
    area: &DrawingArea<DB, Shift>,
    x: X,
    axis: &ParamAxis,
    m: &Marginal,
    weights: &[f64],
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let p = &m.parameter;
    let bins = bin_count(m.values.len());
    let hist = histogram(axis, &m.values, weights, bins);
    let prior = flat_prior(p, axis).then(|| 1.0 / bins as f64);
    let top = hist
        .iter()
        .map(|b| b.2)
        .chain(prior)
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    let mut chart = ChartBuilder::on(area)
        .margin_right(16)
        .x_label_area_size(30)
        .y_label_area_size(52)
        .build_cartesian_2d(x, 0.0..top)?;
    style::house_mesh(&mut chart.configure_mesh())
        .x_labels(5)
        .y_labels(4)
        .x_label_formatter(&|v| style::fmt_tick(*v))
        .y_label_formatter(&|v| format!("{}%", style::fmt_num(v * 100.0, 0)))
        .draw()?;
    let inside = |v: f64| v.is_finite() && v >= axis.lo && v <= axis.hi;
    if inside(p.p05) && inside(p.p95) && p.p05 <= p.p95 {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(p.p05, 0.0), (p.p95, top)],
            ESTIMATE.mix(0.14).filled(),
        )))?;
    }
    chart.draw_series(
        hist.iter()
            .filter(|b| b.2 > 0.0)
            .map(|&(a, b, s)| Rectangle::new([(a, 0.0), (b, s)], BARS.mix(0.55).filled())),
    )?;
    if let Some(level) = prior {
        chart.draw_series(LineSeries::new(
            [(axis.lo, level), (axis.hi, level)],
            style::GREY.stroke_width(2),
        ))?;
    }
    if inside(p.estimate) {
        chart.draw_series(LineSeries::new(
            [(p.estimate, 0.0), (p.estimate, top)],
            ESTIMATE.stroke_width(3),
        ))?;
    }
    if let Some(base) = p.base_value.filter(|&v| inside(v)) {
        chart.draw_series(DashedLineSeries::new(
            [(base, 0.0), (base, top)],
            8,
            6,
            style::BLACK.stroke_width(2),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_share_the_weight_in_the_axis_scale() {
        let axis = ParamAxis {
            lo: 1.0,
            hi: 100.0,
            log: true,
        };
        // 3 and 30 sit in the lower and upper half of [1, 100] in log scale.
        let h = histogram(&axis, &[3.0, 30.0, 30.0], &[1.0, 1.0, 2.0], 2);
        assert_eq!(h.len(), 2);
        assert!(
            (h[0].1 - 10.0).abs() < 1e-9,
            "edges at the geometric middle"
        );
        assert!((h[0].2 - 0.25).abs() < 1e-12 && (h[1].2 - 0.75).abs() < 1e-12);
        // The upper end belongs to the last bin; a zero weight counts nothing.
        let lin = ParamAxis {
            lo: 0.0,
            hi: 1.0,
            log: false,
        };
        let h = histogram(&lin, &[1.0, 0.0], &[1.0, 0.0], 4);
        assert_eq!(h[3].2, 1.0);
        assert_eq!(bin_count(50), 14);
        assert_eq!(bin_count(3), 8);
    }
}
