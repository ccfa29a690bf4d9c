//! Look of every chart: the embedded font, the colour-blind-safe palette,
//! sizes, the common frame (title, legend strip, footer) and number formats.
//!
//! The font is DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE`),
//! compiled into the binary and registered with plotters before any drawing,
//! so a machine without any installed font still gets legible text.

use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::error::{Error, Result};

/// DejaVu Sans, regular weight.
static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold weight (titles).
static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Font family every chart asks for. plotters looks fonts up by this name in
/// its registry; SVG viewers get the generic family and use their own sans.
pub const FAMILY: &str = "sans-serif";

/// Registers the embedded fonts with plotters, once per process.
pub fn register_fonts() -> Result<()> {
    static DONE: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, FONT_REGULAR)
            .and_then(|()| register_font(FAMILY, FontStyle::Bold, FONT_BOLD))
            .map_err(|_| "the embedded DejaVu Sans font is not a valid font".to_string())
    })
    .clone()
    .map_err(Error::Other)
}

// Okabe & Ito (2008), "Color Universal Design": eight colours that stay
// distinguishable under the common forms of colour blindness.
/// Okabe–Ito black.
pub const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
/// Okabe–Ito bluish green.
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
/// Okabe–Ito vermilion.
pub const VERMILION: RGBColor = RGBColor(213, 94, 0);
/// Okabe–Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// The palette in the order series take colours (black is kept for observed
/// data, so it is not in the cycle).
pub const CYCLE: [RGBColor; 7] = [BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY_BLUE, YELLOW];
/// Grey of frames, grid lines and footers.
pub const GREY: RGBColor = RGBColor(110, 110, 110);
/// Light grey of small stacked layers.
pub const LIGHT_GREY: RGBColor = RGBColor(175, 175, 175);
/// Light grey of closure shading.
pub const SHADE: RGBColor = RGBColor(215, 215, 215);

/// Colour of the `i`-th series.
pub fn series_colour(i: usize) -> RGBColor {
    CYCLE[i % CYCLE.len()]
}

/// Size of a single-panel chart [px].
pub const SIZE: (u32, u32) = (1200, 640);
/// Size of a two-panel chart [px].
pub const SIZE_TALL: (u32, u32) = (1200, 820);

/// Right margin of plots [px]: half a month label fits at the last tick.
pub const MARGIN_RIGHT: u32 = 48;

/// Title font size [px].
pub const TITLE_PX: u32 = 28;
/// Axis label font size [px].
pub const LABEL_PX: u32 = 19;
/// Tick label and legend font size [px].
pub const TICK_PX: u32 = 16;
/// Footer font size [px].
pub const FOOTER_PX: u32 = 14;

/// Regular text of `px` pixels in `colour`.
pub fn text(px: u32, colour: RGBColor) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&colour)
}

/// Error type of drawing code: any backend's error, boxed.
pub type DrawError = Box<dyn std::error::Error + Send + Sync>;
/// Result of drawing code.
pub type DrawResult<T = ()> = std::result::Result<T, DrawError>;

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendItem {
    /// What it says.
    pub label: String,
    /// How its swatch looks.
    pub swatch: Swatch,
}

/// The swatch of a legend entry.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A line of this colour and width [px].
    Line(RGBColor, u32),
    /// A filled box of this colour and opacity [0–1].
    Fill(RGBColor, f64),
    /// A filled dot of this colour (data drawn as points).
    Dot(RGBColor),
}

impl LegendItem {
    /// A line entry.
    pub fn line(label: impl Into<String>, colour: RGBColor, width: u32) -> Self {
        Self {
            label: label.into(),
            swatch: Swatch::Line(colour, width),
        }
    }

    /// A filled-box entry.
    pub fn fill(label: impl Into<String>, colour: RGBColor, alpha: f64) -> Self {
        Self {
            label: label.into(),
            swatch: Swatch::Fill(colour, alpha),
        }
    }

    /// A point entry.
    pub fn dot(label: impl Into<String>, colour: RGBColor) -> Self {
        Self {
            label: label.into(),
            swatch: Swatch::Dot(colour),
        }
    }
}

/// What the footer of every chart says: where the numbers come from.
#[derive(Debug, Clone)]
pub struct Footer {
    /// Left: scenario name, seed and replications.
    pub left: String,
    /// Right: how to read the bands.
    pub right: String,
}

/// Height of the legend strip [px].
const LEGEND_H: u32 = 34;
/// Height of the footer [px].
const FOOTER_H: u32 = 30;

/// Draws the frame every chart shares: white background, bold title, a
/// legend strip under the title (outside the plot, so it never covers data;
/// as many rows as the entries need) and the footer; returns the area left
/// for the plot itself.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[LegendItem],
    footer: &Footer,
) -> DrawResult<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let title_style = (FAMILY, TITLE_PX, FontStyle::Bold)
        .into_font()
        .color(&BLACK);
    // Room above the title: plotters places it at the very top edge, where
    // capitals and accents would be clipped.
    let body = root.margin(10, 0, 0, 0).titled(title, title_style)?;
    let (w, h) = body.dim_in_pixel();
    let rows = legend_rows(&body, legend, w)?;
    let legend_h = LEGEND_H * u32::try_from(rows.len()).unwrap_or(0);
    let (legend_area, rest) = body.split_vertically(legend_h);
    let (plot, foot) = rest.split_vertically(h.saturating_sub(FOOTER_H + legend_h));
    for (i, row) in rows.iter().enumerate() {
        let y = i32::try_from(LEGEND_H).unwrap_or(0) * i32::try_from(i).unwrap_or(0);
        draw_legend_row(&legend_area, row, y, w)?;
    }
    let small = text(FOOTER_PX, GREY);
    foot.draw(&Text::new(footer.left.clone(), (12, 8), small.clone()))?;
    let right_w = i32::try_from(foot.estimate_text_size(&footer.right, &small)?.0).unwrap_or(0);
    let x = i32::try_from(w).unwrap_or(0) - right_w - 12;
    foot.draw(&Text::new(footer.right.clone(), (x, 8), small))?;
    Ok(plot)
}

/// Width of a legend swatch [px].
const SWATCH: i32 = 28;
/// Gap between a swatch and its label [px].
const GAP: i32 = 8;
/// Space between legend entries [px].
const SPACING: i32 = 26;

/// Splits legend entries into rows that fit `width`, each entry with its
/// width [px].
fn legend_rows<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &'a [LegendItem],
    width: u32,
) -> DrawResult<Vec<Vec<(&'a LegendItem, i32)>>>
where
    DB::ErrorType: 'static,
{
    let style = text(TICK_PX, BLACK);
    let max = i32::try_from(width).unwrap_or(i32::MAX) - 40;
    let mut rows: Vec<Vec<(&LegendItem, i32)>> = Vec::new();
    let mut used = 0;
    for it in items {
        let w = SWATCH
            + GAP
            + i32::try_from(area.estimate_text_size(&it.label, &style)?.0).unwrap_or(0);
        match rows.last_mut() {
            Some(row) if used + SPACING + w <= max => {
                row.push((it, w));
                used += SPACING + w;
            }
            _ => {
                rows.push(vec![(it, w)]);
                used = w;
            }
        }
    }
    Ok(rows)
}

/// Draws one row of legend entries, centred, at height `top` of `area`.
fn draw_legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    row: &[(&LegendItem, i32)],
    top: i32,
    width: u32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let style = text(TICK_PX, BLACK);
    let total: i32 = row.iter().map(|r| r.1).sum::<i32>() + SPACING * (row.len() as i32 - 1);
    let mut x = ((i32::try_from(width).unwrap_or(0) - total) / 2).max(8);
    let y = top + i32::try_from(LEGEND_H / 2).unwrap_or(0);
    for &(it, w) in row {
        match it.swatch {
            Swatch::Line(c, width) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + SWATCH, y)],
                    c.stroke_width(width),
                ))?;
            }
            Swatch::Fill(c, alpha) => {
                area.draw(&Rectangle::new(
                    [(x, y - 8), (x + SWATCH, y + 8)],
                    c.mix(alpha).filled(),
                ))?;
            }
            Swatch::Dot(c) => {
                area.draw(&Circle::new((x + SWATCH / 2, y), 5, c.filled()))?;
            }
        }
        let centred = style.pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(it.label.clone(), (x + SWATCH + GAP, y), centred))?;
        x += w + SPACING;
    }
    Ok(())
}

/// The house look of a chart's axes, shared by every panel: label fonts,
/// faint major grid lines, no minor ones, grey axis lines.
pub fn house_mesh<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.axis_desc_style(text(LABEL_PX, BLACK))
        .label_style(text(TICK_PX, BLACK))
        .bold_line_style(GREY.mix(0.18))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY)
}

/// A number for an axis or a table: thousands separated by commas, at most
/// `decimals` decimals, none for whole numbers.
pub fn fmt_num(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (s.clone(), String::new()),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if v < 0.0 && (grouped != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// An axis tick label: compact from a thousand up (2.5k, 10k, 1.5M) so
/// ticks stay short and alike along one axis.
pub fn fmt_tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", fmt_num(v / 1e6, 2))
    } else if a >= 1e3 {
        format!("{}k", fmt_num(v / 1e3, 1))
    } else if a >= 10.0 || a == 0.0 {
        fmt_num(v, 0)
    } else {
        fmt_num(v, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_trimmed() {
        assert_eq!(fmt_num(1234567.0, 0), "1,234,567");
        assert_eq!(fmt_num(-1234.5, 1), "-1,234.5");
        assert_eq!(fmt_num(12.0, 2), "12");
        assert_eq!(fmt_num(0.25, 2), "0.25");
        assert_eq!(fmt_num(f64::NAN, 2), "–");
        assert_eq!(fmt_tick(25_000.0), "25k");
        assert_eq!(fmt_tick(2_500.0), "2.5k");
        assert_eq!(fmt_tick(1_500_000.0), "1.5M");
        assert_eq!(fmt_tick(0.5), "0.5");
    }

    #[test]
    fn embedded_fonts_register() {
        assert!(register_fonts().is_ok());
    }
}
