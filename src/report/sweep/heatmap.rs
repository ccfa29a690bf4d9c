//! The heatmap of a two-parameter grid: the mean KPI in each cell, coloured
//! on a scale whose range is rounded to readable ticks and shown as a
//! colour bar with the KPI's unit.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::figure::Figure;
use crate::report::style::{self, DrawResult, Footer, LegendItem, TICK_PX};

/// Narrowest colour range, as a share of the largest absolute mean [0–1]:
/// means that differ by 3% then take under a third of the scale, instead
/// of running from its darkest to its brightest colour as if they differed
/// greatly. The colour bar and the cell labels give the numbers.
pub const MIN_RANGE_SHARE: f64 = 0.10;

/// Width of the colour bar's column: bar, ticks and their labels [px].
const BAR_COLUMN_PX: u32 = 190;
/// Height of the plot's x-axis label area, which the colour bar stops above
/// so that its ends line up with the grid's [px].
const X_LABEL_PX: u32 = 48;

/// Mean KPI over a grid of two parameters.
pub struct Heatmap {
    /// Title of the x axis (the first parameter).
    pub x_name: String,
    /// Title of the y axis (the second parameter).
    pub y_name: String,
    /// The KPI's name (for the file name).
    pub kpi: String,
    /// The KPI's label (for the title).
    pub kpi_label: String,
    /// The KPI's unit, written on the colour bar.
    pub unit: String,
    /// (x value, y value, mean) of every cell.
    pub cells: Vec<(f64, f64, f64)>,
    /// Footer.
    pub footer: Footer,
}

/// The colour range of a heatmap and the ticks of its colour bar.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourScale {
    /// Value at the scale's first colour.
    pub lo: f64,
    /// Value at the scale's last colour.
    pub hi: f64,
    /// Tick values, from `lo` to `hi` inclusive, evenly spaced by 1, 2, 2.5
    /// or 5 times a power of ten.
    pub ticks: Vec<f64>,
    /// Whether the range was widened to [`MIN_RANGE_SHARE`] of the largest
    /// absolute value (the values differ by less).
    pub widened: bool,
}

impl ColourScale {
    /// The scale for `values` (non-finite ones ignored): their range,
    /// widened about its middle to at least [`MIN_RANGE_SHARE`] of the
    /// largest absolute value, then out to whole ticks (four to eight).
    pub fn of(values: &[f64]) -> Self {
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let lo = finite.clone().fold(f64::INFINITY, f64::min);
        let hi = finite.fold(f64::NEG_INFINITY, f64::max);
        let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        let least = MIN_RANGE_SHARE * lo.abs().max(hi.abs());
        let widened = hi - lo < least;
        if widened {
            let mid = (lo + hi) / 2.0;
            (lo, hi) = (mid - least / 2.0, mid + least / 2.0);
        }
        if hi <= lo {
            // Every value zero: any unit range shows it.
            hi = lo + 1.0;
        }
        let step = nice_step((hi - lo) / 4.0);
        let first = (lo / step).floor();
        let last = (hi / step).ceil();
        let ticks: Vec<f64> = (0..=(last - first) as i64)
            .map(|i| (first + i as f64) * step)
            .collect();
        Self {
            lo: first * step,
            hi: last * step,
            ticks,
            widened,
        }
    }

    /// Position of `v` on the scale [0–1], clamped.
    pub fn position(&self, v: f64) -> f64 {
        ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least
/// `raw` (> 0).
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// Viridis anchors: a perceptually even, colour-blind-safe scale.
const VIRIDIS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// The Viridis colour at `t` [0–1].
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
        super::stem("heatmap", &self.kpi)
    }
    fn title(&self) -> String {
        // The parameters are the axes' titles; the title stays short.
        format!("{}: mean over a grid of two parameters", self.kpi_label)
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
        let values: Vec<f64> = self.cells.iter().map(|c| c.2).collect();
        let scale = ColourScale::of(&values);
        let mut legend = vec![LegendItem::fill(
            "cell: mean over replications (colour bar on the right)",
            viridis(0.5),
            1.0,
        )];
        if scale.widened {
            legend.push(LegendItem::fill(
                format!(
                    "the means differ by less than {:.0}% of the largest: colours span that much",
                    MIN_RANGE_SHARE * 100.0
                ),
                viridis(0.5),
                0.4,
            ));
        }
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let (w, _) = area.dim_in_pixel();
        let (grid, bar) = area.split_horizontally(w.saturating_sub(BAR_COLUMN_PX));
        let (nx, ny) = (xs.len(), ys.len());
        let mut chart = ChartBuilder::on(&grid)
            .margin_left(12)
            .margin_right(16)
            .x_label_area_size(X_LABEL_PX)
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
            .x_label_formatter(&|x| at(&xs, *x))
            .y_label_formatter(&|y| at(&ys, *y))
            .x_desc(self.x_name.as_str())
            .y_desc(self.y_name.as_str())
            .disable_mesh()
            .draw()?;
        for &(x, y, v) in &self.cells {
            let i = xs.iter().position(|a| *a == x).unwrap_or(0) as f64;
            let j = ys.iter().position(|a| *a == y).unwrap_or(0) as f64;
            let t = scale.position(v);
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
        colour_bar(&bar, &scale, &self.unit)
    }
}

/// Draws the colour bar of `scale` in `area`: the unit on top, then the
/// bar from the highest value (top) to the lowest, with a tick and its
/// label at every tick value.
fn colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &ColourScale,
    unit: &str,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (_, h) = area.dim_in_pixel();
    let (x0, x1) = (8, 36);
    let top = 34;
    let bottom = i32::try_from(h.saturating_sub(X_LABEL_PX)).unwrap_or(top + 1);
    let height = f64::from((bottom - top).max(1));
    area.draw(&Text::new(
        unit.to_string(),
        (x0, 6),
        style::text(TICK_PX, style::BLACK),
    ))?;
    // The bar in thin slices, brightest (highest) at the top.
    let slices = 120;
    for s in 0..slices {
        let t0 = f64::from(s) / f64::from(slices);
        let t1 = f64::from(s + 1) / f64::from(slices);
        let y = |t: f64| bottom - (t * height).round() as i32;
        area.draw(&Rectangle::new(
            [(x0, y(t1)), (x1, y(t0))],
            viridis((t0 + t1) / 2.0).filled(),
        ))?;
    }
    area.draw(&Rectangle::new([(x0, top), (x1, bottom)], style::GREY))?;
    let label = style::text(TICK_PX, style::BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for &v in &scale.ticks {
        let y = bottom - (scale.position(v) * height).round() as i32;
        area.draw(&PathElement::new(
            vec![(x1, y), (x1 + 6, y)],
            style::GREY.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            style::fmt_num(v, 4),
            (x1 + 10, y),
            label.clone(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Means that differ by 3% (2,910 to 3,000 persons) are widened to 10%
    /// of the largest (300 around 2,955: 2,805 – 3,105), then out to ticks
    /// of 100: 2,800 – 3,200. The data then take under a third of the
    /// scale (90 of 400).
    #[test]
    fn a_small_difference_is_not_spread_over_the_whole_scale() {
        let s = ColourScale::of(&[2910.0, 2950.0, 3000.0, f64::NAN]);
        assert!(s.widened);
        assert_eq!(s.ticks, vec![2800.0, 2900.0, 3000.0, 3100.0, 3200.0]);
        assert_eq!((s.lo, s.hi), (2800.0, 3200.0));
        let covered = s.position(3000.0) - s.position(2910.0);
        assert!((covered - 90.0 / 400.0).abs() < 1e-12, "{covered}");
    }

    /// A wide range is kept, rounded out to whole ticks (steps of 1, 2, 2.5
    /// or 5 times a power of ten), and places its ends within the scale.
    #[test]
    fn a_wide_range_gets_round_ticks() {
        let s = ColourScale::of(&[0.013, 0.42, 0.97]);
        assert!(!s.widened);
        assert_eq!(s.ticks.len(), 5, "{:?}", s.ticks);
        assert!(
            (s.lo - 0.0).abs() < 1e-12 && (s.hi - 1.0).abs() < 1e-12,
            "{s:?}"
        );
        assert!(s.position(0.013) > 0.0 && s.position(0.97) < 1.0);
        // Every value zero: a unit range rather than a division by zero.
        let z = ColourScale::of(&[0.0, 0.0]);
        assert!(z.hi > z.lo && z.ticks.len() >= 2, "{z:?}");
    }

    /// The drawn heatmap carries its colour bar: the unit and every tick
    /// label as text, with the axes titled by the names given.
    #[test]
    fn the_heatmap_draws_a_colour_bar_with_its_unit() {
        crate::report::style::register_fonts().unwrap();
        let map = Heatmap {
            x_name: "servers".into(),
            y_name: "service rate".into(),
            kpi: "w".into(),
            kpi_label: "wait".into(),
            unit: "min".into(),
            cells: vec![(1.0, 1.0, 2910.0), (2.0, 1.0, 3000.0)],
            footer: Footer {
                left: String::new(),
                right: String::new(),
            },
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, style::SIZE).into_drawing_area();
            map.draw(&root).unwrap();
            root.present().unwrap();
        }
        let texts: Vec<&str> = svg
            .split("</text>")
            .filter_map(|t| t.rsplit_once('>').map(|(_, s)| s.trim()))
            .collect();
        for want in ["min", "2,800", "3,200", "servers", "service rate"] {
            assert!(texts.contains(&want), "no {want:?} in {texts:?}");
        }
    }
}
