//! Parameter sweeps: a base scenario, parameters named by scenario path, a
//! design (full grid, Latin hypercube, one-at-a-time, Sobol/Saltelli), and
//! replications at every point.
//!
//! ```ron
//! (
//!     name: "mmc-capacity",
//!     base: "../mmc.ron",                  // relative to this file
//!     design: "grid",                      // "grid" | "lhs" | "oat" | "sobol"
//!     points: 16,                          // lhs: points; sobol: base samples N
//!     parameters: [
//!         (path: "model.servers", values: [10, 11, 12], label: "Servers"),
//!         (path: "model.service_rate_per_hour", min: 0.95, max: 1.2, steps: 6),
//!     ],
//!     replications: 10,                    // per point
//!     kpis: ["mean_wait_min", "p_wait",    // the outputs; default: all
//!            (name: "served_feb", metric: "served", from: "2024-02-01",
//!             to: "2024-02-29", aggregate: "sum")],
//! )
//! ```
//!
//! A parameter gives explicit `values` (grid, one at a time) or a range
//! `min`, `max` (with `steps` evenly spaced values for a grid or one at a
//! time; sampled by lhs and sobol); its optional `label` titles its chart
//! axes (default: the path without `model.`). `sweep.json` echoes each
//! parameter as the design used it.
//!
//! An entry of `kpis` is either the name of a KPI of the base scenario (its
//! model's or its own) or a new KPI written as in a scenario
//! ([`crate::scenario::kpis`]): new ones are added to the base scenario (and
//! so saved in `base.ron`) and are outputs of the sweep like the named ones.
//!
//! A sweep runs as one batch of points × replications through the same
//! machinery as `run` (so sharding, `merge`, Ctrl-C and `--resume` work the
//! same way). Every point uses the same seed, so replication r of every
//! point shares its random numbers: response curves are then smooth in the
//! parameter rather than jagged by sampling noise.
//!
//! Every point's scenario is validated when the sweep loads, so a bad point
//! is reported before anything runs, and then dropped: a point's scenario is
//! built again for each of its replications as it runs. Why: a point of the
//! border baseline holds about 220 KB, so holding every point of a
//! 5,000-point design took over a gigabyte before the first replication.
//! Building a point takes about 2 ms against 2.6 s for one of its
//! replications (4 µs against 1.4 ms, 0.3%, on the M/M/c model), so memory
//! stays at the points in flight for next to no time.

mod design;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use ron::Value;
use serde::Deserialize;

use crate::error::{Error, Problem, Result};
use crate::input::{MAX_INPUT_BYTES, read_text, shown};
use crate::metrics::{DailySeries, KpiSpec, MetricSpec};
use crate::montecarlo::{Experiment, Replication};
use crate::output::check_name;
use crate::results::run::RunHeader;
use crate::scenario::path::{ScenarioPath, Step, suggest};
use crate::scenario::{Checks, Scenario, source};

pub use crate::results::sweep::{Design, Parameter, SweepPlan};

/// Most points a sweep may have; guards against a grid that multiplies out
/// to more work than anyone meant.
pub const MAX_POINTS: usize = 1_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: String,
    #[serde(default)]
    description: String,
    base: String,
    design: String,
    #[serde(default)]
    points: u32,
    parameters: Vec<RawParameter>,
    #[serde(default = "default_replications")]
    replications: u32,
    #[serde(default)]
    seed: Option<u64>,
    /// Names of KPIs, or KPIs to add: read entry by entry.
    #[serde(default)]
    kpis: Vec<Value>,
}

fn default_replications() -> u32 {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    path: String,
    /// How charts and tables title the parameter (default: its path).
    #[serde(default)]
    label: String,
    #[serde(default)]
    values: Vec<f64>,
    // Plain numbers with NaN for "not given": RON would need `Some(1.0)` for
    // an `Option`, which nobody should have to write in a sweep file.
    #[serde(default = "absent")]
    min: f64,
    #[serde(default = "absent")]
    max: f64,
    #[serde(default)]
    steps: u32,
}

fn absent() -> f64 {
    f64::NAN
}

/// Values the command line puts in place of a sweep file's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Replications per point.
    pub replications: Option<u32>,
    /// Master seed (also of the random designs' points).
    pub seed: Option<u64>,
}

/// A validated sweep, ready to run.
pub struct Sweep {
    /// Name (the output folder's).
    pub name: String,
    /// Description.
    pub description: String,
    /// The base scenario.
    pub base: Scenario,
    /// The plan: design, parameters and points.
    pub plan: SweepPlan,
    /// Master seed.
    pub seed: u64,
    /// Indices of the kept KPIs in the base model's KPI list.
    pub kpis: Vec<usize>,
    /// Names of the kept KPIs, in that order.
    pub kpi_names: Vec<String>,
    /// The kept KPIs as the base model declares them, in that order.
    pub kpi_specs: Vec<KpiSpec>,
    /// How messages name the sweep file.
    label: String,
    hash: String,
    source_text: String,
}

impl Sweep {
    /// Loads and validates the sweep file at `path`, including every point's
    /// scenario (each is built, checked and dropped; see the module doc).
    pub fn from_file(path: &Path) -> Result<Self> {
        Self::from_file_with(path, Overrides::default())
    }

    /// [`Sweep::from_file`] with the command line's replications per point
    /// and seed in place of the file's (`sweep -r N -s SEED`). They are part
    /// of the sweep's identity (its hash), as the file's own values are.
    pub fn from_file_with(path: &Path, overrides: Overrides) -> Result<Self> {
        let label = shown(&path.display().to_string());
        let text = read_text(path, MAX_INPUT_BYTES)?;
        let value = source::parse_value(&text, &label)?;
        let mut checks = Checks::default();
        let Some(mut raw) = checks.deserialize::<RawSweep>(value, "") else {
            return Err(checks.into_error(&label));
        };
        if let Some(r) = overrides.replications {
            raw.replications = r;
        }
        if let Some(seed) = overrides.seed {
            raw.seed = Some(seed);
        }
        // The name is the default output folder's: the rule scenarios follow.
        if let Err(why) = check_name(&raw.name) {
            checks.fail("name", why);
        }
        let base_path =
            source::base_beside(path, &raw.base, "sweep").map_err(|p| Error::Invalid {
                file: label.clone(),
                problems: vec![p],
            })?;
        let base_value = source::load_file(&base_path)?;
        let base_label = shown(&base_path.display().to_string());
        let base = Scenario::from_value(base_value, &base_label)?;
        let before = checks.problems.len();
        let SweepKpis {
            mut wanted,
            defined,
        } = split_kpis(raw.kpis, &mut checks);
        let defined_at: Vec<usize> = defined.iter().map(|d| d.0).collect();
        let base = add_kpis(base, defined, &base_label, &mut checks)?;
        if !checks.clean_since(before) {
            // A new KPI that was refused is not also "unknown".
            wanted.retain(|(j, _)| !defined_at.contains(j));
        }
        let base_value = &base.resolved;

        let design = Design::parse(&raw.design);
        if design.is_none() {
            checks.fail(
                "design",
                format!(
                    "unknown design \"{}\"{}",
                    shown(&raw.design),
                    suggest(&raw.design, Design::NAMES.iter().map(|s| s.to_string()))
                ),
            );
        }
        if raw.replications == 0 || raw.replications > 1_000_000 {
            checks.fail("replications", "must be between 1 and 1000000 per point");
        }
        if raw.parameters.is_empty() {
            checks.fail("parameters", "name at least one parameter to vary");
        }
        let mut params = Vec::new();
        // Where each parameter's value is, so that one value named twice
        // (`ports["Lukeville"]` and `ports[3]`) is caught however it is
        // written: each point would set it twice and run only the last.
        let mut locations: Vec<(usize, Vec<Step>)> = Vec::new();
        for (i, p) in raw.parameters.iter().enumerate() {
            if let Some((param, at)) = check_parameter(i, p, design, base_value, &mut checks) {
                if let Some((j, _)) = locations.iter().find(|(_, other)| *other == at) {
                    checks.fail(
                        format!("parameters[{i}].path"),
                        format!(
                            "\"{}\" names the same value as parameters[{j}] (\"{}\"); sweep each value once",
                            shown(&p.path),
                            shown(&raw.parameters[*j].path)
                        ),
                    );
                } else {
                    locations.push((i, at));
                }
                params.push(param);
            }
        }
        let all_kpis = base.experiment().kpis();
        let kpi_names: Vec<String> = all_kpis.iter().map(|k| k.name.clone()).collect();
        let kpis = select_kpis(&wanted, &kpi_names, &mut checks);
        let seed = raw.seed.unwrap_or(base.seed);
        let points_n = raw.points as usize;
        if matches!(design, Some(Design::Lhs) | Some(Design::Sobol)) && points_n < 2 {
            checks.fail("points", "this design needs `points` ≥ 2 (samples to draw)");
        }
        if !checks.problems.is_empty() {
            return Err(checks.into_error(&label));
        }
        let design = design.expect("checked");
        let count = design::count(design, &params, points_n);
        if count == 0 || count > MAX_POINTS as u128 {
            return Err(too_many(&label, count));
        }
        let (points, sobol_n) = design::points(design, &params, points_n, seed);
        if (points.len() as u64) * u64::from(raw.replications) > u64::from(u32::MAX) {
            return Err(Error::Invalid {
                file: label,
                problems: vec![Problem {
                    path: "replications".into(),
                    message: format!(
                        "{} points × {} replications is more than one batch can hold",
                        points.len(),
                        raw.replications
                    ),
                    at: None,
                }],
            });
        }
        check_points(base_value, &params, &points, &label)?;
        // Overrides only when given, so a sweep without them keeps its hash.
        let given = if overrides == Overrides::default() {
            String::new()
        } else {
            format!("{overrides:?}")
        };
        let hash = crate::scenario::sha256_hex(format!("{text}{given}{}", base.hash()).as_bytes());
        Ok(Sweep {
            name: raw.name,
            description: raw.description,
            base,
            plan: SweepPlan {
                design,
                parameters: params,
                points,
                replications: raw.replications,
                sobol_n,
            },
            seed,
            kpi_names: kpis.iter().map(|&k| kpi_names[k].clone()).collect(),
            kpi_specs: kpis.iter().map(|&k| all_kpis[k].clone()).collect(),
            kpis,
            label,
            hash,
            source_text: text,
        })
    }

    /// The batch header: one "replication" per (point, replication) task.
    pub fn header(&self) -> RunHeader {
        RunHeader {
            kind: crate::results::run::JobKind::Sweep,
            borderflow_version: env!("CARGO_PKG_VERSION").into(),
            scenario: self.name.clone(),
            description: self.description.clone(),
            scenario_hash: self.hash.clone(),
            seed: self.seed,
            replications: self.plan.points.len() as u64 * u64::from(self.plan.replications),
            start: self.base.calendar.start.to_string(),
            end: self.base.calendar.end().to_string(),
            days: 0,
            metrics: Vec::new(),
            kpi_specs: self.kpi_specs.clone(),
            format: crate::output::Format::Csv,
            records: crate::output::Detail::Daily,
            posterior: None,
        }
    }

    /// Files saved with the results: the sweep file, the base scenario and
    /// the plan.
    pub fn inputs(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let plan =
            serde_json::to_string_pretty(&self.plan).map_err(|e| Error::Other(e.to_string()))?;
        Ok(vec![
            ("sweep.ron".into(), self.source_text.clone().into_bytes()),
            ("base.ron".into(), self.base.resolved_ron().into_bytes()),
            ("sweep.json".into(), plan.into_bytes()),
        ])
    }

    /// The experiment whose replication t is replication t mod R of point
    /// t div R.
    pub fn experiment(&self) -> SweepExperiment<'_> {
        SweepExperiment { sweep: self }
    }

    /// The experiment of point `k`, built from the base scenario.
    fn point_experiment(&self, k: usize) -> std::result::Result<Box<dyn Experiment>, String> {
        let n = self.plan.points.len();
        let point = self
            .plan
            .points
            .get(k)
            .ok_or_else(|| format!("point {k} asked for; the sweep has {n} points"))?;
        point_scenario(
            &self.base.resolved,
            &self.plan.parameters,
            point,
            &self.label,
            k,
        )
        .map(Scenario::into_experiment)
        .map_err(|e| format!("point {k} was valid when the sweep loaded, and is not now: {e}"))
    }
}

/// The validated scenario of point `k`: the base with each parameter set
/// to the point's value (rounded for a whole-number parameter). The one
/// way a point's scenario is made, both to validate it when the sweep
/// loads and to run it.
fn point_scenario(
    base: &Value,
    params: &[Parameter],
    point: &[f64],
    label: &str,
    k: usize,
) -> Result<Scenario> {
    let mut v = base.clone();
    for (p, x) in params.iter().zip(point) {
        let value = if p.integer {
            Value::Number(ron::Number::from(x.round() as i64))
        } else {
            Value::Number(ron::Number::from(*x))
        };
        // Paths were resolved against the base when the sweep loaded, so
        // this cannot fail.
        let _ = source::set_path(&mut v, &p.path, value);
    }
    Scenario::from_value(v, &format!("{label} point {k}"))
}

fn too_many(label: &str, n: u128) -> Error {
    Error::Invalid {
        file: label.to_string(),
        problems: vec![Problem {
            path: "parameters".into(),
            message: format!("the design has {n} points; allowed: 1 to {MAX_POINTS}"),
            at: None,
        }],
    }
}

fn describe_point(params: &[Parameter], point: &[f64]) -> String {
    params
        .iter()
        .zip(point)
        .map(|(p, x)| format!("{} = {x}", p.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A sweep's `kpis` entries, split.
#[derive(Default)]
struct SweepKpis {
    /// The names of its outputs with their positions in the list (a new
    /// KPI's output is its name).
    wanted: Vec<(usize, String)>,
    /// The new KPIs to add to the base scenario, with their positions.
    defined: Vec<(usize, Value)>,
}

/// Splits the sweep's `kpis` entries into names and new KPIs; an entry
/// that is neither is a problem at `kpis[j]`.
fn split_kpis(entries: Vec<Value>, checks: &mut Checks) -> SweepKpis {
    let mut out = SweepKpis::default();
    for (j, entry) in entries.into_iter().enumerate() {
        match entry {
            Value::String(name) => out.wanted.push((j, name)),
            Value::Map(ref m) => {
                if let Some(Value::String(name)) = m.get(&Value::String("name".into())) {
                    out.wanted.push((j, name.clone()));
                }
                out.defined.push((j, entry));
            }
            _ => checks.fail(
                format!("kpis[{j}]"),
                "give the name of a KPI (\"p_wait\") or a KPI to add \
                 ((name: …, metric: …, aggregate: …))",
            ),
        }
    }
    out
}

/// The base scenario with the sweep's new KPIs (`defined`, with their
/// positions in the sweep's `kpis`) added after its own, each checked
/// against the base's model and KPIs first so a problem names the sweep
/// file's `kpis[j]`; the base as it is when there are none or any is bad
/// (the problems are in `checks`).
fn add_kpis(
    base: Scenario,
    defined: Vec<(usize, Value)>,
    base_label: &str,
    checks: &mut Checks,
) -> Result<Scenario> {
    if defined.is_empty() {
        return Ok(base);
    }
    let exp = base.experiment();
    let before = checks.problems.len();
    let values: Vec<Value> = defined.iter().map(|(_, v)| v.clone()).collect();
    crate::scenario::kpis::check_kpis(
        defined,
        Some(&exp.metrics()),
        &exp.kpi_names(),
        &base.calendar,
        checks,
    );
    drop(exp);
    if !checks.clean_since(before) {
        return Ok(base);
    }
    let mut value = base.resolved;
    if let Value::Map(root) = &mut value {
        let key = Value::String("kpis".into());
        match root.get_mut(&key) {
            Some(Value::Seq(list)) => list.extend(values),
            _ => {
                root.insert(key, Value::Seq(values));
            }
        }
    }
    // Checked above against this very base: valid.
    Scenario::from_value(value, base_label)
}

/// Indices of the KPIs a sweep keeps: all of the base scenario's when it
/// names none, else those named with their positions in `kpis` (each
/// unknown one a problem with a suggestion).
fn select_kpis(
    wanted: &[(usize, String)],
    kpi_names: &[String],
    checks: &mut Checks,
) -> Vec<usize> {
    if wanted.is_empty() {
        (0..kpi_names.len()).collect()
    } else {
        wanted
            .iter()
            .filter_map(|(j, k)| {
                let pos = kpi_names.iter().position(|n| n == k);
                if pos.is_none() {
                    checks.fail(
                        format!("kpis[{j}]"),
                        format!(
                            "the base model has no KPI \"{}\"{}",
                            shown(k),
                            suggest(k, kpi_names.to_vec())
                        ),
                    );
                }
                pos
            })
            .collect()
    }
}

/// Builds, checks and drops every point's scenario, reporting the first 20
/// problems with the point they belong to.
fn check_points(
    base: &Value,
    params: &[Parameter],
    points: &[Vec<f64>],
    label: &str,
) -> Result<()> {
    let mut problems = Vec::new();
    for (k, point) in points.iter().enumerate() {
        match point_scenario(base, params, point, label, k) {
            // Valid; dropped here and built again when the point runs.
            Ok(_) => {}
            Err(Error::Invalid { problems: ps, .. }) => {
                let what = describe_point(params, point);
                problems.extend(ps.into_iter().map(|p| Problem {
                    path: p.path,
                    message: format!("{} (at point {k}: {what})", p.message),
                    at: p.at,
                }));
                if problems.len() >= 20 {
                    break;
                }
            }
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid {
            file: label.to_string(),
            problems,
        });
    }
    Ok(())
}

/// Checks parameter `i` against the base scenario; gives it with the
/// location of its value ([`ScenarioPath::locate`]).
fn check_parameter(
    i: usize,
    p: &RawParameter,
    design: Option<Design>,
    base: &Value,
    checks: &mut Checks,
) -> Option<(Parameter, Vec<Step>)> {
    let at = format!("parameters[{i}]");
    let parsed = match ScenarioPath::parse(&p.path) {
        Ok(sp) => sp,
        Err(e) => {
            checks.fail(format!("{at}.path"), e);
            return None;
        }
    };
    let mut probe = base.clone();
    let (current, location) = match parsed.locate(&mut probe) {
        Ok((v, location)) => (v.clone(), location),
        Err(e) => {
            checks.fail(format!("{at}.path"), format!("\"{}\": {e}", shown(&p.path)));
            return None;
        }
    };
    let Value::Number(n) = current else {
        checks.fail(
            format!("{at}.path"),
            format!(
                "\"{}\" is not a number in the base scenario (it is {}); only numbers can be swept",
                shown(&p.path),
                if current == Value::Unit {
                    "absent".to_string()
                } else {
                    format!("{current:?}")
                }
            ),
        );
        return None;
    };
    let integer = !matches!(n, ron::Number::F32(_) | ron::Number::F64(_));
    let base_value = n.into_f64();
    let before = checks.problems.len();
    // Explicit values replace the range in the designs that step through
    // values; the sampling designs need a range and would ignore values.
    let samples = matches!(design, Some(Design::Lhs) | Some(Design::Sobol));
    let needs_range = design.is_some() && (samples || p.values.is_empty());
    if samples && !p.values.is_empty() {
        checks.fail(
            format!("{at}.values"),
            "this design samples a range: give `min` and `max`, not `values`",
        );
    }
    if needs_range {
        match (p.min, p.max) {
            (lo, hi) if lo.is_finite() && hi.is_finite() && lo < hi => {}
            (lo, hi) if !lo.is_nan() && !hi.is_nan() => {
                checks.fail(&at, "needs finite `min` < `max`")
            }
            _ => checks.fail(
                &at,
                if samples {
                    "this design samples a range: give `min` and `max`"
                } else {
                    "give `values: [...]`, or `min`, `max` and `steps`"
                },
            ),
        }
    }
    if p.values.iter().any(|v| !v.is_finite()) {
        checks.fail(format!("{at}.values"), "must be finite numbers");
    }
    // Steps are used only to cut a range into values (grid, one at a time).
    let steps = match p.steps {
        _ if samples || !p.values.is_empty() => 0,
        0 => 5,
        s => s,
    };
    if steps != 0 && !(2..=10_000).contains(&steps) {
        checks.fail(format!("{at}.steps"), "must be between 2 and 10000");
    }
    (checks.problems.len() == before).then(|| {
        // The range only where the design uses it, so `sweep.json` echoes
        // what the points were made from and nothing else.
        let (min, max) = if needs_range {
            (p.min, p.max)
        } else {
            (f64::NAN, f64::NAN)
        };
        let param = Parameter {
            path: p.path.clone(),
            label: p.label.clone(),
            integer,
            values: p.values.clone(),
            min,
            max,
            steps,
            base: base_value,
        };
        (param, location)
    })
}

/// Runs the points of a sweep as one batch, building each point's
/// experiment when one of its replications runs (see the module doc).
pub struct SweepExperiment<'a> {
    sweep: &'a Sweep,
}

impl Experiment for SweepExperiment<'_> {
    fn metrics(&self) -> Vec<MetricSpec> {
        Vec::new()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        self.sweep.kpi_specs.clone()
    }

    fn run_replication(
        &self,
        seed: u64,
        task: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let replications = u64::from(self.sweep.plan.replications);
        let r = task % replications;
        let point = match self.sweep.point_experiment((task / replications) as usize) {
            Ok(point) => point,
            // Cannot happen: every point was validated when the sweep loaded.
            // Reported as a broken invariant, which stops the batch with the
            // message, rather than as a panic in a worker thread.
            Err(why) => {
                return Some(Replication {
                    daily: DailySeries::new(0, 0),
                    kpis: vec![f64::NAN; self.sweep.kpis.len()],
                    events: 0,
                    violations: vec![why],
                });
            }
        };
        let rep = point.run_replication(seed, r, check, stop)?;
        Some(Replication {
            daily: DailySeries::new(0, 0),
            kpis: self.sweep.kpis.iter().map(|&k| rep.kpis[k]).collect(),
            events: rep.events,
            violations: rep.violations,
        })
    }
}
