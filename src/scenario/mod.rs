//! Scenarios: RON text → merged value → raw serde structs → a validated
//! [`Scenario`] whose ids are resolved and whose values are checked, so the
//! simulation never looks up a name or checks a range.
//!
//! Every scenario has a common header and a `model` section whose `kind`
//! selects the model:
//!
//! ```ron
//! (
//!     name: "mmc",
//!     description: "An M/M/c queue",
//!     start: "2024-01-01",          // first simulated day
//!     end: "2024-04-09",            // last simulated day, included
//!     seed: 42,                     // master seed of every random stream
//!     replications: 20,             // default; `--replications` overrides
//!     observed: [ ... ],            // monthly data to score against (optional)
//!     observed_caravans: [ ... ],   // reported caravan days (optional, see [`caravans`])
//!     kpis: [ ... ],                // user KPIs (optional, see [`kpis`])
//!     model: (kind: "mmc", ...),
//! )
//! ```

pub mod caravans;
pub mod kpis;
pub mod locate;
pub mod path;
pub mod smoke;
pub mod source;

use std::path::Path;

use chrono::NaiveDate;
use ron::Value;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::calendar::{Calendar, check_month};
use crate::error::Result;
pub use crate::model::ModelSpec;
use crate::model::{Registration, register};
use crate::montecarlo::Experiment;
pub use crate::validate::{Checks, Problem};
pub use caravans::ObservedCaravan;
pub use kpis::UserKpi;
pub use source::Origin;

/// Longest accepted horizon [d]: 100 years. Policy questions span months to a
/// few years; a longer horizon is almost certainly a typo in a date.
pub const MAX_HORIZON_DAYS: u32 = 36_525;

/// Most replications accepted in one run.
pub const MAX_REPLICATIONS: u32 = 10_000_000;

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name; also the default output folder's name.
    pub name: String,
    /// What the scenario represents, for reports.
    pub description: String,
    /// The simulated period.
    pub calendar: Calendar,
    /// Master seed of every random stream.
    pub seed: u64,
    /// Default number of replications.
    pub replications: u32,
    /// The model and its validated parameters.
    pub model: ModelSpec,
    /// Observed monthly series to compare with (charts, the scorecard,
    /// calibration).
    pub observed: Vec<ObservedSeries>,
    /// Reported days of real caravans, for the caravans chart.
    pub observed_caravans: Vec<ObservedCaravan>,
    /// KPIs the scenario declares, appended after the model's own by
    /// [`Scenario::experiment`].
    pub kpis: Vec<UserKpi>,
    /// Where the scenario came from, for messages.
    pub source: String,
    /// The fully resolved scenario (after `extend`, `add_*` and `set`).
    pub resolved: Value,
}

/// SHA-256 of `bytes` in lower-case hex: the identity of a scenario, a
/// sweep or a comparison in `summary.json` and shard descriptions.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The models borderflow can run: `model.kind` → validation. The only
/// place that names every model.
pub const MODELS: &[Registration] = &[
    register::<crate::mmc::Mmc>(),
    register::<crate::border::Border>(),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    description: String,
    start: String,
    end: String,
    #[serde(default)]
    seed: u64,
    #[serde(default = "default_replications")]
    replications: u32,
    #[serde(default)]
    observed: Vec<RawObserved>,
    #[serde(default)]
    observed_caravans: Vec<caravans::RawObservedCaravan>,
    /// Read entry by entry ([`kpis::check_kpis`]) so one bad entry does not
    /// hide the problems of the others.
    #[serde(default)]
    kpis: Vec<Value>,
    model: Value,
}

/// An observed monthly series in the scenario, for charts and calibration
/// tables. It is never fed into the simulation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObserved {
    metric: String,
    #[serde(default, deserialize_with = "crate::validate::some")]
    place: Option<String>,
    #[serde(default, deserialize_with = "crate::validate::some")]
    origin: Option<String>,
    #[serde(default)]
    role: Role,
    #[serde(default = "default_weight")]
    weight: f64,
    #[serde(default)]
    source: String,
    monthly: Vec<(String, f64)>,
}

fn default_weight() -> f64 {
    1.0
}

/// What an observed series is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Data the model may be fitted to: a calibration puts it in its
    /// objective.
    #[default]
    Fit,
    /// Data kept out of every fit, only scored: an out-of-sample check.
    Holdout,
}

// Written as a string (`role: "holdout"`): RON's own enum syntax
// (`role: Holdout`) is not what a scenario's author expects.
impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "fit" => Ok(Role::Fit),
            "holdout" => Ok(Role::Holdout),
            other => Err(serde::de::Error::custom(format!(
                "unknown role \"{}\"; one of: fit, holdout",
                crate::input::shown(other)
            ))),
        }
    }
}

impl Role {
    /// The word used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Role::Fit => "fit",
            Role::Holdout => "holdout",
        }
    }
}

/// Observed monthly totals of one metric (e.g. CBP's USBP encounters), shown
/// beside the simulated series; never an input to the model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObservedSeries {
    /// The simulated metric it compares with, e.g. `usbp_apprehensions`.
    pub metric: String,
    /// The place of that metric (a sector, a port), or none for the
    /// national total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The origin group of that metric, or none for all origins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Fitted to, or held out and only scored.
    pub role: Role,
    /// Relative weight in a calibration's objective [×, > 0].
    pub weight: f64,
    /// Where the numbers come from.
    pub source: String,
    /// (first day of month, monthly total) in date order.
    pub monthly: Vec<(NaiveDate, f64)>,
}

fn default_replications() -> u32 {
    20
}

impl Scenario {
    /// Loads and validates the scenario file at `path`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let loaded = source::load_file_with_sources(path)?;
        Self::from_loaded(loaded, &path.display().to_string(), &[])
    }

    /// Loads and validates a scenario given as text (an embedded one).
    pub fn from_text(text: &str, origin: &Origin) -> Result<Self> {
        let loaded = source::load_text_with_sources(text, origin)?;
        Self::from_loaded(loaded, &origin.label, &[])
    }

    /// Validates a scenario as read, with each problem placed at its
    /// `file:line:column` where a file writes it; `cli_sets` are the
    /// scenario paths set on the command line (in no file).
    pub fn from_loaded(loaded: source::Loaded, label: &str, cli_sets: &[String]) -> Result<Self> {
        Self::from_value(loaded.value, label)
            .map_err(|e| locate::annotate(e, &loaded.files, cli_sets))
    }

    /// Validates an already resolved scenario value (after overrides, as in a
    /// sweep); `label` names it in messages.
    pub fn from_value(value: Value, label: &str) -> Result<Self> {
        let mut checks = Checks::default();
        let header: Option<RawHeader> = checks.deserialize(value.clone(), "");
        let Some(h) = header else {
            return Err(checks.into_error(label));
        };
        if let Err(why) = crate::output::check_name(&h.name) {
            checks.fail("name", why);
        }
        let start = checks.date("start", &h.start);
        let end = checks.date("end", &h.end);
        let mut calendar = None;
        if let (Some(s), Some(e)) = (start, end) {
            let days = (e - s).num_days() + 1;
            if days < 1 {
                checks.fail(
                    "end",
                    format!("{e} is before start {s}: the end must be on or after the start"),
                );
            } else if days > i64::from(MAX_HORIZON_DAYS) {
                checks.fail(
                    "end",
                    format!("horizon of {days} days is longer than the limit of {MAX_HORIZON_DAYS} days (100 years)"),
                );
            } else {
                calendar = Some(Calendar::from_dates(s, e));
            }
        }
        if h.replications == 0 || h.replications > MAX_REPLICATIONS {
            checks.fail(
                "replications",
                format!("must be between 1 and {MAX_REPLICATIONS}"),
            );
        }
        let observed = check_observed(&h.observed, &mut checks);
        let observed_caravans = caravans::check(&h.observed_caravans, &mut checks);
        let model = calendar.and_then(|cal| check_model(h.model, &cal, &mut checks));
        let kpis = match calendar {
            Some(cal) if !h.kpis.is_empty() => {
                check_user_kpis(h.kpis, model.as_ref(), &cal, &mut checks)
            }
            _ => Vec::new(),
        };
        match (checks.problems.is_empty(), calendar, model) {
            (true, Some(calendar), Some(model)) => Ok(Scenario {
                name: h.name,
                description: h.description,
                calendar,
                seed: h.seed,
                replications: h.replications,
                model,
                observed,
                observed_caravans,
                kpis,
                source: label.to_string(),
                resolved: value,
            }),
            _ => Err(checks.into_error(label)),
        }
    }

    /// SHA-256 (hex) of the fully resolved scenario in canonical RON: two runs
    /// with the same hash and seed simulate the same thing.
    pub fn hash(&self) -> String {
        sha256_hex(
            ron::to_string(&self.resolved)
                .unwrap_or_default()
                .as_bytes(),
        )
    }

    /// The resolved scenario as pretty RON, saved beside a run's results.
    pub fn resolved_ron(&self) -> String {
        ron::ser::to_string_pretty(&self.resolved, ron::ser::PrettyConfig::default())
            .unwrap_or_default()
    }

    /// The experiment that runs replications of this scenario: the model's,
    /// with the scenario's own KPIs after the model's.
    pub fn experiment(&self) -> Box<dyn Experiment + '_> {
        kpis::WithUserKpis::wrap(self.model.experiment(self.calendar), &self.kpis)
    }

    /// The experiment, taking the model's parameters instead of copying
    /// them: for a scenario built only to be run (a sweep's point).
    pub fn into_experiment(self) -> Box<dyn Experiment> {
        kpis::WithUserKpis::wrap(self.model.into_experiment(self.calendar), &self.kpis)
    }
}

/// Checks the scenario's `kpis` against the metrics and KPIs of its model
/// (`None` when the model did not validate: then only what needs no model
/// is checked, and the rest waits for the model to be fixed).
fn check_user_kpis(
    raw: Vec<Value>,
    model: Option<&ModelSpec>,
    calendar: &Calendar,
    checks: &mut Checks,
) -> Vec<UserKpi> {
    // Building the experiment costs a copy of the parameters; it is built
    // only for a scenario that declares KPIs.
    let exp = model.map(|m| m.experiment(*calendar));
    let metrics = exp.as_ref().map(|e| e.metrics());
    let taken = exp.as_ref().map(|e| e.kpi_names()).unwrap_or_default();
    kpis::check_kpis(
        raw.into_iter().enumerate().collect(),
        metrics.as_deref(),
        &taken,
        calendar,
        checks,
    )
}

fn check_observed(raw: &[RawObserved], checks: &mut Checks) -> Vec<ObservedSeries> {
    let mut out = Vec::new();
    for (i, o) in raw.iter().enumerate() {
        checks.nonempty(format!("observed[{i}].metric"), &o.metric);
        let mut monthly = Vec::new();
        for (j, (month, v)) in o.monthly.iter().enumerate() {
            let path = format!("observed[{i}].monthly[{j}]");
            match check_month(month) {
                Ok(d) => monthly.push((d, *v)),
                Err(why) => checks.fail(&path, why),
            }
            checks.non_negative(path, *v);
        }
        if monthly.windows(2).any(|w| w[0].0 >= w[1].0) {
            checks.fail(
                format!("observed[{i}].monthly"),
                "months must be in increasing order without repeats",
            );
        }
        checks.positive(format!("observed[{i}].weight"), o.weight);
        out.push(ObservedSeries {
            metric: o.metric.clone(),
            place: o.place.clone(),
            origin: o.origin.clone(),
            role: o.role,
            weight: o.weight,
            source: o.source.clone(),
            monthly,
        });
    }
    out
}

/// Validates the `model` section: its `kind` selects the registered model.
fn check_model(value: Value, calendar: &Calendar, checks: &mut Checks) -> Option<ModelSpec> {
    let Value::Map(mut map) = value else {
        checks.fail(
            "model",
            "must be a struct with a `kind`, e.g. `(kind: \"mmc\", …)`",
        );
        return None;
    };
    let kind = match map.remove(&Value::String("kind".into())) {
        Some(Value::String(k)) => k,
        _ => {
            checks.fail(
                "model.kind",
                format!(
                    "missing or not a string; one of: {}",
                    MODELS.iter().map(|m| m.kind).collect::<Vec<_>>().join(", ")
                ),
            );
            return None;
        }
    };
    let rest = Value::Map(map);
    match MODELS.iter().find(|m| m.kind == kind) {
        Some(m) => (m.validate)(rest, calendar, checks),
        None => {
            checks.fail(
                "model.kind",
                format!(
                    "unknown model \"{kind}\"{}",
                    path::suggest(&kind, MODELS.iter().map(|m| m.kind.to_string()))
                ),
            );
            None
        }
    }
}
