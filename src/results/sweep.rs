//! What a sweep saves about itself (`sweep.json`: the design, the swept
//! parameters and every point) and the tables built from its KPI records
//! (`sweep.csv`, `sweep_summary.csv`, `sensitivity.csv`), written once the
//! batch is complete and read back by the report.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::run::RunHeader;
use crate::error::{Error, Result};
use crate::input::shown;
use crate::output::{csv_field, write_atomic};
use crate::sensitivity::SobolIndex;
use crate::stats::{Accumulator, Summary};

/// How a sweep chooses its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Every combination of each parameter's values (first parameter
    /// slowest).
    Grid,
    /// Latin hypercube: `points` points, each parameter's range cut into
    /// `points` strata with one point in each.
    Lhs,
    /// One at a time: the base point, then each parameter over its `steps`
    /// values with the others at their base values (for tornado charts).
    Oat,
    /// Saltelli's design for Sobol indices: N(k + 2) points from N base
    /// samples.
    Sobol,
}

impl Design {
    /// Names accepted in a sweep file.
    pub const NAMES: [&'static str; 4] = ["grid", "lhs", "oat", "sobol"];

    /// The design named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "grid" => Some(Design::Grid),
            "lhs" => Some(Design::Lhs),
            "oat" => Some(Design::Oat),
            "sobol" => Some(Design::Sobol),
            _ => None,
        }
    }
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Its scenario path, e.g. `model.servers`.
    pub path: String,
    /// Whether the base value is a whole number (values are then rounded).
    pub integer: bool,
    /// Explicit values (grid), if given.
    pub values: Vec<f64>,
    /// Range, for designs that sample one.
    pub min: f64,
    /// Range, for designs that sample one.
    pub max: f64,
    /// Values per range (grid, one-at-a-time).
    pub steps: u32,
    /// The base scenario's value.
    pub base: f64,
}

/// What `finalize` needs to turn KPI records into sweep tables: saved as
/// `sweep.json` beside the results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepPlan {
    /// The design.
    pub design: Design,
    /// The parameters.
    pub parameters: Vec<Parameter>,
    /// Parameter values of every point, point-major.
    pub points: Vec<Vec<f64>>,
    /// Replications per point.
    pub replications: u32,
    /// Base samples N of a Sobol design.
    pub sobol_n: usize,
}

/// A complete sweep's results: its plan, and per point and KPI the summary
/// across replications, with Sobol indices for a Sobol design.
#[derive(Debug, Clone)]
pub struct SweepTables {
    /// The plan: design, parameters, points.
    pub plan: SweepPlan,
    /// KPI names, in order.
    pub kpis: Vec<String>,
    /// Summary of every (point, KPI), point-major.
    pub summaries: Vec<Summary>,
    /// Sobol indices per KPI (in parameter order), for a Sobol design.
    pub sobol: Option<Vec<Vec<SobolIndex>>>,
}

impl SweepTables {
    /// The summary of KPI `kpi` at point `point`.
    pub fn at(&self, point: usize, kpi: usize) -> &Summary {
        &self.summaries[point * self.kpis.len() + kpi]
    }

    /// Reads the tables of a complete sweep folder back (`sweep.json`,
    /// `sweep_summary.csv`, `sensitivity.csv`), for `plot`.
    pub fn read(dir: &Path) -> Result<Self> {
        let plan: SweepPlan = crate::input::read_json(&dir.join("sweep.json"))?;
        let path = dir.join("sweep_summary.csv");
        let bad = |what: String| Error::Scenario {
            file: shown(&path.display().to_string()),
            message: format!(
                "not a sweep summary written by borderflow: {}",
                shown(&what)
            ),
        };
        let mut reader = csv::Reader::from_reader(crate::input::open_regular(&path)?);
        let skip = 1 + plan.parameters.len();
        let mut kpis: Vec<String> = Vec::new();
        let mut summaries = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| bad(e.to_string()))?;
            let field = |k: usize| row.get(skip + k).unwrap_or("");
            // The first point's rows name the KPIs, in order.
            if row.get(0) == Some("0") {
                kpis.push(field(0).to_string());
            }
            let v: Vec<f64> = (1..=8)
                .map(|k| {
                    field(k)
                        .parse::<f64>()
                        .map_err(|_| bad(format!("line {}: {:?}", i + 2, field(k))))
                })
                .collect::<Result<_>>()?;
            summaries.push(Summary {
                n: u64::from(plan.replications),
                mean: v[0],
                ci95_low: v[1],
                ci95_high: v[2],
                sd: f64::NAN,
                p05: v[3],
                p25: v[4],
                p50: v[5],
                p75: v[6],
                p95: v[7],
            });
        }
        if summaries.len() != plan.points.len() * kpis.len() {
            return Err(bad(format!(
                "{} rows for {} points",
                summaries.len(),
                plan.points.len()
            )));
        }
        let sobol = if plan.design == Design::Sobol {
            let path = dir.join("sensitivity.csv");
            let mut reader = csv::Reader::from_reader(crate::input::open_regular(&path)?);
            let mut all: Vec<Vec<SobolIndex>> = vec![Vec::new(); kpis.len()];
            for (i, row) in reader.records().enumerate() {
                let row = row.map_err(|e| bad(e.to_string()))?;
                let k = i / plan.parameters.len().max(1);
                let num = |j: usize| {
                    row.get(j)
                        .and_then(|s| s.parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                };
                if let Some(list) = all.get_mut(k) {
                    list.push(SobolIndex {
                        first: num(2),
                        total: num(3),
                    });
                }
            }
            Some(all)
        } else {
            None
        };
        Ok(Self {
            plan,
            kpis,
            summaries,
            sobol,
        })
    }
}

/// Writes the sweep tables from a complete batch folder: `sweep.csv`
/// (`point,<parameters>,replication,kpi,value`), `sweep_summary.csv` (per
/// point and KPI: mean, 95% CI, quantiles) and, for a Sobol design,
/// `sensitivity.csv` (first- and total-order indices per KPI and parameter).
pub fn write_tables(dir: &Path, header: &RunHeader) -> Result<SweepTables> {
    let plan_path = dir.join("sweep.json");
    let plan: SweepPlan = crate::input::read_json(&plan_path)?;
    let reps = u64::from(plan.replications);
    // The plan may come from a shard folder: it must describe this batch
    // before anything is sized by it.
    let consistent = reps > 0
        && (plan.points.len() as u64).checked_mul(reps) == Some(header.replications)
        && plan.points.iter().all(|p| p.len() == plan.parameters.len())
        && (plan.design != Design::Sobol
            || plan.sobol_n.checked_mul(plan.parameters.len() + 2) == Some(plan.points.len()));
    if !consistent {
        return Err(Error::Scenario {
            file: shown(&plan_path.display().to_string()),
            message: format!(
                "the plan does not describe this batch of {} replications",
                header.replications
            ),
        });
    }
    let schema = header.record_schema()?;
    let mut reader =
        crate::output::records::open(dir, &schema, crate::output::Stage::Finished, false, true)?;
    let kpi_names = header.kpi_names();
    let kpi_fields: Vec<String> = kpi_names.iter().map(|k| csv_field(k)).collect();
    let param_cols: Vec<String> = plan.parameters.iter().map(|p| csv_field(&p.path)).collect();
    let mut tidy = format!("point,{},replication,kpi,value\n", param_cols.join(","));
    let point_cols: Vec<String> = plan
        .points
        .iter()
        .map(|pt| {
            pt.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let nk = kpi_names.len();
    let mut acc: Vec<Accumulator> = vec![Accumulator::default(); plan.points.len() * nk];
    // The records are checked replication by replication as they are read.
    while let Some((task, _, values)) = reader.next_replication()? {
        let point = (task / reps) as usize;
        if point >= plan.points.len() {
            return Err(Error::Other(format!(
                "{}: task {task} beyond the plan",
                dir.display()
            )));
        }
        for (k, value) in values.iter().enumerate() {
            tidy.push_str(&format!(
                "{point},{},{},{},{value}\n",
                point_cols[point],
                task % reps,
                kpi_fields[k]
            ));
            acc[point * nk + k].push(*value);
        }
    }
    reader.expect_end()?;
    write_atomic(&dir.join("sweep.csv"), tidy.as_bytes())?;
    let mut summary = format!(
        "point,{},kpi,{}\n",
        param_cols.join(","),
        Summary::CSV_HEADER
    );
    let mut summaries = Vec::with_capacity(plan.points.len() * nk);
    for (p, cols) in point_cols.iter().enumerate() {
        for (j, name) in kpi_names.iter().enumerate() {
            let s = acc[p * nk + j].summary();
            summaries.push(s);
            summary.push_str(&format!(
                "{p},{cols},{},{}\n",
                csv_field(name),
                s.csv_fields()
            ));
        }
    }
    write_atomic(&dir.join("sweep_summary.csv"), summary.as_bytes())?;
    let mut sobol = None;
    if plan.design == Design::Sobol {
        let n = plan.sobol_n;
        let kp = plan.parameters.len();
        let mut out = String::from("kpi,parameter,first_order,total_order\n");
        let mut all = Vec::new();
        for (j, name) in kpi_names.iter().enumerate() {
            let y: Vec<f64> = (0..plan.points.len())
                .map(|p| summaries[p * nk + j].mean)
                .collect();
            let idx = crate::sensitivity::sobol_indices(&y, n, kp);
            for (p, s) in plan.parameters.iter().zip(&idx) {
                out.push_str(&format!(
                    "{},{},{},{}\n",
                    csv_field(name),
                    csv_field(&p.path),
                    s.first,
                    s.total
                ));
            }
            all.push(idx);
        }
        write_atomic(&dir.join("sensitivity.csv"), out.as_bytes())?;
        sobol = Some(all);
    }
    Ok(SweepTables {
        plan,
        kpis: kpi_names,
        summaries,
        sobol,
    })
}
