//! A quick end-to-end check of scenario text: load, validate and, if valid,
//! run a short replication with every invariant checked. The fuzz target
//! (`fuzz/`) and the corpus replay test call it on arbitrary input; it must
//! return an error for bad input and never panic.

use ron::Value;

use super::{Origin, Scenario, source};
use crate::error::{Error, Result};

/// Days simulated by [`smoke`]: enough for every kind of event to happen,
/// short enough for a fuzzer to try many inputs a second.
pub const SMOKE_DAYS: i64 = 10;

/// The resolved scenario `v` ending on `end` instead, without the
/// interventions that would start after it (validation refuses those as
/// never applying): any list element under `model` whose `from` is a date
/// after `end` is dropped.
pub fn cut_horizon(mut v: Value, end: chrono::NaiveDate) -> Result<Value, String> {
    source::set_path(&mut v, "end", Value::String(end.to_string()))?;
    if let Value::Map(root) = &mut v
        && let Some(Value::Map(model)) = root.get_mut(&Value::String("model".into()))
    {
        for (_, field) in model.iter_mut() {
            if let Value::Seq(items) = field {
                items.retain(|item| match item {
                    Value::Map(m) => match m.get(&Value::String("from".into())) {
                        // Only dates count: a leg's `from` is a place.
                        Some(Value::String(from)) => {
                            crate::calendar::parse_date(from).is_none_or(|d| d <= end)
                        }
                        _ => true,
                    },
                    _ => true,
                });
            }
        }
    }
    Ok(v)
}

/// Loads `text` as a scenario (no `extend`, since it is not a file), and if it
/// is valid runs replication 0 over its first [`SMOKE_DAYS`] days with
/// invariant checks. An invariant violation is an error like any other.
pub fn smoke(text: &str) -> Result<()> {
    let origin = Origin {
        label: "<fuzz input>".into(),
        dir: None,
    };
    let scn = Scenario::from_text(text, &origin)?;
    let end = scn
        .calendar
        .date((SMOKE_DAYS - 1).max(0) as u32)
        .min(scn.calendar.end());
    let v = cut_horizon(scn.resolved.clone(), end).map_err(Error::Other)?;
    let short = Scenario::from_value(v, &origin.label)?;
    let rep = short.experiment().replicate_checked(short.seed, 0);
    crate::montecarlo::check_violations(0, &rep)
}
