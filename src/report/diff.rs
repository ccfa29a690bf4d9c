//! Charts of a comparison (`borderflow compare`): the daily difference
//! what-if − baseline as a fan across paired replications, with zero marked,
//! and the KPIs' relative changes with their 95% confidence intervals.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::DayAxis;
use super::data::DayStats;
use super::data::RunData;
use super::figure::{self, Chart, Figure, save};
use super::style::{self, DrawResult, Footer, LegendItem};
use crate::error::Result;
use crate::results::compare::KpiDifference;

/// Metrics whose daily difference gets a chart when the model has them; a
/// model with none of them gets a chart for every metric.
const CHARTED: &[&str] = &[
    "usbp_apprehensions",
    "ofo_encounters",
    "mx_detections",
    "gotaways",
    "waiting_north",
    "port_queue",
];

/// Draws a complete comparison folder's charts from its files:
/// `summary.json` (the metrics, one per what-if), `daily_summary.csv` (the
/// paired daily differences) and `compare.csv` (the KPI differences).
pub fn render_folder(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let run = RunData::load(dir)?;
    let metrics = &run.summary.metrics;
    let any_charted = metrics.iter().any(|m| CHARTED.contains(&m.name.as_str()));
    let mut fans = Vec::new();
    for m in metrics {
        let (Some(whatif), true) = (&m.scenario, m.place.is_none() && m.origin.is_none()) else {
            continue;
        };
        if any_charted && !CHARTED.contains(&m.name.as_str()) {
            continue;
        }
        if let Some(stats) = run.get(&m.key()) {
            fans.push((whatif.clone(), m.name.clone(), stats.to_vec()));
        }
    }
    let kpis = crate::results::compare::read_table(&dir.join("compare.csv"))?;
    let footer = Footer {
        left: format!(
            "borderflow · compare against “{}” · seed {} · {} paired replications",
            run.summary.scenario, run.summary.seed, run.summary.replications
        ),
        right: "common random numbers; bands: middle 50% and 90% of paired differences".into(),
    };
    let axis = DayAxis::new(run.start(), run.dates.len() as u32);
    let charts = draw_comparison(dir, axis, fans, &kpis, &footer, &run.summary.uncertainty())?;
    Ok(charts
        .iter()
        .flat_map(|c| [c.png.clone(), c.svg.clone()])
        .collect())
}

/// The daily difference of one metric, what-if minus baseline.
pub struct DiffFan {
    /// What-if name.
    pub whatif: String,
    /// Metric name.
    pub metric: String,
    /// Its summary by day.
    pub stats: Vec<DayStats>,
    /// The calendar.
    pub axis: DayAxis,
    /// Footer.
    pub footer: Footer,
}

impl Figure for DiffFan {
    fn stem(&self) -> String {
        format!(
            "diff_{}_{}",
            file_safe(&self.whatif),
            file_safe(&self.metric)
        )
    }

    fn title(&self) -> String {
        format!(
            "{}: change in {} against the baseline",
            self.whatif, self.metric
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let colour = style::VERMILION;
        let legend = [
            LegendItem::line("median of paired differences", colour, 3),
            LegendItem::fill("50% of replications", colour, 0.45),
            LegendItem::fill("90% of replications", colour, 0.18),
            LegendItem::line("no change", style::BLACK, 1),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let finite = |f: fn(&DayStats) -> f64| self.stats.iter().map(f).filter(|v| v.is_finite());
        let lo = finite(|s| s.p05).fold(0.0, f64::min);
        let hi = finite(|s| s.p95).fold(0.0, f64::max);
        let pad = ((hi - lo) * 0.06).max(1e-9);
        let mut chart = figure::time_panel_range(
            &area,
            self.axis,
            lo - pad,
            hi + pad,
            &format!("what-if − baseline, {}", self.metric),
            true,
        )?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (f64::from(self.axis.days), 0.0)],
            style::BLACK.stroke_width(1),
        )))?;
        figure::fan(&mut chart, &self.stats, colour)
    }
}

/// The relative change of every KPI with its 95% confidence interval, one
/// horizontal bar per KPI.
pub struct KpiChanges {
    /// What-if name.
    pub whatif: String,
    /// (KPI, relative change, CI low, CI high) [fraction of the baseline].
    pub rows: Vec<(String, f64, f64, f64)>,
    /// Footer.
    pub footer: Footer,
    /// What the intervals contain ([`crate::posterior::uncertainty`]),
    /// said in the legend beside them.
    pub uncertainty: String,
}

impl Figure for KpiChanges {
    fn stem(&self) -> String {
        format!("kpi_changes_{}", file_safe(&self.whatif))
    }

    fn title(&self) -> String {
        format!("{}: KPIs that changed against the baseline", self.whatif)
    }

    fn size(&self) -> (u32, u32) {
        (style::SIZE.0, (160 + 34 * self.rows.len() as u32).max(320))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let legend = [
            LegendItem::fill("change in the mean", style::BLUE, 0.7),
            LegendItem::line(
                format!("95% confidence interval ({})", self.uncertainty),
                style::BLACK,
                2,
            ),
        ];
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let finite = self
            .rows
            .iter()
            .flat_map(|r| [r.1, r.2, r.3])
            .filter(|v| v.is_finite());
        let lo = finite.clone().fold(0.0, f64::min) * 100.0;
        let hi = finite.fold(0.0, f64::max) * 100.0;
        let pad = ((hi - lo) * 0.08).max(1.0);
        let n = self.rows.len();
        let names: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = super::sweep::bar_panel(
            &area,
            (lo - pad)..(hi + pad),
            names,
            "change against the baseline [% of the baseline mean]",
            &|x| format!("{}%", style::fmt_num(*x, 1)),
        )?;
        for (i, (_, m, l, h)) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if m.is_finite() {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.25), (m * 100.0, y + 0.75)],
                    style::BLUE.mix(0.7).filled(),
                )))?;
            }
            if l.is_finite() && h.is_finite() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(l * 100.0, y + 0.5), (h * 100.0, y + 0.5)],
                    style::BLACK.stroke_width(2),
                )))?;
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            style::BLACK.stroke_width(1),
        )))?;
        Ok(())
    }
}

/// Letters, digits, `-` and `_` only, for file names.
pub fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Draws a comparison's charts into `dir`: one difference fan per what-if
/// and metric in `metrics`, one KPI chart per what-if, whose legend says
/// what its intervals contain (`uncertainty`).
pub fn draw_comparison(
    dir: &Path,
    axis: DayAxis,
    fans: Vec<(String, String, Vec<DayStats>)>,
    kpis: &[KpiDifference],
    footer: &Footer,
    uncertainty: &str,
) -> Result<Vec<Chart>> {
    style::register_fonts()?;
    let mut charts = Vec::new();
    for (whatif, metric, stats) in fans {
        let f = DiffFan {
            whatif,
            metric,
            stats,
            axis,
            footer: footer.clone(),
        };
        charts.push(save(&f, dir)?);
    }
    let mut whatifs: Vec<&str> = kpis.iter().map(|k| k.whatif.as_str()).collect();
    whatifs.dedup();
    for w in whatifs {
        // KPIs identical in every paired replication (months before the
        // policy starts, say) carry no information: left out.
        let rows: Vec<_> = kpis
            .iter()
            .filter(|k| k.whatif == w)
            .filter(|k| {
                let d = &k.difference;
                !(d.mean == 0.0 && d.ci95_low == d.ci95_high)
            })
            .map(|k| {
                let b = k.base.mean;
                let rel = |v: f64| if b != 0.0 { v / b.abs() } else { f64::NAN };
                (
                    k.kpi.clone(),
                    rel(k.difference.mean),
                    rel(k.difference.ci95_low),
                    rel(k.difference.ci95_high),
                )
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let f = KpiChanges {
            whatif: w.to_string(),
            rows,
            footer: footer.clone(),
            uncertainty: uncertainty.to_string(),
        };
        charts.push(save(&f, dir)?);
    }
    Ok(charts)
}
