//! `borderflow list`: intervention kinds, a scenario's ports, sectors, hubs, origins, metrics and KPIs, as aligned tables or Markdown.
//!
//! The text comes from [`crate::border::reference`], which reads the
//! definitions; `list all --format markdown` is `docs/reference.md`, and
//! [`reference_document`] gives the same text to the test that keeps the
//! checked-in file current.

use std::path::PathBuf;

use super::{EMBEDDED_LABEL, load_scenario};
use crate::border::reference::{self, Format, Subject};
use crate::border::{Border, BorderParams};
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// The command that regenerates `docs/reference.md`.
pub const REGENERATE: &str = "borderflow list all --format markdown > docs/reference.md";

/// How the reference names the embedded scenario.
const EMBEDDED_FILE: &str = "scenarios/baseline.ron";

/// What `borderflow list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// Every intervention kind (fields, units, defaults, an example, how
    /// overlapping ones combine), then the scenario's interventions.
    Interventions,
    /// The scenario's ports of entry: lanes, hours, capacity, CBP One share,
    /// pressure trigger.
    Ports,
    /// The scenario's Border Patrol sectors and their ports.
    Sectors,
    /// The scenario's southern hubs and river crossings.
    Hubs,
    /// The scenario's origin groups: entry, base rate, driver.
    Origins,
    /// The daily metrics of the scenario's model: unit, kind, label,
    /// places, origins.
    Metrics,
    /// The KPIs of the scenario's model and its own `kpis`.
    Kpis,
    /// All of the above: the text of docs/reference.md.
    All,
}

/// `borderflow list WHAT [SCENARIO] [--format F]`: prints the reference.
pub fn list_command(what: What, scenario: Option<&PathBuf>, format: Format) -> Result<()> {
    print!("{}", list(what, scenario, format)?);
    Ok(())
}

/// The text `borderflow list` prints for `what` of `scenario` (the
/// embedded baseline without one). Bad input — a missing or invalid file, a
/// section the scenario's model does not have — is an input error (exit 2)
/// naming the file.
pub fn list(what: What, scenario: Option<&PathBuf>, format: Format) -> Result<String> {
    let scn = load_scenario(scenario)?;
    let label = match scenario {
        Some(p) => p.display().to_string(),
        None => EMBEDDED_FILE.to_string(),
    };
    if what == What::Metrics || what == What::Kpis {
        let exp = scn.experiment();
        let (metrics, kpis) = (exp.metrics(), exp.kpis());
        return Ok(match what {
            What::Metrics => {
                reference::metric_kinds().render(format)
                    + "\n"
                    + &reference::metrics(&metrics).render(format)
            }
            _ => {
                reference::aggregates().render(format)
                    + "\n"
                    + &reference::kpis(&kpis, &metrics).render(format)
            }
        });
    }
    let p = border_params(&scn, what, scenario)?;
    let start = first_day(&scn, p);
    Ok(match what {
        What::Interventions => {
            let table = reference::scenario_interventions(p, start).render(format);
            let title = format!("Interventions of {label}");
            reference::interventions(format) + &section(format, &title, &table)
        }
        What::Ports => reference::ports(p).render(format),
        What::Sectors => reference::sectors(p).render(format),
        What::Hubs => reference::hubs(p).render(format),
        What::Origins => reference::origins(p).render(format),
        What::Metrics | What::Kpis | What::All => {
            let exp = scn.experiment();
            let (metrics, kpis) = (exp.metrics(), exp.kpis());
            let subject = Subject {
                label: &label,
                params: p,
                start,
                metrics: &metrics,
                kpis: &kpis,
            };
            reference::document(format, &subject)
        }
    })
}

/// The reference of the embedded baseline in Markdown: what
/// `docs/reference.md` must hold (see [`REGENERATE`]).
pub fn reference_document() -> Result<String> {
    list(What::All, None, Format::Markdown)
}

/// A titled section: a heading and a table.
fn section(format: Format, title: &str, table: &str) -> String {
    match format {
        Format::Markdown => format!("## {title}\n\n{table}"),
        Format::Text => {
            let rule = "=".repeat(title.chars().count());
            format!("{title}\n{rule}\n\n{table}")
        }
    }
}

/// The border parameters of `scn`, or an input error naming the file when
/// its model is another kind (which has no ports, hubs, … to list).
fn border_params<'a>(
    scn: &'a Scenario,
    what: What,
    scenario: Option<&PathBuf>,
) -> Result<&'a BorderParams> {
    scn.model.params::<Border>().map(|b| &**b).ok_or_else(|| {
        let what = format!("{what:?}").to_lowercase();
        Error::Scenario {
            file: scenario.map_or(EMBEDDED_LABEL.to_string(), |p| p.display().to_string()),
            message: format!(
                "its model is \"{}\", which has no {what} to list (only the border model has); \
                 `list metrics` and `list kpis` work for any model",
                scn.model.kind()
            ),
        }
    })
}

/// The first simulated day, spin-up included: day 0 of the interventions'
/// day indices.
fn first_day(scn: &Scenario, p: &BorderParams) -> chrono::NaiveDate {
    let start = scn.calendar.start;
    start
        .checked_sub_days(chrono::Days::new(u64::from(p.spinup_days)))
        .unwrap_or(start)
}
