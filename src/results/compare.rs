//! What a comparison writes: paired KPI differences (`compare.csv`) and
//! daily differences (`daily_diff.csv`).

use serde::Serialize;

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
