//! Reading the scenario a command runs: the file (or the embedded
//! baseline), `--set` overrides, the check that it is a scenario and not a
//! sweep or calibration file, and the warning for whole-period changes.

use std::path::PathBuf;

use super::{EMBEDDED_LABEL, EMBEDDED_SCENARIO};
use crate::error::{Error, Result};
use crate::scenario::{Origin, Scenario};

/// Loads the scenario at `path` (the embedded one without), applies the
/// `--set PATH=VALUE` overrides in order, then validates it. A bad override
/// is an input error naming `--set` and the path (exit code 2).
pub fn load_with_overrides(path: Option<&PathBuf>, sets: &[String]) -> Result<Scenario> {
    // As `Scenario::from_file` and `from_text` do, with the overrides
    // applied between reading and validating.
    let (mut loaded, label) = match path {
        Some(p) => (
            crate::scenario::source::load_file_with_sources(p)?,
            p.display().to_string(),
        ),
        None => (
            crate::scenario::source::load_text_with_sources(
                EMBEDDED_SCENARIO,
                &Origin {
                    label: EMBEDDED_LABEL.into(),
                    dir: None,
                },
            )?,
            EMBEDDED_LABEL.to_string(),
        ),
    };
    let value = &mut loaded.value;
    let kind = crate::scenario::source::FileKind::of(value);
    if kind != crate::scenario::source::FileKind::Scenario {
        return Err(Error::Scenario {
            file: crate::input::shown(&label),
            message: format!(
                "this is a {} file, not a scenario: run it with `borderflow {} {}`",
                kind.noun(),
                kind.command(),
                crate::input::shown(&label)
            ),
        });
    }
    // Each `--set` parsed once: applied here, then its path kept for the
    // locations (no file holds it) and, for a number, for the warning.
    let mut problems = Vec::new();
    let mut cli_paths = Vec::new();
    let mut cli_numbers = Vec::new();
    for set in sets {
        let applied = parse_set(set).and_then(|(at, v)| {
            let number = matches!(v, ron::Value::Number(_));
            crate::scenario::source::set_path(value, &at, v)
                .map(|()| (at.clone(), number))
                .map_err(|why| crate::error::Problem {
                    path: crate::input::shown(&at),
                    message: why,
                    at: None,
                })
        });
        match applied {
            Ok((at, number)) => {
                if number {
                    cli_numbers.push(at.clone());
                }
                cli_paths.push(at);
            }
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid {
            file: format!("--set (on {})", crate::input::shown(&label)),
            problems,
        });
    }
    // A what-if's own `set` keys: those of the given file, not its bases'.
    let mut changed: Vec<String> = match (path, loaded.files.first()) {
        (Some(_), Some(own)) => crate::scenario::source::own_parameter_sets(&own.text),
        _ => Vec::new(),
    };
    // The label stays the file's path: it is also the source an output
    // folder must never replace.
    let scn = Scenario::from_loaded(loaded, &label, &cli_paths)?;
    changed.extend(cli_numbers);
    warn_whole_period(&scn, &changed);
    Ok(scn)
}

/// Warns (stderr; not an error) for each of `paths` that changes a model
/// parameter for the whole period of a scenario fitted to observed data:
/// the fit months change too, which is rarely what a what-if means.
fn warn_whole_period(scn: &Scenario, paths: &[String]) {
    use crate::scenario::Role;
    let fitted = scn
        .observed
        .iter()
        .filter(|o| o.role == Role::Fit)
        .flat_map(|o| o.monthly.iter().map(|m| m.0));
    let (Some(first), Some(last)) = (fitted.clone().min(), fitted.max()) else {
        return;
    };
    for p in crate::scenario::source::whole_period_sets(paths) {
        eprintln!(
            "warning: {}: `{p}` is changed for the whole period {} – {}, including the months \
             the scenario was fitted to ({} – {}); to change it from a date, use an \
             intervention with `from`/`until` (see docs/reference.md)",
            crate::input::shown(&scn.source),
            scn.calendar.start,
            scn.calendar.end(),
            first.format("%b %Y"),
            last.format("%b %Y"),
        );
    }
}

/// One `--set PATH=VALUE`: the path and the value (RON; a bare word or
/// anything that is not RON is taken as a string).
pub(crate) fn parse_set(
    set: &str,
) -> std::result::Result<(String, ron::Value), crate::error::Problem> {
    let Some((at, text)) = set.split_once('=') else {
        return Err(crate::error::Problem {
            path: crate::input::shown(set),
            message: "expected PATH=VALUE, e.g. model.servers=12".into(),
            at: None,
        });
    };
    let (at, text) = (at.trim(), text.trim());
    // A bare word (`tuned`) reads in RON as a unit value: take it, like
    // anything that is not RON, as a string.
    let v = match ron::from_str::<ron::Value>(text) {
        Ok(ron::Value::Unit) if text != "()" => ron::Value::String(text.into()),
        Ok(v) => v,
        Err(_) => ron::Value::String(text.into()),
    };
    Ok((at.to_string(), v))
}

/// Loads the scenario at `path`, or the embedded one.
pub fn load_scenario(path: Option<&PathBuf>) -> Result<Scenario> {
    load_with_overrides(path, &[])
}
