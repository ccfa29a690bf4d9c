//! What a comparison adds to its folder: one row per (what-if, KPI) with
//! the baseline's value, the what-if's and their paired difference
//! (`compare.csv`). Its daily differences are the records and
//! `daily_summary.csv`, one metric per what-if.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::run::RunHeader;
use crate::error::{Error, Result};
use crate::metrics::{Contrast, KpiSpec};
use crate::output::{csv_field, write_atomic};
use crate::stats::Summary;

/// A KPI's paired comparison between the baseline and one what-if.
#[derive(Debug, Clone, Serialize)]
pub struct KpiDifference {
    /// The what-if scenario's name.
    pub whatif: String,
    /// The KPI.
    pub kpi: String,
    /// The baseline's KPI across replications.
    pub base: Summary,
    /// The what-if's KPI across replications.
    pub whatif_value: Summary,
    /// What-if minus baseline, per replication, summarised.
    pub difference: Summary,
}

/// The three KPIs a comparison keeps of KPI `spec` for what-if `whatif`:
/// the baseline's value, the what-if's and their difference, in record
/// order, named `<what-if>|<kpi>|<contrast>` ([`differences`] reads the
/// names back: this module owns the scheme).
pub fn contrasts(spec: &KpiSpec, whatif: &str) -> [KpiSpec; 3] {
    Contrast::ALL.map(|contrast| {
        let mut k = spec.clone();
        k.name = format!("{whatif}|{}|{}", spec.name, contrast.name());
        k.scenario = Some(whatif.to_string());
        k.contrast = Some(contrast);
        k
    })
}

/// Groups a comparison's KPI summaries (three per what-if and KPI: the
/// baseline's value, the what-if's, the difference) into one row each.
pub fn differences(header: &RunHeader, summaries: &[(String, Summary)]) -> Vec<KpiDifference> {
    let by_name: BTreeMap<&str, &Summary> =
        summaries.iter().map(|(n, s)| (n.as_str(), s)).collect();
    let mut rows: Vec<KpiDifference> = Vec::new();
    for spec in &header.kpi_specs {
        let (Some(whatif), Some(contrast), Some(s)) = (
            &spec.scenario,
            spec.contrast,
            by_name.get(spec.name.as_str()),
        ) else {
            continue;
        };
        // The KPI's own name, as the model declares it.
        let kpi = spec
            .name
            .strip_prefix(&format!("{whatif}|"))
            .and_then(|n| n.strip_suffix(&format!("|{}", contrast.name())))
            .unwrap_or(&spec.name)
            .to_string();
        if contrast == Contrast::Baseline {
            rows.push(KpiDifference {
                whatif: whatif.clone(),
                kpi,
                base: **s,
                whatif_value: **s,
                difference: **s,
            });
        } else if let Some(row) = rows
            .iter_mut()
            .rev()
            .find(|r| r.whatif == *whatif && r.kpi == kpi)
        {
            match contrast {
                Contrast::Whatif => row.whatif_value = **s,
                _ => row.difference = **s,
            }
        }
    }
    rows
}

/// Writes `compare.csv` into a complete comparison folder `dir`.
pub fn write_tables(dir: &Path, header: &RunHeader, summaries: &[(String, Summary)]) -> Result<()> {
    let mut csv = String::from(
        "whatif,kpi,base_mean,whatif_mean,diff_mean,diff_ci95_low,diff_ci95_high,diff_p05,diff_p50,diff_p95,relative_change\n",
    );
    for d in differences(header, summaries) {
        let rel = if d.base.mean != 0.0 {
            d.difference.mean / d.base.mean
        } else {
            f64::NAN
        };
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&d.whatif),
            csv_field(&d.kpi),
            d.base.mean,
            d.whatif_value.mean,
            d.difference.mean,
            d.difference.ci95_low,
            d.difference.ci95_high,
            d.difference.p05,
            d.difference.p50,
            d.difference.p95,
            rel
        ));
    }
    write_atomic(&dir.join("compare.csv"), csv.as_bytes())
}

/// Reads `compare.csv` (as [`write_tables`] wrote it) back: the means, CI and quantiles it keeps (the
/// rest of each summary is NaN).
pub fn read_table(path: &Path) -> Result<Vec<KpiDifference>> {
    let mut reader = csv::Reader::from_reader(crate::input::open_regular(path)?);
    let mut out = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| Error::Scenario {
            file: crate::input::shown(&path.display().to_string()),
            message: format!(
                "not a comparison table written by borderflow: {}",
                crate::input::shown(&e.to_string())
            ),
        })?;
        let num = |i: usize| -> Result<f64> {
            row.get(i).and_then(|v| v.parse().ok()).ok_or_else(|| {
                Error::Other(format!(
                    "{}: bad number in column {}",
                    path.display(),
                    i + 1
                ))
            })
        };
        let blank = Summary {
            n: 0,
            mean: f64::NAN,
            ci95_low: f64::NAN,
            ci95_high: f64::NAN,
            sd: f64::NAN,
            p05: f64::NAN,
            p25: f64::NAN,
            p50: f64::NAN,
            p75: f64::NAN,
            p95: f64::NAN,
        };
        out.push(KpiDifference {
            whatif: row.get(0).unwrap_or_default().to_string(),
            kpi: row.get(1).unwrap_or_default().to_string(),
            base: Summary {
                mean: num(2)?,
                ..blank
            },
            whatif_value: Summary {
                mean: num(3)?,
                ..blank
            },
            difference: Summary {
                mean: num(4)?,
                ci95_low: num(5)?,
                ci95_high: num(6)?,
                p05: num(7)?,
                p50: num(8)?,
                p95: num(9)?,
                ..blank
            },
        });
    }
    Ok(out)
}
