//! What a comparison adds to its folder: one row per (what-if, KPI) with
//! the baseline's value, the what-if's and their paired difference
//! (`compare.csv`). Its daily differences are the records and
//! `daily_summary.csv`, one metric per what-if.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::run::RunHeader;
use crate::error::Result;
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
