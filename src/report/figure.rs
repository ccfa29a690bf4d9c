//! What every chart is made of: the [`Figure`] trait (one drawing routine,
//! written once for any plotters backend), [`save`] that draws a figure as
//! both SVG and PNG, and the time-panel pieces shared by the charts (a
//! calendar x axis, uncertainty bands, lines with gaps, shaded windows).

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::axis::DayAxis;
use super::data::DayStats;
use super::style::{self, DrawResult, Footer};
use crate::error::{Error, Result};
use crate::output::write_atomic;

/// A chart that can draw itself on any plotters backend.
pub trait Figure {
    /// File name without extension, e.g. `usbp_apprehensions`.
    fn stem(&self) -> String;
    /// Title, also the caption in the report.
    fn title(&self) -> String;
    /// Size [px].
    fn size(&self) -> (u32, u32) {
        style::SIZE
    }
    /// Draws the whole chart on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// A chart written to the run's folder.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Title (the report's caption).
    pub title: String,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
    pub svg: PathBuf,
    /// The SVG's text, to inline in the report.
    pub svg_text: String,
}

/// Draws `fig` into `dir` as `<stem>.svg` and `<stem>.png`.
pub fn save<F: Figure>(fig: &F, dir: &Path) -> Result<Chart> {
    let stem = fig.stem();
    let fail = |e: &dyn std::fmt::Display| Error::Other(format!("cannot draw chart {stem}: {e}"));
    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, fig.size()).into_drawing_area();
        fig.draw(&root).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    let svg = dir.join(format!("{stem}.svg"));
    write_atomic(&svg, svg_text.as_bytes())?;
    // The bitmap backend picks its encoder from the extension, so the
    // temporary file keeps `.png`; the rename makes the write atomic.
    let png = dir.join(format!("{stem}.png"));
    let tmp = dir.join(format!(".{stem}.tmp.png"));
    let drawn = (|| -> DrawResult {
        let root = BitMapBackend::new(&tmp, fig.size()).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
        Ok(())
    })();
    if let Err(e) = drawn {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(&e));
    }
    std::fs::rename(&tmp, &png).map_err(|e| Error::output(&png, e))?;
    Ok(Chart {
        title: fig.title(),
        png,
        svg,
        svg_text,
    })
}

/// A panel whose x axis is the run's calendar.
pub type TimeChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<DayAxis, RangedCoordf64>>;

/// Lays out a time panel on `area`: calendar x axis (labels omitted when
/// `x_labels` is false, for an upper panel sharing the lower one's axis),
/// y from 0 to a little above `y_max`, labelled `y_label` with its unit.
pub fn time_panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axis: DayAxis,
    y_max: f64,
    y_label: &str,
    x_labels: bool,
) -> DrawResult<TimeChart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let top = if y_max.is_finite() && y_max > 0.0 {
        y_max * 1.08
    } else {
        1.0
    };
    time_panel_range(area, axis, 0.0, top, y_label, x_labels)
}

/// A time panel with y from `y_lo` to `y_hi` (for differences, which can be
/// negative); otherwise as [`time_panel`].
pub fn time_panel_range<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axis: DayAxis,
    y_lo: f64,
    y_hi: f64,
    y_label: &str,
    x_labels: bool,
) -> DrawResult<TimeChart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    time_panel_with(area, axis, y_lo..y_hi, y_label, x_labels, &|y| {
        style::fmt_tick(*y)
    })
}

/// A time panel with y over `y` and tick labels written by `fmt_y` (a
/// table's numbers with thousands separators, where compact ticks such as
/// "25k" would hide the digits one reads off); otherwise as
/// [`time_panel_range`].
pub fn time_panel_with<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axis: DayAxis,
    y: std::ops::Range<f64>,
    y_label: &str,
    x_labels: bool,
    fmt_y: &dyn Fn(&f64) -> String,
) -> DrawResult<TimeChart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin_left(12)
        // Room for half of the last month's label at the right edge.
        .margin_right(style::MARGIN_RIGHT)
        .margin_top(8)
        .x_label_area_size(if x_labels { 40 } else { 8 })
        .y_label_area_size(96)
        .build_cartesian_2d(axis, y)?;
    // An upper panel keeps the month grid lines but leaves the labels to the
    // panel below it.
    let fmt_x = move |x: &f64| {
        if x_labels {
            axis.label(*x)
        } else {
            String::new()
        }
    };
    style::house_mesh(&mut chart.configure_mesh())
        .x_labels(14)
        .y_labels(7)
        .x_label_formatter(&fmt_x)
        .y_label_formatter(fmt_y)
        .y_desc(y_label)
        .draw()?;
    Ok(chart)
}

/// Largest finite value of `f` over `stats`.
pub fn max_of(stats: &[DayStats], f: impl Fn(&DayStats) -> f64) -> f64 {
    stats
        .iter()
        .map(f)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Runs of consecutive days where `keep` holds, as `[first, last]` indices.
pub fn runs(len: usize, keep: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for d in 0..len {
        match (keep(d), start) {
            (true, None) => start = Some(d),
            (false, Some(s)) => {
                out.push((s, d - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, len - 1));
    }
    out
}

/// x of day `d`'s value: the middle of the day.
pub fn mid(d: usize) -> f64 {
    d as f64 + 0.5
}

/// Fills the band between `lo` and `hi` (per day), leaving gaps where
/// either is missing.
pub fn band<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    lo: &[f64],
    hi: &[f64],
    colour: RGBColor,
    alpha: f64,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = lo.len().min(hi.len());
    for (a, b) in runs(n, |d| lo[d].is_finite() && hi[d].is_finite()) {
        let mut pts: Vec<(f64, f64)> = (a..=b).map(|d| (mid(d), hi[d])).collect();
        pts.extend((a..=b).rev().map(|d| (mid(d), lo[d])));
        chart.draw_series(std::iter::once(Polygon::new(
            pts,
            colour.mix(alpha).filled(),
        )))?;
    }
    Ok(())
}

/// Draws `ys` (per day) as a line, broken where values are missing.
pub fn line<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    ys: &[f64],
    colour: RGBColor,
    width: u32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for (a, b) in runs(ys.len(), |d| ys[d].is_finite()) {
        chart.draw_series(LineSeries::new(
            (a..=b).map(|d| (mid(d), ys[d])),
            colour.stroke_width(width),
        ))?;
    }
    Ok(())
}

/// Median line with 50% and 90% bands of `stats`, in `colour`.
pub fn fan<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    stats: &[DayStats],
    colour: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let get = |f: fn(&DayStats) -> f64| stats.iter().map(f).collect::<Vec<f64>>();
    band(chart, &get(|s| s.p05), &get(|s| s.p95), colour, 0.18)?;
    band(chart, &get(|s| s.p25), &get(|s| s.p75), colour, 0.35)?;
    line(chart, &get(|s| s.p50), colour, 3)
}

/// Shades whole days `[first, last]` of each window over the panel's full
/// height, behind what is drawn next.
pub fn shade<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    windows: &[(usize, usize)],
    colour: RGBColor,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let top = chart.y_range().end;
    chart.draw_series(windows.iter().map(|&(a, b)| {
        Rectangle::new([(a as f64, 0.0), (b as f64 + 1.0, top)], colour.filled())
    }))?;
    Ok(())
}

/// The footer of every chart of a run.
pub fn footer(run: &super::data::RunData, bands: bool) -> Footer {
    let s = &run.summary;
    Footer {
        left: format!(
            "borderflow · scenario “{}” · seed {} · {} replications",
            s.scenario, s.seed, s.replications
        ),
        right: if bands {
            "line: median; bands: middle 50% and 90% of replications".into()
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_split_at_gaps() {
        let v = [1, 1, 0, 1, 0, 0, 1];
        assert_eq!(runs(v.len(), |d| v[d] == 1), vec![(0, 1), (3, 3), (6, 6)]);
        assert!(runs(0, |_| true).is_empty());
    }
}
