//! Pairs: a scatter matrix of the posterior draws. Below the diagonal each
//! pair of parameters as points whose opacity is the draw's weight; on the
//! diagonal the parameter's name and the range shown; above it the weighted
//! correlation. A ridge of points (or |r| near 1) is a pair the data
//! constrain only together: one can be traded for the other.
//!
//! Every cell spans the range of its parameters' draws (in log scale for a
//! `log_…` prior), so the cells need no tick labels: the diagonal states
//! the ranges once. Not the prior ranges, as the marginals: a posterior
//! much narrower than its prior would show as one blot.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{ParamAxis, weighted_correlation};
use crate::report::style::{self, DrawResult, Footer, LegendItem};
use crate::results::calibration::ParameterSummary;

/// Most parameters drawn: past a dozen the cells are too small to read.
pub const MAX_PARAMETERS: usize = 12;

/// Colour of the draws.
const POINTS: RGBColor = style::BLUE;

/// The scatter matrix.
#[derive(Debug, Clone)]
pub struct Pairs {
    /// The parameters drawn (at most [`MAX_PARAMETERS`]) and their values
    /// in each draw.
    pub parameters: Vec<(ParameterSummary, Vec<f64>)>,
    /// Weight of each draw.
    pub weights: Vec<f64>,
    /// Footer.
    pub footer: Footer,
}

impl crate::report::figure::Figure for Pairs {
    fn stem(&self) -> String {
        "posterior_pairs".into()
    }

    fn title(&self) -> String {
        "Posterior draws, parameter against parameter".into()
    }

    fn size(&self) -> (u32, u32) {
        // Square cells under the title, legend and footer.
        (style::SIZE.0, style::SIZE.0 + 40)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = [
            LegendItem::dot("posterior draw (darker: more weight)", POINTS),
            LegendItem::line("estimate (+)", style::VERMILION, 3),
            LegendItem::line("base scenario (×, where in range)", style::BLACK, 2),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let n = self.parameters.len().min(MAX_PARAMETERS);
        if n == 0 {
            return Ok(());
        }
        let axes: Vec<ParamAxis> = self.parameters[..n]
            .iter()
            .map(|(p, v)| ParamAxis::of_draws(p, v, &self.weights))
            .collect();
        let cells = area.margin(6, 6, 12, 12).split_evenly((n, n));
        let w_max = self
            .weights
            .iter()
            .copied()
            .filter(|w| w.is_finite())
            .fold(0.0, f64::max);
        for (k, cell) in cells.iter().enumerate() {
            let (i, j) = (k / n, k % n);
            let cell = cell.margin(3, 3, 3, 3);
            if i == j {
                diagonal(&cell, &self.parameters[i].0, &axes[i], n)?;
            } else if i > j {
                let x = (&self.parameters[j], &axes[j]);
                let y = (&self.parameters[i], &axes[i]);
                scatter(&cell, x, y, &self.weights, w_max, n)?;
            } else {
                let r = weighted_correlation(
                    &self.parameters[j].1,
                    &self.parameters[i].1,
                    &self.weights,
                );
                correlation(&cell, r, n)?;
            }
        }
        Ok(())
    }
}

/// Text size in a matrix of `n` × `n` cells [px]: smaller as cells shrink.
fn cell_px(n: usize) -> u32 {
    match n {
        0..=4 => style::LABEL_PX,
        5..=8 => style::TICK_PX,
        _ => 12,
    }
}

/// Characters of a name that fit a cell of a matrix of `n` columns.
fn fit_chars(n: usize) -> usize {
    (110 / n.max(1)).clamp(8, 40)
}

/// `s` cut to `max` characters.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!(
            "{}…",
            s.chars().take(max.saturating_sub(1)).collect::<String>()
        )
    } else {
        s.to_string()
    }
}

/// `label` in at most two lines of `max` characters, broken between words,
/// the second cut with an ellipsis when it is still too long.
fn wrap(label: &str, max: usize) -> Vec<String> {
    let label = label.trim();
    if label.chars().count() <= max {
        return vec![label.to_string()];
    }
    // The last space within the first `max` + 1 characters ends the first
    // line (byte indices from `char_indices`, so the split is on a
    // character boundary whatever the label holds).
    let split = label
        .char_indices()
        .take(max + 1)
        .filter(|&(_, c)| c == ' ')
        .map(|(i, _)| i)
        .last();
    match split {
        Some(i) if i > 0 => vec![
            label[..i].trim_end().to_string(),
            cut(label[i..].trim_start(), max),
        ],
        _ => vec![cut(label, max)],
    }
}

/// Centre of `cell` [px].
fn centre<DB: DrawingBackend>(cell: &DrawingArea<DB, Shift>) -> (i32, i32) {
    let (w, h) = cell.dim_in_pixel();
    (
        i32::try_from(w / 2).unwrap_or(0),
        i32::try_from(h / 2).unwrap_or(0),
    )
}

/// A diagonal cell: the parameter's label over the range its cells show.
fn diagonal<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    p: &ParameterSummary,
    axis: &ParamAxis,
    n: usize,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    cell.fill(&style::SHADE.mix(0.35))?;
    let px = cell_px(n);
    let (cx, cy) = centre(cell);
    let centred = |c| style::text(px, c).pos(Pos::new(HPos::Center, VPos::Center));
    let dy = i32::try_from(px).unwrap_or(12) + 4;
    let lines = wrap(&p.label, fit_chars(n));
    let count = i32::try_from(lines.len()).unwrap_or(1);
    let top = cy - dy * count / 2;
    for (k, line) in lines.iter().enumerate() {
        let y = top + dy * i32::try_from(k).unwrap_or(0);
        cell.draw(&Text::new(line.clone(), (cx, y), centred(style::BLACK)))?;
    }
    let range = format!(
        "{} – {}{}",
        style::fmt_tick(axis.lo),
        style::fmt_tick(axis.hi),
        if axis.log { " (log)" } else { "" }
    );
    cell.draw(&Text::new(
        range,
        (cx, top + dy * count),
        centred(style::GREY),
    ))?;
    Ok(())
}

/// A lower cell: `y`'s draws against `x`'s, on their unit ranges.
fn scatter<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    x: (&(ParameterSummary, Vec<f64>), &ParamAxis),
    y: (&(ParameterSummary, Vec<f64>), &ParamAxis),
    weights: &[f64],
    w_max: f64,
    n: usize,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let ((px, xs), xa) = x;
    let ((py, ys), ya) = y;
    let mut chart = ChartBuilder::on(cell).build_cartesian_2d(-0.02..1.02, -0.02..1.02)?;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(-0.02, -0.02), (1.02, 1.02)],
        style::GREY.mix(0.5).stroke_width(1),
    )))?;
    let radius = if n <= 4 { 4 } else { 3 };
    let draws = xs.iter().zip(ys).zip(weights).filter_map(|((&a, &b), &w)| {
        let (u, v) = (xa.unit(a), ya.unit(b));
        (u.is_finite() && v.is_finite() && w.is_finite() && w > 0.0 && w_max > 0.0)
            .then(|| Circle::new((u, v), radius, POINTS.mix(0.12 + 0.78 * w / w_max).filled()))
    });
    chart.draw_series(draws)?;
    let mark = |px: &ParameterSummary, py: &ParameterSummary, base: bool| {
        let (a, b) = if base {
            (px.base_value?, py.base_value?)
        } else {
            (px.estimate, py.estimate)
        };
        let (u, v) = (xa.unit(a), ya.unit(b));
        // A value outside the draws' range would be drawn in the next cell.
        let inside = |t: f64| (0.0..=1.0).contains(&t);
        (inside(u) && inside(v)).then_some((u, v))
    };
    if let Some(at) = mark(px, py, true) {
        chart.draw_series(std::iter::once(Cross::new(
            at,
            6,
            style::BLACK.stroke_width(2),
        )))?;
    }
    if let Some((u, v)) = mark(px, py, false) {
        let plus = style::VERMILION.stroke_width(3);
        let (du, dv) = (0.06, 0.06);
        chart.draw_series([
            PathElement::new(vec![(u - du, v), (u + du, v)], plus),
            PathElement::new(vec![(u, v - dv), (u, v + dv)], plus),
        ])?;
    }
    Ok(())
}

/// An upper cell: the pair's weighted correlation.
fn correlation<DB: DrawingBackend>(cell: &DrawingArea<DB, Shift>, r: f64, n: usize) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (cx, cy) = centre(cell);
    let text = if r.is_finite() {
        format!("r = {}", style::fmt_num(r, 2))
    } else {
        "r = –".to_string()
    };
    // Stronger correlations in darker ink, so the matrix's structure shows
    // before one reads a number.
    let ink = if r.is_finite() && r.abs() >= 0.5 {
        style::BLACK
    } else {
        style::GREY
    };
    let centred = style::text(cell_px(n), ink).pos(Pos::new(HPos::Center, VPos::Center));
    cell.draw(&Text::new(text, (cx, cy), centred))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn labels_wrap_between_words() {
        assert_eq!(wrap("Caravan speed", 20), ["Caravan speed"]);
        assert_eq!(
            wrap("Mexican enforcement personnel", 20),
            ["Mexican enforcement", "personnel"]
        );
        assert_eq!(wrap("Averyveryverylongword x", 8), ["Averyve…"]);
        assert_eq!(wrap("a bb cccccccccccc dd", 6), ["a bb", "ccccc…"]);
        // Not a byte index into a multi-byte character.
        assert_eq!(wrap(" é é é é é", 4), ["é é", "é é…"]);
    }
}
