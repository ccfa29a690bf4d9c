//! The report of a calibration (`borderflow calibrate`), drawn from its
//! folder's files only, so `borderflow plot` redraws it without simulating.
//!
//! ```text
//!   calibration folder ──► data (calibration.json, fit.csv, score.csv,
//!                          │     posterior.csv, checked against each other)
//!                          ├─► fit        one chart per target series,
//!                          │              holdout months shaded
//!                          ├─► marginals  a histogram per parameter over its prior
//!                          ├─► pairs      the draws, parameter against parameter
//!                          ├─► trace      tolerance and acceptance by generation
//!                          └─► page       report.html: contents, summary, tables, charts
//! ```
//!
//! Every chart uses the house frame, palette and font ([`super::style`]) and
//! is saved as PNG and SVG by [`super::figure::save`].

pub mod data;
pub mod fit;
pub mod marginals;
pub mod page;
pub mod pairs;
pub mod trace;

use std::path::{Path, PathBuf};

use super::figure::{Chart, save};
use super::style::{self, Footer};
use crate::error::Result;
use data::Calibration;

/// Tick positions of a log axis from `lo` to `hi` (both > 0): only the
/// powers of ten over more than five decades; else 1, 2 and 5 times each
/// power of ten where that gives three ticks or more; else (a range within
/// about a decade, such as 0.8–1.5) evenly spaced round numbers, as a
/// linear axis has; the ends when nothing else fits. plotters' own log
/// ticks are powers of ten only, or every digit, each labelled.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo) {
        return Vec::new();
    }
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let within = |mantissas: &[f64]| -> Vec<f64> {
        (first..=last)
            .flat_map(|k| mantissas.iter().map(move |m| m * 10f64.powi(k)))
            .filter(|v| (lo..=hi).contains(v))
            .collect()
    };
    if last - first > 5 {
        return within(&[1.0]);
    }
    let ticks = within(&[1.0, 2.0, 5.0]);
    if ticks.len() >= 3 {
        return ticks;
    }
    // About four steps of 1, 2 or 5 times a power of ten.
    let raw = (hi - lo) / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    // A tolerance, so 3.2 / 0.2 = 16.000000000000004 still starts at 3.2.
    let start = (lo / step - 1e-9).ceil() as i64;
    let linear: Vec<f64> = (start..)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= hi * (1.0 + 1e-12))
        .take(20)
        .collect();
    if linear.len() >= 2 {
        linear
    } else {
        vec![lo, hi]
    }
}

/// Draws every chart of the calibration in `dir` (PNG and SVG) and writes
/// `report.html` beside them; returns the files written, the report last.
/// A missing or damaged input file is an input error naming it (exit
/// code 2).
pub fn render_folder(dir: &Path) -> Result<Vec<PathBuf>> {
    style::register_fonts()?;
    let cal = Calibration::load(dir)?;
    let s = &cal.summary;
    let footer = Footer {
        left: format!(
            "borderflow · calibration “{}” · seed {} · {} posterior draws × {} replications",
            s.name, s.seed, s.draws, s.replications
        ),
        right: format!(
            "fitted to {} · predicted to {}",
            s.fit_end, s.predictive_end
        ),
    };

    let mut fit = Vec::new();
    for series in cal.series() {
        let fig = fit::FitFigure {
            series,
            footer: footer.clone(),
        };
        fit.push(save(&fig, dir)?);
    }
    let params = &s.parameters;
    let marginals = if params.is_empty() {
        None
    } else {
        let fig = marginals::Marginals {
            panels: params
                .iter()
                .zip(&cal.draws)
                .map(|(p, v)| marginals::Marginal {
                    parameter: p.clone(),
                    values: v.clone(),
                })
                .collect(),
            weights: cal.weights.clone(),
            footer: footer.clone(),
        };
        Some(save(&fig, dir)?)
    };
    let pairs_shown = params.len().min(pairs::MAX_PARAMETERS);
    let pairs = if pairs_shown < 2 {
        None
    } else {
        let fig = pairs::Pairs {
            parameters: params
                .iter()
                .cloned()
                .zip(cal.draws.iter().cloned())
                .take(pairs_shown)
                .collect(),
            weights: cal.weights.clone(),
            footer: footer.clone(),
        };
        Some(save(&fig, dir)?)
    };
    let convergence = if s.generations.is_empty() {
        None
    } else {
        let fig = trace::Convergence {
            generations: s.generations.clone(),
            footer: footer.clone(),
        };
        Some(save(&fig, dir)?)
    };

    let sections = page::Sections {
        fit: &fit,
        marginals: marginals.as_ref(),
        pairs: pairs.as_ref(),
        pairs_shown,
        convergence: convergence.as_ref(),
    };
    let report = page::write(&cal, &sections, dir)?;
    let charts: Vec<&Chart> = fit
        .iter()
        .chain(marginals.as_ref())
        .chain(pairs.as_ref())
        .chain(convergence.as_ref())
        .collect();
    let mut files: Vec<PathBuf> = charts
        .iter()
        .flat_map(|c| [c.png.clone(), c.svg.clone()])
        .collect();
    files.push(report);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::log_ticks;

    #[test]
    fn log_ticks_are_one_two_five_or_round_steps() {
        assert_eq!(log_ticks(0.5, 50.0), [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]);
        assert_eq!(log_ticks(0.9, 7.0), [1.0, 2.0, 5.0]);
        assert_eq!(log_ticks(1.0, 1e8).len(), 9, "powers of ten only");
        // Within a decade: round linear steps.
        let near = |got: Vec<f64>, want: &[f64]| {
            got.len() == want.len() && got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-9)
        };
        assert!(near(log_ticks(0.8, 1.5), &[0.8, 1.0, 1.2, 1.4]));
        assert!(near(log_ticks(2.5, 4.5), &[2.5, 3.0, 3.5, 4.0, 4.5]));
        assert!(near(log_ticks(3.2, 3.8), &[3.2, 3.4, 3.6, 3.8]));
        assert!(log_ticks(0.0, 1.0).is_empty() && log_ticks(2.0, 1.0).is_empty());
    }
}
