//! The calibration file: RON → raw structs → a validated [`Calibration`],
//! every problem listed at once with its path.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use ron::Value;
use serde::Deserialize;

use super::prior::{Bounded, Prior};
use super::targets::{Observed, ShareBy, Target};
use crate::calendar::check_month;
use crate::error::{Error, Problem, Result};
use crate::input::{MAX_INPUT_BYTES, read_text, shown};
use crate::output::check_name;
use crate::scenario::path::{ScenarioPath, Step};
use crate::scenario::{Checks, Role, Scenario, source};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibration {
    name: String,
    #[serde(default)]
    description: String,
    base: String,
    parameters: Vec<RawParameter>,
    #[serde(default)]
    targets: Vec<RawTarget>,
    /// Also take the base scenario's `observed:` series as targets, with
    /// the roles given there; a per-place (per-origin) series is left out
    /// when a share target of its metric by place (origin) fits that split.
    #[serde(default)]
    observed_targets: bool,
    #[serde(default = "one_replication")]
    replications: u32,
    #[serde(default, deserialize_with = "crate::validate::some")]
    seed: Option<u64>,
    method: RawMethod,
    #[serde(default)]
    discrepancy: RawDiscrepancy,
    #[serde(default, deserialize_with = "crate::validate::some")]
    end: Option<String>,
}

fn one_replication() -> u32 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    path: String,
    min: f64,
    max: f64,
    #[serde(default = "uniform")]
    prior: String,
    #[serde(default)]
    label: String,
}

fn uniform() -> String {
    "uniform".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    metric: String,
    #[serde(default, deserialize_with = "crate::validate::some")]
    place: Option<String>,
    #[serde(default, deserialize_with = "crate::validate::some")]
    origin: Option<String>,
    #[serde(default)]
    role: Role,
    #[serde(default = "unit_weight")]
    weight: f64,
    #[serde(default)]
    source: String,
    #[serde(default)]
    monthly: Vec<(String, f64)>,
    /// `place` or `origin`: the target is a breakdown scored as shares.
    #[serde(default, deserialize_with = "crate::validate::some")]
    by: Option<String>,
    #[serde(default)]
    shares: Vec<(String, BTreeMap<String, f64>)>,
}

fn unit_weight() -> f64 {
    1.0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMethod {
    kind: String,
    particles: u32,
    #[serde(default = "half")]
    keep: f64,
    #[serde(default = "one")]
    moves: u32,
    #[serde(default = "five_percent")]
    min_acceptance: f64,
    generations: u32,
}

fn one() -> u32 {
    1
}

fn half() -> f64 {
    0.5
}

fn five_percent() -> f64 {
    0.05
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscrepancy {
    #[serde(default = "ten_percent")]
    relative: f64,
    #[serde(default = "five_percent")]
    shares: f64,
}

fn ten_percent() -> f64 {
    0.10
}

impl Default for RawDiscrepancy {
    fn default() -> Self {
        Self {
            relative: ten_percent(),
            shares: five_percent(),
        }
    }
}

/// One calibrated parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its scenario path, as written.
    pub path: String,
    /// A human label (the path when none was given).
    pub label: String,
    /// Prior and bounds.
    pub bounded: Bounded,
    /// The prior as written.
    pub prior_text: String,
    /// Rounded to a whole number before use (the base holds an integer).
    pub integer: bool,
    /// The base scenario's value.
    pub base_value: f64,
}

impl Parameter {
    /// The value applied to a scenario at sampler-space coordinate `u`.
    pub fn value(&self, u: f64) -> f64 {
        let v = self
            .bounded
            .from_u(u)
            .clamp(self.bounded.min, self.bounded.max);
        if self.integer { v.round() } else { v }
    }

    /// `value` as a RON value of the base's type.
    pub fn ron(&self, v: f64) -> Value {
        if self.integer {
            Value::Number(ron::Number::I64(v.round() as i64))
        } else {
            Value::Number(ron::Number::F64(v.into()))
        }
    }
}

/// The sampler's settings as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Method {
    /// Particles per generation, N.
    pub particles: u32,
    /// Share that survives each generation, α.
    pub keep: f64,
    /// Metropolis–Hastings moves per replenished particle and generation.
    pub moves: u32,
    /// Stop when the acceptance rate falls below this.
    pub min_acceptance: f64,
    /// Most generations after the first.
    pub generations: u32,
}

/// A validated calibration.
pub struct Calibration {
    /// Its name (the default output folder's).
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The base scenario (with `--set` overrides applied).
    pub base: Scenario,
    /// The parameters.
    pub parameters: Vec<Parameter>,
    /// The targets, fit and holdout.
    pub targets: Vec<Target>,
    /// Replications per candidate.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// The sampler.
    pub method: Method,
    /// Stated relative discrepancy of monthly totals [×].
    pub discrepancy: f64,
    /// Stated discrepancy of shares [total variation, 0–1].
    pub share_discrepancy: f64,
    /// Last day the candidates are simulated to: the last fit month's end
    /// (later days cannot change a fit month; see the module doc).
    pub fit_end: NaiveDate,
    /// Last day of the predictive runs: the base's end or the last target
    /// month's, whichever is later, or the file's `end`.
    pub predictive_end: NaiveDate,
    /// The file, for saving and identity.
    pub source_text: String,
    /// How messages name the file.
    pub label: String,
    /// SHA-256 of the file, the base and the overrides: the checkpoint's
    /// identity.
    pub hash: String,
}

impl Calibration {
    /// Last day the candidates are simulated to: one day past the last fit
    /// month (within the predictive period). The extra day is there because
    /// a run's very last day can differ from a longer run's in a few
    /// arrivals (the stream that draws arrival gaps runs ahead into the next
    /// day when there is one); every earlier day is the same.
    pub fn candidate_end(&self) -> NaiveDate {
        self.fit_end
            .succ_opt()
            .filter(|d| *d <= self.predictive_end)
            .unwrap_or(self.predictive_end)
    }
}

/// Loads and validates the calibration at `path`; `sets` are `--set
/// PATH=VALUE` overrides of the base scenario.
pub fn load(path: &Path, sets: &[(String, Value)]) -> Result<Calibration> {
    let label = shown(&path.display().to_string());
    let text = read_text(path, MAX_INPUT_BYTES)?;
    let value = source::parse_value(&text, &label)?;
    let mut checks = Checks::default();
    let Some(raw) = checks.deserialize::<RawCalibration>(value, "") else {
        return Err(checks.into_error(&label));
    };
    if let Err(why) = check_name(&raw.name) {
        checks.fail("name", why);
    }
    let base_path =
        source::base_beside(path, &raw.base, "calibration").map_err(|p| Error::Invalid {
            file: label.clone(),
            problems: vec![p],
        })?;
    let base_label = shown(&base_path.display().to_string());
    let mut base_value = source::load_file(&base_path)?;
    for (at, v) in sets {
        source::set_path(&mut base_value, at, v.clone()).map_err(|why| Error::Invalid {
            file: format!("--set (on {base_label})"),
            problems: vec![Problem {
                path: shown(at),
                message: why,
                at: None,
            }],
        })?;
    }
    let base = Scenario::from_value(base_value, &base_label)?;

    let parameters = check_parameters(&raw.parameters, &base.resolved, &mut checks);
    let mut targets = check_targets(&raw.targets, &mut checks);
    // Index in the base's `observed` of each target taken from it.
    let mut from_base = Vec::new();
    if raw.observed_targets {
        for (i, o) in base.observed.iter().enumerate() {
            // A share target of the metric by place (origin) already fits
            // that split; the base's per-place (per-origin) levels of the
            // same metric would count those months a second time.
            let split = targets.iter().any(|t| match &t.observed {
                Observed::Shares { by, .. } if t.metric == o.metric => match by {
                    ShareBy::Place => o.place.is_some(),
                    ShareBy::Origin => o.origin.is_some(),
                },
                _ => false,
            });
            if !split {
                targets.push(Target::from_observed(o));
                from_base.push(i);
            }
        }
    }
    let method = check_method(&raw.method, &mut checks);
    checks.positive_at_most("discrepancy.relative", raw.discrepancy.relative, 10.0);
    checks.positive_at_most("discrepancy.shares", raw.discrepancy.shares, 1.0);
    if raw.replications == 0 || raw.replications > 1_000 {
        checks.fail("replications", "must be between 1 and 1000 per candidate");
    }
    let end = raw.end.as_deref().and_then(|e| checks.date("end", e));
    let (fit_end, predictive_end) = ends(&targets, &base, end, &mut checks);
    if !checks.problems.is_empty() {
        return Err(checks.into_error(&label));
    }
    // Every target must name a column the model has.
    let metrics = base.experiment().metrics();
    let problems: Vec<Problem> = targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            t.columns(&metrics).err().map(|message| Problem {
                path: if i < raw.targets.len() {
                    format!("targets[{i}]")
                } else {
                    let k = from_base.get(i - raw.targets.len()).copied().unwrap_or(0);
                    format!("observed[{k}] of the base")
                },
                message,
                at: None,
            })
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::Invalid {
            file: label,
            problems,
        });
    }
    let sets_text: String = sets.iter().map(|(a, v)| format!("{a}={v:?};")).collect();
    let hash = crate::scenario::sha256_hex(format!("{text}{sets_text}{}", base.hash()).as_bytes());
    let cal = Calibration {
        name: raw.name,
        description: raw.description,
        base,
        parameters,
        targets,
        replications: raw.replications,
        seed: raw.seed.unwrap_or(0),
        method: method.expect("checked"),
        discrepancy: raw.discrepancy.relative,
        share_discrepancy: raw.discrepancy.shares,
        fit_end: fit_end.expect("checked"),
        predictive_end: predictive_end.expect("checked"),
        source_text: text,
        label,
        hash,
    };
    let seed = raw.seed.unwrap_or(cal.base.seed);
    let cal = Calibration { seed, ..cal };
    check_corners(&cal)?;
    Ok(cal)
}

fn check_parameters(raw: &[RawParameter], base: &Value, checks: &mut Checks) -> Vec<Parameter> {
    if raw.is_empty() {
        checks.fail("parameters", "name at least one parameter to calibrate");
    }
    let mut out = Vec::new();
    let mut locations: Vec<(usize, Vec<Step>)> = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let at = format!("parameters[{i}]");
        let parsed = match ScenarioPath::parse(&p.path) {
            Ok(sp) => sp,
            Err(e) => {
                checks.fail(format!("{at}.path"), e);
                continue;
            }
        };
        let mut probe = base.clone();
        let (current, location) = match parsed.locate(&mut probe) {
            Ok((v, l)) => (v.clone(), l),
            Err(e) => {
                checks.fail(format!("{at}.path"), format!("\"{}\": {e}", shown(&p.path)));
                continue;
            }
        };
        let Value::Number(n) = current else {
            checks.fail(
                format!("{at}.path"),
                format!(
                    "\"{}\" is not a number in the base scenario; only numbers can be calibrated",
                    shown(&p.path)
                ),
            );
            continue;
        };
        if let Some((j, _)) = locations.iter().find(|(_, l)| *l == location) {
            checks.fail(
                format!("{at}.path"),
                format!("names the same value as parameters[{j}]; calibrate each value once"),
            );
            continue;
        }
        locations.push((i, location));
        let prior = match Prior::parse(&p.prior) {
            Ok(pr) => Some(pr),
            Err(e) => {
                checks.fail(format!("{at}.prior"), e);
                None
            }
        };
        if !(p.min.is_finite() && p.max.is_finite() && p.min < p.max) {
            checks.fail(
                format!("{at}.max"),
                format!("need finite min < max, got [{}, {}]", p.min, p.max),
            );
            continue;
        }
        if prior == Some(Prior::LogUniform) && p.min <= 0.0 {
            checks.fail(format!("{at}.min"), "a log_uniform prior needs min > 0");
            continue;
        }
        let Some(prior) = prior else { continue };
        out.push(Parameter {
            path: p.path.clone(),
            label: if p.label.is_empty() {
                p.path.clone()
            } else {
                p.label.clone()
            },
            bounded: Bounded {
                prior,
                min: p.min,
                max: p.max,
            },
            prior_text: p.prior.trim().to_string(),
            integer: !matches!(n, ron::Number::F32(_) | ron::Number::F64(_)),
            base_value: n.into_f64(),
        });
    }
    out
}

fn check_targets(raw: &[RawTarget], checks: &mut Checks) -> Vec<Target> {
    let mut out = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let at = format!("targets[{i}]");
        checks.nonempty(format!("{at}.metric"), &t.metric);
        checks.positive(format!("{at}.weight"), t.weight);
        let month = |c: &mut Checks, field: &str, j: usize, m: &str| match check_month(m) {
            Ok(d) => Some(d),
            Err(why) => {
                c.fail(format!("{at}.{field}[{j}]"), why);
                None
            }
        };
        let observed = match (&t.by, t.monthly.is_empty(), t.shares.is_empty()) {
            (None, false, true) => {
                let mut months = Vec::new();
                for (j, (m, v)) in t.monthly.iter().enumerate() {
                    checks.non_negative(format!("{at}.monthly[{j}]"), *v);
                    if let Some(d) = month(checks, "monthly", j, m) {
                        months.push((d, *v));
                    }
                }
                Observed::Monthly(months)
            }
            (Some(by), true, false) => {
                let by = match by.as_str() {
                    "place" => ShareBy::Place,
                    "origin" => ShareBy::Origin,
                    other => {
                        checks.fail(
                            format!("{at}.by"),
                            format!("\"{}\": one of place, origin", shown(other)),
                        );
                        continue;
                    }
                };
                let groups: Vec<String> = t.shares[0].1.keys().cloned().collect();
                let mut months = Vec::new();
                for (j, (m, amounts)) in t.shares.iter().enumerate() {
                    if amounts.keys().ne(groups.iter()) {
                        checks.fail(
                            format!("{at}.shares[{j}]"),
                            "every month must name the same groups",
                        );
                    }
                    if amounts.values().any(|v| !v.is_finite() || *v < 0.0)
                        || amounts.values().sum::<f64>() <= 0.0
                    {
                        checks.fail(
                            format!("{at}.shares[{j}]"),
                            "amounts must be ≥ 0 with a positive sum",
                        );
                    }
                    if let Some(d) = month(checks, "shares", j, m) {
                        months.push((d, amounts.values().copied().collect()));
                    }
                }
                if groups.len() < 2 {
                    checks.fail(
                        format!("{at}.shares"),
                        "a breakdown needs at least two groups",
                    );
                }
                Observed::Shares { by, groups, months }
            }
            _ => {
                checks.fail(
                    at.clone(),
                    "give either `monthly: [(\"YYYY-MM\", total), …]`, or `by: \"place\"` (or \"origin\") with `shares: [(\"YYYY-MM\", {\"group\": amount, …}), …]`",
                );
                continue;
            }
        };
        let t = Target {
            metric: t.metric.clone(),
            place: t.place.clone(),
            origin: t.origin.clone(),
            role: t.role,
            weight: t.weight,
            source: t.source.clone(),
            observed,
        };
        if t.months().windows(2).any(|w| w[0] >= w[1]) {
            checks.fail(&at, "months must be in increasing order without repeats");
        }
        out.push(t);
    }
    out
}

fn check_method(raw: &RawMethod, checks: &mut Checks) -> Option<Method> {
    if raw.kind != "abc_smc" {
        checks.fail(
            "method.kind",
            format!(
                "unknown method \"{}\"; the one method is \"abc_smc\" (ABC-SMC with MCMC moves)",
                shown(&raw.kind)
            ),
        );
    }
    if raw.particles < 8 || raw.particles > 100_000 {
        checks.fail("method.particles", "must be between 8 and 100000");
    }
    if !(raw.keep > 0.0 && raw.keep < 1.0) {
        checks.fail(
            "method.keep",
            "the share kept each generation must be between 0 and 1 (0.5 is usual)",
        );
    }
    checks.probability("method.min_acceptance", raw.min_acceptance);
    if raw.generations > 1_000 {
        checks.fail("method.generations", "at most 1000");
    }
    if !(1..=100).contains(&raw.moves) {
        checks.fail("method.moves", "must be between 1 and 100");
    }
    let kept = (f64::from(raw.particles) * raw.keep).round() as u32;
    if kept < 4 || kept >= raw.particles {
        checks.fail(
            "method.keep",
            format!(
                "keeps {kept} of {} particles; keep at least 4 and fewer than all",
                raw.particles
            ),
        );
    }
    Some(Method {
        particles: raw.particles,
        keep: raw.keep,
        moves: raw.moves,
        min_acceptance: raw.min_acceptance,
        generations: raw.generations,
    })
}

/// The candidates' last day (the last fit month's end) and the predictive
/// runs' (the later of the base's end and the last target month's end, or
/// `end` when given).
fn ends(
    targets: &[Target],
    base: &Scenario,
    end: Option<NaiveDate>,
    checks: &mut Checks,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let month_end = |m: NaiveDate| {
        m.checked_add_months(chrono::Months::new(1))
            .and_then(|n| n.pred_opt())
    };
    let last = |role: Option<Role>| {
        targets
            .iter()
            .filter(|t| role.is_none_or(|r| t.role == r))
            .filter_map(|t| t.months().last().copied())
            .max()
            .and_then(month_end)
    };
    let Some(fit_end) = last(Some(Role::Fit)) else {
        checks.fail(
            "targets",
            "no target has role \"fit\": nothing to calibrate against",
        );
        return (None, None);
    };
    let start = base.calendar.start;
    if fit_end < start {
        checks.fail(
            "targets",
            format!("every fit month ends before the base scenario starts ({start})"),
        );
    }
    let predictive_end =
        end.unwrap_or_else(|| last(None).unwrap_or(fit_end).max(base.calendar.end()));
    if predictive_end < fit_end {
        checks.fail(
            "end",
            format!("{predictive_end} is before the last fit month ends ({fit_end})"),
        );
    }
    (Some(fit_end.min(predictive_end)), Some(predictive_end))
}

/// Builds the scenario at the lower and the upper corner of the parameter
/// box, so a range the model refuses (a probability above 1) is reported
/// before anything runs, with the parameter's path.
fn check_corners(cal: &Calibration) -> Result<()> {
    for (corner, pick) in [("min", 0usize), ("max", 1usize)] {
        let values: Vec<f64> = cal
            .parameters
            .iter()
            .map(|p| {
                if pick == 0 {
                    p.bounded.min
                } else {
                    p.bounded.max
                }
            })
            .collect();
        if let Err(e) = super::scenario_with(cal, &values, cal.predictive_end) {
            return Err(Error::Invalid {
                file: cal.label.clone(),
                problems: vec![Problem {
                    path: "parameters".into(),
                    message: format!(
                        "the scenario with every parameter at its {corner} is invalid:\n{e}"
                    ),
                    at: None,
                }],
            });
        }
    }
    Ok(())
}
