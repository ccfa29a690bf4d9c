//! borderflow's integration tests, one binary with a module per concern.

mod architecture;
mod batch;
mod border;
mod briefing;
mod calibrate;
mod calibrated_whatifs;
mod calibration_report;
mod cli;
mod compare;
mod containment;
mod departures;
mod determinism;
mod deterrence;
mod enforcement;
mod engine;
mod families;
mod hindcast;
mod origins;
mod posterior;
mod progress;
mod records;
mod reference;
mod report;
mod safety;
mod scenarios;
mod scorecard;
mod stock;
mod surrender;
mod sweep;
mod toy;
mod transport;

use std::path::Path;

/// Scenario file `file` (from the crate root) resolved and cut to end on
/// `end` (year, month, day), its interventions after that dropped: a short
/// horizon for a fast test.
pub fn cut_to(file: &str, (y, m, d): (i32, u32, u32)) -> ron::Value {
    use borderflow::scenario::smoke::cut_horizon;
    use borderflow::scenario::source::load_file;
    let end = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    cut_horizon(load_file(Path::new(file)).unwrap(), end).unwrap()
}

/// The KPI means (name, mean) of `replications` replications of `scn` with
/// its seed, on one thread, without charts.
pub fn kpi_means(scn: &borderflow::Scenario, replications: u32) -> Vec<(String, f64)> {
    use borderflow::runner::{RunOptions, run};
    let tmp = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        replications: Some(replications),
        out: Some(tmp.path().join("run")),
        threads: Some(1),
        progress: false,
        ..RunOptions::default()
    };
    let out = run(scn, &opts, None).unwrap();
    out.kpis.iter().map(|(k, s)| (k.clone(), s.mean)).collect()
}

/// KPI `name` of [`kpi_means`]' result.
pub fn kpi(kpis: &[(String, f64)], name: &str) -> f64 {
    kpis.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no KPI {name}"))
        .1
}

/// The `model` section of a resolved scenario value, to change before
/// validating (a test's what-if built in code).
pub fn model_section(value: &mut ron::Value) -> &mut ron::Map {
    let ron::Value::Map(root) = value else {
        panic!("a scenario is a struct")
    };
    let Some(ron::Value::Map(model)) = root.get_mut(&ron::Value::String("model".into())) else {
        panic!("the scenario has a model section")
    };
    model
}

/// The `model.interventions` list of a resolved scenario value, to add to
/// before validating.
pub fn interventions(value: &mut ron::Value) -> &mut Vec<ron::Value> {
    match model_section(value).get_mut(&ron::Value::String("interventions".into())) {
        Some(ron::Value::Seq(list)) => list,
        _ => panic!("the scenario has interventions"),
    }
}

/// A paired difference (what-if − base) of one KPI: its mean and 95% CI, as
/// `compare` reports them.
#[derive(Debug, Clone, Copy)]
pub struct Effect {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The paired differences (what-if − `base`, common random numbers) of
/// `kpis`, from `replications` replications without charts: the elasticity
/// tests' measurement.
pub fn paired_effects(
    base: &borderflow::Scenario,
    whatif: &borderflow::Scenario,
    replications: u32,
    kpis: &[&str],
) -> Vec<Effect> {
    paired_effects_with(base, whatif, replications, kpis, None)
}

impl Effect {
    /// The effect of paired values (what-if − base, replication by
    /// replication), with the interval `compare` gives (Student t over the
    /// differences, `borderflow::stats`).
    pub fn paired(whatif: &[f64], base: &[f64]) -> Self {
        let mut acc = borderflow::stats::Accumulator::default();
        for (w, b) in whatif.iter().zip(base) {
            acc.push(w - b);
        }
        let s = acc.summary();
        Effect {
            mean: s.mean,
            low: s.ci95_low,
            high: s.ci95_high,
        }
    }
}

/// [`paired_effects`], each replication (both arms alike) drawing its
/// parameters from `posterior` when given, so the intervals hold parameter
/// uncertainty too.
pub fn paired_effects_with(
    base: &borderflow::Scenario,
    whatif: &borderflow::Scenario,
    replications: u32,
    kpis: &[&str],
    posterior: Option<&Path>,
) -> Vec<Effect> {
    use borderflow::compare::{CompareOptions, compare};
    use borderflow::runner::RunOptions;
    let tmp = tempfile::tempdir().unwrap();
    let posterior = posterior
        .map(|p| std::sync::Arc::new(borderflow::posterior::Posterior::from_path(p).unwrap()));
    let opts = CompareOptions {
        run: RunOptions {
            replications: Some(replications),
            out: Some(tmp.path().join("c")),
            progress: false,
            posterior,
            ..RunOptions::default()
        },
        ..CompareOptions::default()
    };
    let out = compare(base, std::slice::from_ref(whatif), &opts, None).unwrap();
    kpis.iter()
        .map(|name| {
            let k = out
                .kpis
                .iter()
                .find(|k| k.kpi == *name && k.whatif == whatif.name)
                .unwrap_or_else(|| panic!("no KPI {name} for {}", whatif.name));
            Effect {
                mean: k.difference.mean,
                low: k.difference.ci95_low,
                high: k.difference.ci95_high,
            }
        })
        .collect()
}
