//! borderflow's integration tests, one binary with a module per concern.

mod architecture;
mod batch;
mod border;
mod briefing;
mod calibrate;
mod calibration_report;
mod cli;
mod compare;
mod determinism;
mod enforcement;
mod engine;
mod posterior;
mod progress;
mod records;
mod reference;
mod report;
mod safety;
mod scenarios;
mod scorecard;
mod surrender;
mod sweep;
mod toy;
mod transport;

/// The `model.interventions` list of a resolved scenario value, to add to
/// before validating (a test's what-if built in code).
pub fn interventions(value: &mut ron::Value) -> &mut Vec<ron::Value> {
    let ron::Value::Map(root) = value else {
        panic!("a scenario is a struct")
    };
    let Some(ron::Value::Map(model)) = root.get_mut(&ron::Value::String("model".into())) else {
        panic!("the scenario has a model section")
    };
    match model.get_mut(&ron::Value::String("interventions".into())) {
        Some(ron::Value::Seq(list)) => list,
        _ => panic!("the scenario has interventions"),
    }
}
