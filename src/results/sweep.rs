//! What a sweep saves about itself (`sweep.json`: the design, the swept
//! parameters and every point) and the tables built from its KPI records
//! (`sweep.csv`, `sweep_summary.csv`, `sensitivity.csv`), written once the
//! batch is complete and read back by the report.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::run::RunHeader;
use crate::error::{Error, Result};
use crate::input::shown;
use crate::output::records::{Detail, SweepRow, SweepTable};
use crate::output::{csv_field, write_atomic};
use crate::scenario::path::Step;
use crate::sensitivity::{Estimate, SobolCi};
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

/// One swept parameter, as the design uses it: `sweep.json` echoes the
/// fields the design read and leaves out the others (no `min`, `max` or
/// `steps` beside explicit `values`, no `steps` for a design that samples a
/// range).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Its scenario path, e.g. `model.servers`.
    pub path: String,
    /// The sweep file's label for charts and tables, if it gives one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// Whether the base value is a whole number (values are then rounded).
    pub integer: bool,
    /// Explicit values, if given (they then replace the range).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
    /// Lower end of the range, when the design uses one (NaN otherwise).
    #[serde(default = "absent", skip_serializing_if = "is_absent")]
    pub min: f64,
    /// Upper end of the range, when the design uses one (NaN otherwise).
    #[serde(default = "absent", skip_serializing_if = "is_absent")]
    pub max: f64,
    /// Evenly spaced values over the range (grid and one-at-a-time without
    /// `values`; 0 where the design does not use it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub steps: u32,
    /// The base scenario's value.
    pub base: f64,
}

fn absent() -> f64 {
    f64::NAN
}

fn is_absent(v: &f64) -> bool {
    v.is_nan()
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Parameter {
    /// A readable form of the path, for column names and axes: without the
    /// leading `model.` and with names and positions as plain steps
    /// (`ports["Lukeville"].lanes` → `ports.Lukeville.lanes`), so a column
    /// needs no quoting and an axis title no brackets.
    pub fn name(&self) -> String {
        let Ok(parsed) = crate::scenario::path::ScenarioPath::parse(&self.path) else {
            return self.path.clone();
        };
        let mut steps = parsed.steps.iter().peekable();
        if let Some(Step::Field(f)) = steps.peek()
            && f == "model"
            && parsed.steps.len() > 1
        {
            steps.next();
        }
        steps
            .map(|s| match s {
                Step::Field(f) | Step::Named(f) => f.clone(),
                Step::Index(i) => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The title of the parameter on a chart: its label, else its
    /// [`Parameter::name`].
    pub fn title(&self) -> String {
        if self.label.is_empty() {
            self.name()
        } else {
            self.label.clone()
        }
    }
}

/// Column names of the parameters in the sweep tables: each one's
/// [`Parameter::name`], or its full path where two names would be the same.
pub fn column_names(params: &[Parameter]) -> Vec<String> {
    let names: Vec<String> = params.iter().map(Parameter::name).collect();
    names
        .iter()
        .zip(params)
        .map(|(n, p)| {
            if names.iter().filter(|m| *m == n).count() > 1 {
                p.path.clone()
            } else {
                n.clone()
            }
        })
        .collect()
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
    /// Base samples N of a Sobol design (absent for the other designs).
    #[serde(default, skip_serializing_if = "is_zero")]
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
    /// Sobol indices with their 95% bootstrap intervals per KPI (in
    /// parameter order), for a Sobol design.
    pub sobol: Option<Vec<Vec<SobolCi>>>,
}

/// Columns of `sensitivity.csv` after `scenario,seed,kpi,parameter`.
const SOBOL_COLUMNS: [&str; 6] = [
    "first_order",
    "first_order_low",
    "first_order_high",
    "total_order",
    "total_order_low",
    "total_order_high",
];

/// A CSV table of a sweep folder being read: its rows, where its wanted
/// columns are, and its name for messages.
struct Table {
    reader: csv::Reader<std::fs::File>,
    at: Vec<usize>,
    file: String,
}

impl Table {
    /// Opens the table `name` of `dir` and finds each column of `wanted` by
    /// its header.
    fn open(dir: &Path, name: &str, wanted: &[&str]) -> Result<Self> {
        let path = dir.join(name);
        let file = shown(&path.display().to_string());
        let mut reader = csv::Reader::from_reader(crate::input::open_regular(&path)?);
        let headers = reader
            .headers()
            .map_err(|e| not_a_table(&file, e.to_string()))?
            .clone();
        let at = wanted
            .iter()
            .map(|w| {
                headers
                    .iter()
                    .position(|h| h == *w)
                    .ok_or_else(|| not_a_table(&file, format!("no column \"{w}\"")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { reader, at, file })
    }
}

/// The error for a table of `file` that borderflow did not write.
fn not_a_table(file: &str, what: String) -> Error {
    Error::Scenario {
        file: file.to_string(),
        message: format!("not a sweep table written by borderflow: {}", shown(&what)),
    }
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
        let mut wanted = vec!["point", "kpi"];
        wanted.extend(Summary::CSV_HEADER.split(','));
        let Table {
            mut reader,
            at,
            file,
        } = Table::open(dir, "sweep_summary.csv", &wanted)?;
        let bad = |what: String| not_a_table(&file, what);
        let mut kpis: Vec<String> = Vec::new();
        let mut summaries = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let row = row.map_err(|e| bad(e.to_string()))?;
            let field = |k: usize| row.get(at[k]).unwrap_or("");
            // The first point's rows name the KPIs, in order.
            if field(0) == "0" {
                kpis.push(field(1).to_string());
            }
            let v: Vec<f64> = (2..at.len())
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
            Some(read_sobol(dir, &plan, kpis.len())?)
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

    /// One line per Sobol index whose total order is below its first order
    /// beyond its interval ([`SobolCi::total_below_first`]): the KPI, the
    /// parameter and the warning, for the terminal.
    pub fn warnings(&self) -> Vec<String> {
        let Some(sobol) = &self.sobol else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (kpi, indices) in self.kpis.iter().zip(sobol) {
            for (p, s) in self.plan.parameters.iter().zip(indices) {
                if s.total_below_first() {
                    let note = s.note();
                    let what = note.trim_start_matches("warning: ");
                    out.push(format!(
                        "warning: Sobol indices of {kpi} for {}: {what}",
                        p.title()
                    ));
                }
            }
        }
        out
    }
}

/// Reads `sensitivity.csv`: the indices of `kpis` KPIs, parameter-minor.
fn read_sobol(dir: &Path, plan: &SweepPlan, kpis: usize) -> Result<Vec<Vec<SobolCi>>> {
    let Table {
        mut reader,
        at,
        file,
    } = Table::open(dir, "sensitivity.csv", &SOBOL_COLUMNS)?;
    let bad = |what: String| not_a_table(&file, what);
    let mut all: Vec<Vec<SobolCi>> = vec![Vec::new(); kpis];
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| bad(e.to_string()))?;
        // Empty (not a number) where the output did not vary.
        let num = |j: usize| {
            row.get(at[j])
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        let estimate = |j: usize| Estimate {
            value: num(j),
            low: num(j + 1),
            high: num(j + 2),
        };
        let k = i / plan.parameters.len().max(1);
        if let Some(list) = all.get_mut(k) {
            list.push(SobolCi {
                first: estimate(0),
                total: estimate(3),
            });
        }
    }
    if all.iter().any(|l| l.len() != plan.parameters.len()) {
        return Err(bad(format!(
            "not {} rows per KPI for {kpis} KPIs",
            plan.parameters.len()
        )));
    }
    Ok(all)
}

/// Writes the sweep tables from a complete batch folder, each row led by the
/// sweep's name and seed (`scenario,seed`, so the tables of several sweeps
/// concatenate and join) and the point with its parameter values (columns
/// named by [`column_names`]): unless `--records none`, `sweep.csv` or
/// `sweep.parquet` as the records' format (`…,replication,kpi,value`: every
/// replication's KPIs, `replication` counted within the point, see
/// [`SweepTable`]), `sweep_summary.csv` (per point and KPI: mean, 95% CI, quantiles) and,
/// for a Sobol design, `sensitivity.csv` (first- and total-order indices
/// per KPI and parameter with 95% bootstrap intervals, and a `note` that
/// warns where a total order is below its first order).
///
/// The per-replication table holds the values of the batch's raw KPI
/// records (`kpis.*`, where replication r of point p is p × R + r), which
/// the runner removes once this is written: a finished sweep keeps one of
/// the two.
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
    let param_cols: Vec<String> = column_names(&plan.parameters)
        .iter()
        .map(|c| csv_field(c))
        .collect();
    let lead = format!("{},{}", csv_field(&header.scenario), header.seed);
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
    let mut rows = Vec::new();
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
            acc[point * nk + k].push(*value);
        }
        // Points and replications within a point fit in u32: the batch has
        // at most u32::MAX replications.
        rows.push(SweepRow {
            point: point as u32,
            replication: (task % reps) as u32,
            values,
        });
    }
    reader.expect_end()?;
    if header.records >= Detail::Kpis {
        let table = SweepTable {
            scenario: header.scenario.clone(),
            seed: header.seed,
            columns: column_names(&plan.parameters),
            points: plan.points.clone(),
            kpis: kpi_names.clone(),
            rows,
        };
        let file = SweepTable::file(header.format);
        write_atomic(&dir.join(file), &table.encoded(header.format)?)?;
    }
    let mut summary = format!(
        "scenario,seed,point,{},kpi,{}\n",
        param_cols.join(","),
        Summary::CSV_HEADER
    );
    let mut summaries = Vec::with_capacity(plan.points.len() * nk);
    for (p, cols) in point_cols.iter().enumerate() {
        for (j, name) in kpi_names.iter().enumerate() {
            let s = acc[p * nk + j].summary();
            summaries.push(s);
            summary.push_str(&format!(
                "{lead},{p},{cols},{},{}\n",
                csv_field(name),
                s.csv_fields()
            ));
        }
    }
    write_atomic(&dir.join("sweep_summary.csv"), summary.as_bytes())?;
    let sobol = if plan.design == Design::Sobol {
        let (text, all) = sensitivity_table(&plan, &kpi_names, &summaries, &lead, header.seed);
        write_atomic(&dir.join("sensitivity.csv"), text.as_bytes())?;
        Some(all)
    } else {
        None
    };
    Ok(SweepTables {
        plan,
        kpis: kpi_names,
        summaries,
        sobol,
    })
}

/// The Sobol indices of every KPI from the point means, with bootstrap
/// intervals drawn from the stream "sobol-bootstrap <kpi>" of `seed` (one
/// per KPI, so a KPI's intervals do not depend on which others the sweep
/// keeps), and `sensitivity.csv`'s text; each row led by `lead`.
fn sensitivity_table(
    plan: &SweepPlan,
    kpis: &[String],
    summaries: &[Summary],
    lead: &str,
    seed: u64,
) -> (String, Vec<Vec<SobolCi>>) {
    let (n, kp, nk) = (plan.sobol_n, plan.parameters.len(), kpis.len());
    let names = column_names(&plan.parameters);
    let mut out = format!(
        "scenario,seed,kpi,parameter,{},note\n",
        SOBOL_COLUMNS.join(",")
    );
    // Empty for NaN (an output that does not vary), as pandas reads it.
    let num = |v: f64| {
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    let mut all = Vec::with_capacity(nk);
    for (j, kpi) in kpis.iter().enumerate() {
        let y: Vec<f64> = (0..plan.points.len())
            .map(|p| summaries[p * nk + j].mean)
            .collect();
        let mut rng = crate::rng::stream(seed, 0, &format!("sobol-bootstrap {kpi}"));
        let idx = crate::sensitivity::sobol_with_ci(&y, n, kp, &mut rng);
        for (name, s) in names.iter().zip(&idx) {
            let values = [s.first, s.total]
                .iter()
                .flat_map(|e| [e.value, e.low, e.high])
                .map(num)
                .collect::<Vec<_>>()
                .join(",");
            out.push_str(&format!(
                "{lead},{},{},{values},{}\n",
                csv_field(kpi),
                csv_field(name),
                csv_field(&s.note())
            ));
        }
        all.push(idx);
    }
    (out, all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;
    use rand::RngExt;

    fn parameter(path: &str, label: &str) -> Parameter {
        Parameter {
            path: path.into(),
            label: label.into(),
            integer: false,
            values: Vec::new(),
            min: 0.0,
            max: 1.0,
            steps: 0,
            base: 0.5,
        }
    }

    /// Readable names drop `model.` and the quotes and brackets of a path;
    /// a label, when given, titles the parameter; two paths that read the
    /// same keep their full paths as columns.
    #[test]
    fn parameters_are_named_readably() {
        let p = parameter("model.ports[\"Lukeville\"].lanes", "");
        assert_eq!(p.name(), "ports.Lukeville.lanes");
        assert_eq!(p.title(), "ports.Lukeville.lanes");
        let q = parameter(
            "model.mexico.enforcement_personnel",
            "Enforcement [persons]",
        );
        assert_eq!(q.name(), "mexico.enforcement_personnel");
        assert_eq!(q.title(), "Enforcement [persons]");
        let same = [
            parameter("model.a[\"3\"].x", ""),
            parameter("model.a[3].x", ""),
        ];
        assert_eq!(column_names(&same), ["model.a[\"3\"].x", "model.a[3].x"]);
    }

    /// Point means whose f(AB_1) = f(A) + f(B) (see the sensitivity module's
    /// test: S_1 ≈ 1, ST_1 ≈ 0.5) make `sensitivity.csv` carry the
    /// warning in its note column, its intervals hold their estimates, and
    /// the terminal gets one warning line naming the KPI and parameter.
    #[test]
    fn total_below_first_is_noted_in_the_table() {
        let n = 400;
        let mut rng = stream(3, 0, "test");
        let a: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let b: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
        let ab: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y - 0.5).collect();
        let y = [a, b, ab].concat();
        let plan = SweepPlan {
            design: Design::Sobol,
            parameters: vec![parameter("model.servers", "Servers")],
            points: y.iter().map(|_| vec![0.5]).collect(),
            replications: 1,
            sobol_n: n,
        };
        let summaries: Vec<Summary> = y
            .iter()
            .map(|&v| {
                let mut acc = Accumulator::default();
                acc.push(v);
                acc.summary()
            })
            .collect();
        let kpis = vec!["wait".to_string()];
        let (text, all) = sensitivity_table(&plan, &kpis, &summaries, "s,1", 1);
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let header = rows.headers().unwrap().clone();
        let row = rows.records().next().unwrap().unwrap();
        let col = |name: &str| {
            row.get(header.iter().position(|h| h == name).unwrap())
                .unwrap()
        };
        assert!(col("note").starts_with("warning: total order"), "{text}");
        assert_eq!(col("parameter"), "servers");
        for e in ["first_order", "total_order"] {
            let v = |suffix: &str| col(&format!("{e}{suffix}")).parse::<f64>().unwrap();
            assert!(v("_low") <= v("") && v("") <= v("_high"), "{text}");
        }
        let tables = SweepTables {
            plan,
            kpis,
            summaries,
            sobol: Some(all),
        };
        let warnings = tables.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("warning: Sobol indices of wait for Servers: total order"),
            "{warnings:?}"
        );
    }
}
