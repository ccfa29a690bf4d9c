//! Tables for the terminal: cells padded to their column, and the KPI table
//! `run` prints (labels and units from the declarations, whole numbers for
//! people, the observed value and the error where a series covers a KPI).

use crate::metrics::{Aggregate, KpiSpec};
use crate::scenario::ObservedSeries;
use crate::stats::Summary;

/// Rows of cells padded to their column's widest cell [characters]: the
/// first `left` columns to the left, the others to the right (numbers).
pub(super) fn aligned<R: AsRef<[String]>>(cells: &[R], left: usize) -> Vec<String> {
    let columns = cells.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let mut width = vec![0; columns];
    for row in cells {
        for (w, c) in width.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(c.chars().count());
        }
    }
    cells
        .iter()
        .map(|row| {
            let mut line = String::new();
            for (i, (c, &w)) in row.as_ref().iter().zip(&width).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                if i < left {
                    line.push_str(&format!("{c:<w$}"));
                } else {
                    line.push_str(&format!("{c:>w$}"));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// A value as the table shows it: whole numbers with thousands separators
/// for counts of people (a mean over replications is not a fraction of a
/// person worth printing), else up to 2 decimals (4 below 1).
fn shown(v: f64, whole: bool) -> String {
    let decimals = if whole {
        0
    } else if v.abs() >= 1.0 {
        2
    } else {
        4
    };
    crate::report::style::fmt_num(v, decimals)
}

/// The observed monthly total a KPI stands for: a one-month sum of a
/// metric with an observed series of the same place and origin.
fn observed_for(spec: &KpiSpec, observed: &[ObservedSeries]) -> Option<f64> {
    let month = spec.month.as_deref()?;
    if spec.aggregate != Aggregate::Sum {
        return None;
    }
    observed
        .iter()
        .filter(|o| {
            Some(&o.metric) == spec.metric.as_ref()
                && o.place == spec.place
                && o.origin == spec.origin
        })
        .flat_map(|o| &o.monthly)
        .find(|(m, _)| m.format("%Y-%m").to_string() == month)
        .map(|(_, v)| *v)
}

/// The KPI table of a run: label, unit, mean, 95% CI, and where an
/// observed series covers the KPI, the observed value and the error.
pub(super) fn kpi_table(
    kpis: &[(String, Summary)],
    specs: &[KpiSpec],
    observed: &[ObservedSeries],
) -> Vec<String> {
    let mut cells: Vec<Vec<String>> = vec![
        ["KPI", "unit", "mean", "95% CI", "observed", "error"]
            .map(String::from)
            .to_vec(),
    ];
    for ((name, s), spec) in kpis.iter().zip(specs) {
        let whole = spec.unit.whole();
        let label = if spec.label.is_empty() {
            name
        } else {
            &spec.label
        };
        let obs = observed_for(spec, observed);
        cells.push(vec![
            label.clone(),
            spec.unit.label().to_string(),
            shown(s.mean, whole),
            format!(
                "[{}, {}]",
                shown(s.ci95_low, whole),
                shown(s.ci95_high, whole)
            ),
            obs.map_or_else(String::new, |o| shown(o, whole)),
            obs.filter(|o| *o != 0.0).map_or_else(String::new, |o| {
                format!("{:+.1}%", 100.0 * (s.mean - o) / o)
            }),
        ]);
    }
    aligned(&cells, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Unit;

    /// A December KPI of persons shows whole numbers, the observed value of
    /// its series and the error; columns line up.
    #[test]
    fn a_kpi_with_an_observed_month_shows_it_and_its_error() {
        let spec = KpiSpec {
            name: "usbp_apprehensions:2023-12".into(),
            metric: Some("usbp_apprehensions".into()),
            place: None,
            origin: None,
            window: Some(("2023-12-01".into(), "2023-12-31".into())),
            aggregate: Aggregate::Sum,
            unit: Unit::Persons,
            label: "USBP apprehensions, December 2023".into(),
            month: Some("2023-12".into()),
            scenario: None,
            contrast: None,
        };
        let summary = Summary {
            n: 2,
            mean: 254_830.4,
            ci95_low: 254_414.2,
            ci95_high: 255_246.9,
            sd: 1.0,
            p05: 0.0,
            p25: 0.0,
            p50: 0.0,
            p75: 0.0,
            p95: 0.0,
        };
        let obs = ObservedSeries {
            metric: "usbp_apprehensions".into(),
            place: None,
            origin: None,
            role: crate::scenario::Role::Fit,
            weight: 1.0,
            source: String::new(),
            monthly: vec![(
                chrono::NaiveDate::from_ymd_opt(2023, 12, 1).unwrap(),
                249_740.0,
            )],
        };
        let lines = kpi_table(&[(spec.name.clone(), summary)], &[spec], &[obs]);
        assert_eq!(lines[0].chars().count(), lines[1].chars().count());
        assert!(
            lines[1].contains("254,830")
                && lines[1].contains("[254,414, 255,247]")
                && lines[1].contains("249,740")
                && lines[1].ends_with("+2.0%"),
            "{}",
            lines[1]
        );
    }

    /// Columns line up whatever the characters (a true minus sign is one
    /// character, three bytes).
    #[test]
    fn columns_line_up() {
        let row = |a: &str, d: &str| {
            [
                a.to_string(),
                "persons".to_string(),
                "1".to_string(),
                "2".to_string(),
                d.to_string(),
                "+1.0%".to_string(),
            ]
        };
        let lines = aligned(
            &[row("long label", "−2,100 [−2,300, −1,900]"), row("x", "+5")],
            2,
        );
        assert_eq!(lines[0].chars().count(), lines[1].chars().count());
        assert!(lines[1].ends_with("+5  +1.0%"), "{}", lines[1]);
    }
}
