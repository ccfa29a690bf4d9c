//! What a comparison adds to its folder: one row per (what-if, KPI) with
//! the baseline's value, the what-if's and their paired difference
//! (`compare.csv`). Its daily differences are the records and
//! `daily_summary.csv`, one metric per what-if. Which KPIs changed and the
//! plain-language headline of a what-if are in [`changes`], shared by the
//! terminal and `report.html`.

pub mod changes;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::run::RunHeader;
use crate::error::{Error, Result};
use crate::metrics::{Contrast, KpiSpec, MetricKind, MetricSpec, Unit};
use crate::output::{csv_field, write_atomic};
use crate::stats::Summary;

/// A KPI's paired comparison between the baseline and one what-if.
#[derive(Debug, Clone, Serialize)]
pub struct KpiDifference {
    /// The what-if scenario's name.
    pub whatif: String,
    /// The KPI.
    pub kpi: String,
    /// Its human label as the model declares it (empty where the folder
    /// does not say, e.g. a `compare.csv` read alone).
    #[serde(default)]
    pub label: String,
    /// The unit of its values, when declared.
    #[serde(default)]
    pub unit: Option<Unit>,
    /// The daily metric it reduces, when it is computed from the daily
    /// table.
    #[serde(default)]
    pub metric: Option<String>,
    /// The place (port, sector, …) it counts at; none for a national KPI.
    #[serde(default)]
    pub place: Option<String>,
    /// The origin group it counts; none for all origins.
    #[serde(default)]
    pub origin: Option<String>,
    /// Whether it is a sum over the comparison's `--from/--to` window
    /// ([`window_kpi_name`]) rather than a KPI the model declares.
    #[serde(default)]
    pub in_window: bool,
    /// The baseline's KPI across replications.
    pub base: Summary,
    /// The what-if's KPI across replications.
    pub whatif_value: Summary,
    /// What-if minus baseline, per replication, summarised.
    pub difference: Summary,
}

impl KpiDifference {
    /// A row of `whatif` and `kpi` with all three summaries `s` and nothing
    /// declared about it yet.
    pub fn new(whatif: String, kpi: String, s: Summary) -> Self {
        Self {
            whatif,
            kpi,
            label: String::new(),
            unit: None,
            metric: None,
            place: None,
            origin: None,
            in_window: false,
            base: s,
            whatif_value: s,
            difference: s,
        }
    }
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

/// The name of the KPI a comparison's `--from/--to` window makes of the
/// daily count with key `key` ([`MetricSpec::key`]), `first` and `last`
/// being the window's dates (`YYYY-MM-DD`): `usbp_apprehensions:2023-12-20..2024-01-02`.
pub fn window_kpi_name(key: &str, first: &str, last: &str) -> String {
    format!("{key}:{first}..{last}")
}

/// The label of that KPI: the metric's label, its place and origin, and the
/// window ("OFO encounters at Eagle Pass, 2023-12-20 to 2024-01-02").
pub fn window_kpi_label(metric: &MetricSpec, first: &str, last: &str) -> String {
    format!("{}, {first} to {last}", subject(metric))
}

/// What a metric counts and where, without its window: "USBP
/// apprehensions at Del Rio", "USBP apprehensions (Venezuela)"; a label
/// that already says "at" takes the place after a dash ("OFO encounters at
/// ports — Eagle Pass"), not a second "at".
pub fn subject(metric: &MetricSpec) -> String {
    let at = if metric.label.contains(" at ") {
        " — "
    } else {
        " at "
    };
    let dims =
        crate::metrics::dimensions_text(metric.place.as_deref(), metric.origin.as_deref(), at);
    format!("{}{dims}", metric.label)
}

/// Whether `spec`, a KPI named `kpi` (without the comparison's `whatif|…|`
/// wrapping), is a sum over the comparison's window: its name is the one
/// [`window_kpi_name`] gives its metric and window.
fn is_window_kpi(kpi: &str, spec: &KpiSpec) -> bool {
    let (Some(metric), Some((first, last))) = (&spec.metric, &spec.window) else {
        return false;
    };
    let mut m = MetricSpec::new(metric, spec.unit, MetricKind::Count, "");
    m.place.clone_from(&spec.place);
    m.origin.clone_from(&spec.origin);
    kpi == window_kpi_name(&m.key(), first, last)
}

/// The comparison's `--from/--to` window (first and last day), read back
/// from its KPI declarations; none when it was run without one.
pub fn window(specs: &[KpiSpec]) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    specs.iter().find_map(|s| {
        let (whatif, contrast) = (s.scenario.as_ref()?, s.contrast?);
        let kpi = own_name(&s.name, whatif, contrast);
        if !is_window_kpi(kpi, s) {
            return None;
        }
        let (a, b) = s.window.as_ref()?;
        Some((
            crate::calendar::parse_date(a)?,
            crate::calendar::parse_date(b)?,
        ))
    })
}

/// A KPI's own name inside a comparison's `<what-if>|<kpi>|<contrast>`.
fn own_name<'a>(name: &'a str, whatif: &str, contrast: Contrast) -> &'a str {
    name.strip_prefix(&format!("{whatif}|"))
        .and_then(|n| n.strip_suffix(&format!("|{}", contrast.name())))
        .unwrap_or(name)
}

/// Fills what `spec`, the declaration of `d`'s KPI, says about it: label,
/// unit, place, origin, whether it is a window KPI.
fn describe(d: &mut KpiDifference, spec: &KpiSpec) {
    d.label.clone_from(&spec.label);
    d.unit = Some(spec.unit);
    d.metric.clone_from(&spec.metric);
    d.place.clone_from(&spec.place);
    d.origin.clone_from(&spec.origin);
    d.in_window = is_window_kpi(&d.kpi, spec);
}

/// Fills the labels, units and places of rows read from `compare.csv`
/// ([`read_table`]) from the comparison's KPI declarations
/// (`summary.json`'s `kpi_specs`).
pub fn annotate(rows: &mut [KpiDifference], specs: &[KpiSpec]) {
    for s in specs {
        let (Some(whatif), Some(Contrast::Difference)) = (&s.scenario, s.contrast) else {
            continue;
        };
        let kpi = own_name(&s.name, whatif, Contrast::Difference);
        if let Some(row) = rows
            .iter_mut()
            .find(|r| r.whatif == *whatif && r.kpi == kpi)
        {
            describe(row, s);
        }
    }
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
        let kpi = own_name(&spec.name, whatif, contrast).to_string();
        if contrast == Contrast::Baseline {
            let mut row = KpiDifference::new(whatif.clone(), kpi, **s);
            describe(&mut row, spec);
            rows.push(row);
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
        let mut d = KpiDifference::new(
            row.get(0).unwrap_or_default().to_string(),
            row.get(1).unwrap_or_default().to_string(),
            blank,
        );
        d.base.mean = num(2)?;
        d.whatif_value.mean = num(3)?;
        d.difference = Summary {
            mean: num(4)?,
            ci95_low: num(5)?,
            ci95_high: num(6)?,
            p05: num(7)?,
            p50: num(8)?,
            p95: num(9)?,
            ..blank
        };
        out.push(d);
    }
    Ok(out)
}
