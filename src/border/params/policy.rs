//! Interventions: policy levers with a time window, written as one tagged struct per kind.
//!
//! An intervention is written flat, `(name: "Lukeville closed", kind:
//! "port_state", port: "Lukeville", state: "closed", from: "2023-12-04",
//! until: "2024-01-04")`. The window (`name`, `from`, `until`) is common to
//! every kind; the rest is [`RawAction`], a serde internally tagged enum
//! (`tag = "kind"`) whose variants each refuse fields that do not belong to
//! them (`deny_unknown_fields` works for internally tagged struct variants:
//! serde strips the tag before the variant sees the map; the unit test below
//! holds it to that). serde buffers an internally tagged value before reading
//! it, which hides the field's path; [`Checks::deserialize`] puts the field
//! back on the path and suggests the closest field of that kind.

use ron::Value;
use serde::Deserialize;

use super::asylum::{AsylumLimits, LimitTrigger, Strength};
use super::bare;
use super::mexico::DetentionOutcomes;
use super::transit::Region;
use crate::calendar::Calendar;
use crate::validate::{Checks, Names, suggest};

/// A policy lever with a time window.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervention {
    /// Name.
    pub name: String,
    /// First day [day index] (may be before the start).
    pub from_day: i64,
    /// Day after the last [day index] (exclusive); `i64::MAX` if open-ended.
    pub until_day: i64,
    /// What it does.
    pub action: Action,
}

/// What an intervention does while active.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Title 42 expulsions are in force.
    Title42,
    /// Sets the CBP One slots [persons/day].
    CbpOneSlots(f64),
    /// Multiplies the CBP One slots [×].
    CbpOneMultiplier(f64),
    /// Sets ports' state to a capacity fraction (1 open, 0 closed); `None` = every port.
    PortState {
        /// Port index or all.
        port: Option<usize>,
        /// Fraction of capacity [0–1].
        fraction: f64,
    },
    /// Multiplies ports' processing capacity (officers added or taken) [×];
    /// `None` = every port.
    PortCapacity {
        /// Port index or all.
        port: Option<usize>,
        /// Multiplier [×].
        multiplier: f64,
    },
    /// Multiplies Mexican enforcement personnel in a region (`None` = everywhere) [×].
    MexicoEnforcement {
        /// Region or all.
        region: Option<Region>,
        /// Multiplier [×].
        multiplier: f64,
    },
    /// Suspends a travel mode.
    ModeSuspension(usize),
    /// Replaces Mexico's detention outcome shares.
    DetentionOutcomes(DetentionOutcomes),
    /// Multiplies the time parties in the northern cities take before crossing
    /// between ports (deterrence > 1, a rush before a rule change < 1) [×].
    CrossingDelay(f64),
    /// Multiplies the rate at which people leave the stock in central
    /// Mexico (`central_stock`) [×].
    StockRelease(f64),
    /// Multiplies arrivals (of the listed origins, or all) [×].
    ArrivalSurge {
        /// Origin indices; empty = every origin.
        origins: Vec<usize>,
        /// Multiplier [×].
        multiplier: f64,
    },
    /// A rule that limits asylum for those who cross between ports: each
    /// party about to cross decides again whether to go on, wait for CBP
    /// One or give up.
    AsylumLimits(AsylumLimits),
}

/// Intervention kinds accepted in `kind`: the `snake_case` names of
/// [`RawAction`]'s variants (a unit test keeps the two in step).
pub const INTERVENTION_KINDS: &[&str] = &[
    "title42",
    "cbp_one_slots",
    "port_state",
    "port_capacity",
    "mexico_enforcement",
    "mode_suspension",
    "detention_outcomes",
    "arrival_surge",
    "crossing_delay",
    "stock_release",
    "asylum_limits",
];

/// The window every kind has.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    /// Name, unique among the interventions.
    name: String,
    /// First day it applies [date].
    from: String,
    /// Last day it applies [date]; open-ended if absent.
    #[serde(default, deserialize_with = "bare")]
    until: Option<String>,
}

/// The kind and its own fields, as written. Ranges are checked in
/// [`RawAction::check`], one line per field.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawAction {
    /// Title 42 expulsions in force.
    Title42 {},
    /// CBP One slots: set (`slots_per_day`) or scaled (`multiplier`).
    CbpOneSlots {
        /// Slots [persons/day], 0 to 10⁶.
        #[serde(default, deserialize_with = "bare")]
        slots_per_day: Option<f64>,
        /// Multiplier of the slots [×], 0 to 1000.
        #[serde(default, deserialize_with = "bare")]
        multiplier: Option<f64>,
    },
    /// A port (or every port, `"*"` or absent) open, closed or partly open.
    PortState {
        /// Port name, `"*"` or absent for every port.
        #[serde(default, deserialize_with = "bare")]
        port: Option<String>,
        /// `"open"`, `"partial"` or `"closed"`.
        state: String,
        /// Capacity fraction when `"partial"` [0–1].
        #[serde(default, deserialize_with = "bare")]
        fraction: Option<f64>,
    },
    /// A port's (or every port's) processing capacity scaled.
    PortCapacity {
        /// Port name, `"*"` or absent for every port.
        #[serde(default, deserialize_with = "bare")]
        port: Option<String>,
        /// Multiplier [×], 0 to 100.
        multiplier: f64,
    },
    /// Mexican enforcement personnel scaled in a region.
    MexicoEnforcement {
        /// `"south"`, `"transit"`, or `"all"`/absent.
        #[serde(default, deserialize_with = "bare")]
        region: Option<String>,
        /// Multiplier [×], 0 to 100.
        multiplier: f64,
    },
    /// A travel mode suspended.
    ModeSuspension {
        /// One of [`super::MODE_NAMES`].
        mode: String,
    },
    /// Mexico's detention outcome shares replaced.
    DetentionOutcomes {
        /// Relocated south, then retry [0–1].
        relocate_share: f64,
        /// Released with papers [0–1].
        papers_share: f64,
        /// Deported [0–1].
        deport_share: f64,
        /// Settle in Mexico [0–1].
        settle_share: f64,
    },
    /// Arrivals scaled.
    ArrivalSurge {
        /// Origin names; empty = every origin.
        #[serde(default)]
        origins: Vec<String>,
        /// Multiplier [×], 0 to 100.
        multiplier: f64,
    },
    /// The time before crossing between ports scaled.
    CrossingDelay {
        /// Multiplier [×], 0.01 to 100.
        multiplier: f64,
    },
    /// The stock in central Mexico's leaving rate scaled.
    StockRelease {
        /// Multiplier [×], 0 to 100.
        multiplier: f64,
    },
    /// Asylum limited for those who cross between ports.
    AsylumLimits {
        /// Share who give up [0–1]; required unless `strength_of` is given.
        #[serde(default, deserialize_with = "bare")]
        leave_share: Option<f64>,
        /// Share who turn to CBP One [0–1]; absent: 0.
        #[serde(default, deserialize_with = "bare")]
        wait_share: Option<f64>,
        /// Name of another rule limiting asylum whose shares, fading and
        /// capacity this one takes, so that a posterior draw of that rule's
        /// numbers carries to this one; excludes the four fields.
        #[serde(default, deserialize_with = "bare")]
        strength_of: Option<String>,
        /// Half-life of the rule's strength [d], 1 to 10⁵; absent: no fading.
        #[serde(default, deserialize_with = "bare")]
        fade_days: Option<f64>,
        /// Apprehensions a day it can be applied to [persons/day], 0 to 10⁷;
        /// absent: 0 (it fades away entirely).
        #[serde(default, deserialize_with = "bare")]
        applied_per_day: Option<f64>,
        /// A family's shares as a multiple of a single traveller's [0–1];
        /// absent: 1. The rule's own, even with `strength_of`.
        #[serde(default, deserialize_with = "bare")]
        families_factor: Option<f64>,
        /// With `strength_of`: the capacity as a multiple of the named
        /// rule's [×], 0 to 1000; absent: 1.
        #[serde(default, deserialize_with = "bare")]
        capacity_factor: Option<f64>,
        /// Origin names; empty = every origin.
        #[serde(default)]
        origins: Vec<String>,
        /// On and off by national pressure; absent: on for the whole window.
        #[serde(default, deserialize_with = "bare")]
        trigger: Option<LimitTrigger>,
    },
}

/// An intervention as written: its window and its action.
pub(super) struct RawIntervention {
    /// Name and dates.
    window: RawWindow,
    /// Kind and fields.
    action: RawAction,
}

/// The tables an intervention's names resolve against.
pub(super) struct PolicyNames<'a> {
    /// Ports of entry.
    pub ports: &'a Names,
    /// Origin groups.
    pub origins: &'a Names,
    /// Travel modes.
    pub modes: &'a Names,
}

/// Reads one intervention at the current path: its `kind` first (an
/// unknown kind gets a "did you mean" among [`INTERVENTION_KINDS`]), then
/// the window and the kind's fields separately, so a problem in one does
/// not hide the other's.
pub(super) fn read(c: &mut Checks, value: Value) -> Option<RawIntervention> {
    let Value::Map(mut map) = value else {
        c.fail(
            "",
            "must be a struct, e.g. `(name: …, kind: \"title42\", from: …)`",
        );
        return None;
    };
    let kind_known = match map.get(&Value::String("kind".into())) {
        Some(Value::String(k)) if INTERVENTION_KINDS.contains(&k.as_str()) => true,
        Some(Value::String(k)) => {
            let hint = suggest(k, INTERVENTION_KINDS.iter().map(|s| s.to_string()));
            c.fail("kind", format!("unknown intervention kind \"{k}\"{hint}"));
            false
        }
        _ => {
            let kinds = INTERVENTION_KINDS.join(", ");
            c.fail("kind", format!("missing or not a string; one of: {kinds}"));
            false
        }
    };
    let mut window = ron::Map::new();
    for key in ["name", "from", "until"] {
        let key = Value::String(key.into());
        if let Some(v) = map.remove(&key) {
            window.insert(key, v);
        }
    }
    let window = c.deserialize::<RawWindow>(Value::Map(window), "");
    let action = if kind_known {
        c.deserialize::<RawAction>(Value::Map(map), "")
    } else {
        None
    };
    Some(RawIntervention {
        window: window?,
        action: action?,
    })
}

/// The name of each raw intervention, for the uniqueness check.
pub(super) fn name(raw: &RawIntervention) -> String {
    raw.window.name.clone()
}

impl RawIntervention {
    /// Checks one intervention at the current path and resolves its names;
    /// `None` if it has problems.
    pub(super) fn check(
        &self,
        c: &mut Checks,
        cal: &Calendar,
        names: &PolicyNames,
    ) -> Option<Intervention> {
        let (from, until) = self.window.check(c, cal);
        let action = self.action.check(c, names);
        let (from, until) = (from?, until?);
        Some(Intervention {
            name: self.window.name.clone(),
            from_day: cal.day_index(from),
            until_day: until.map_or(i64::MAX, |u| cal.day_index(u) + 1),
            action: action?,
        })
    }
}

impl RawWindow {
    /// The first and (if given) last date, checked against each other and
    /// the simulated period.
    fn check(
        &self,
        c: &mut Checks,
        cal: &Calendar,
    ) -> (Option<chrono::NaiveDate>, Option<Option<chrono::NaiveDate>>) {
        let from = c.date("from", &self.from);
        let until = match &self.until {
            None => Some(None),
            Some(s) => c.date("until", s).map(Some),
        };
        if let (Some(f), Some(Some(u))) = (from, until)
            && u < f
        {
            c.fail("until", format!("{u} is before `from` {f}"));
        }
        // An intervention that can never apply is almost always a typo in a
        // year; refuse it rather than run a scenario without it.
        let outside = |d| {
            format!(
                "{d} is outside the simulated period ({} to {}): the intervention would never apply",
                cal.start,
                cal.end()
            )
        };
        if let Some(f) = from
            && f > cal.end()
        {
            c.fail("from", outside(f));
        }
        if let Some(Some(u)) = until
            && u < cal.start
        {
            c.fail("until", outside(u));
        }
        (from, until)
    }
}

/// A port name resolved: `None` or `"*"` is every port.
fn port_or_all(c: &mut Checks, ports: &Names, port: &Option<String>) -> Option<Option<usize>> {
    match port.as_deref() {
        None | Some("*") => Some(None),
        Some(n) => ports.resolve(c, "port", n).map(Some),
    }
}

/// A named value among `known`, or a problem at `field` naming `what`.
fn one_of<T: Copy>(
    c: &mut Checks,
    field: &str,
    what: &str,
    given: &str,
    known: &[(&str, T)],
) -> Option<T> {
    let found = known.iter().find(|(k, _)| *k == given).map(|(_, v)| *v);
    if found.is_none() {
        let hint = suggest(given, known.iter().map(|(k, _)| k.to_string()));
        c.fail(field, format!("{what}{hint}"));
    }
    found
}

impl RawAction {
    /// Checks the kind's fields and resolves its names.
    fn check(&self, c: &mut Checks, names: &PolicyNames) -> Option<Action> {
        match self {
            RawAction::Title42 {} => Some(Action::Title42),
            RawAction::CbpOneSlots {
                slots_per_day,
                multiplier,
            } => match (*slots_per_day, *multiplier) {
                (Some(s), None) => {
                    c.within("slots_per_day", s, 0.0, 1e6);
                    Some(Action::CbpOneSlots(s))
                }
                (None, Some(x)) => {
                    c.within("multiplier", x, 0.0, 1e3);
                    Some(Action::CbpOneMultiplier(x))
                }
                _ => {
                    c.fail(
                        "",
                        "kind \"cbp_one_slots\" needs exactly one of `slots_per_day` or `multiplier`",
                    );
                    None
                }
            },
            RawAction::PortState {
                port,
                state,
                fraction,
            } => {
                let port = port_or_all(c, names.ports, port);
                let fraction = match (state.as_str(), *fraction) {
                    ("open", _) => Some(1.0),
                    ("closed", _) => Some(0.0),
                    ("partial", Some(f)) => {
                        c.probability("fraction", f);
                        Some(f)
                    }
                    ("partial", None) => {
                        c.fail("fraction", "kind \"port_state\" needs `fraction`");
                        None
                    }
                    (other, _) => {
                        let states = [("open", ()), ("partial", ()), ("closed", ())];
                        let what = format!("\"{other}\" is not a port state");
                        one_of(c, "state", &what, other, &states);
                        None
                    }
                };
                Some(Action::PortState {
                    port: port?,
                    fraction: fraction?,
                })
            }
            RawAction::PortCapacity { port, multiplier } => {
                let port = port_or_all(c, names.ports, port);
                c.within("multiplier", *multiplier, 0.0, 100.0);
                Some(Action::PortCapacity {
                    port: port?,
                    multiplier: *multiplier,
                })
            }
            RawAction::MexicoEnforcement { region, multiplier } => {
                let given = region.as_deref().unwrap_or("all");
                let regions = [
                    ("south", Some(Region::South)),
                    ("transit", Some(Region::Transit)),
                    ("north", Some(Region::North)),
                    ("all", None),
                ];
                let what = format!("unknown region \"{given}\"");
                let region = one_of(c, "region", &what, given, &regions);
                c.within("multiplier", *multiplier, 0.0, 100.0);
                Some(Action::MexicoEnforcement {
                    region: region?,
                    multiplier: *multiplier,
                })
            }
            RawAction::ModeSuspension { mode } => names
                .modes
                .resolve(c, "mode", mode)
                .map(Action::ModeSuspension),
            RawAction::DetentionOutcomes {
                relocate_share,
                papers_share,
                deport_share,
                settle_share,
            } => {
                let o = DetentionOutcomes {
                    relocate: *relocate_share,
                    papers: *papers_share,
                    deport: *deport_share,
                    settle: *settle_share,
                };
                o.check(c);
                Some(Action::DetentionOutcomes(o))
            }
            RawAction::CrossingDelay { multiplier } => {
                c.within("multiplier", *multiplier, 0.01, 100.0);
                Some(Action::CrossingDelay(*multiplier))
            }
            RawAction::StockRelease { multiplier } => {
                c.within("multiplier", *multiplier, 0.0, 100.0);
                Some(Action::StockRelease(*multiplier))
            }
            RawAction::ArrivalSurge {
                origins,
                multiplier,
            } => {
                let origins = origin_list(c, names, origins);
                c.within("multiplier", *multiplier, 0.0, 100.0);
                Some(Action::ArrivalSurge {
                    origins: origins?,
                    multiplier: *multiplier,
                })
            }
            RawAction::AsylumLimits {
                leave_share,
                wait_share,
                strength_of,
                fade_days,
                applied_per_day,
                families_factor,
                capacity_factor,
                origins,
                trigger,
            } => {
                let origins = origin_list(c, names, origins);
                let strength = Strength {
                    leave_share: *leave_share,
                    wait_share: *wait_share,
                    fade_days: *fade_days,
                    applied_per_day: *applied_per_day,
                    capacity_factor: *capacity_factor,
                    linked: strength_of.is_some(),
                };
                AsylumLimits::check(c, strength, *families_factor, origins, *trigger)
                    .map(Action::AsylumLimits)
            }
        }
    }
}

/// The rules limiting asylum that take their strength from another
/// (`strength_of`): (index, name of the other), read before the checks
/// consume the list.
pub(super) fn strength_links(raw: &[Option<RawIntervention>]) -> Vec<(usize, String)> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.as_ref()?.action {
            RawAction::AsylumLimits {
                strength_of: Some(name),
                ..
            } => Some((i, name.clone())),
            _ => None,
        })
        .collect()
}

/// Origin names resolved at `origins`; `None` if one is unknown.
fn origin_list(c: &mut Checks, names: &PolicyNames, origins: &[String]) -> Option<Vec<usize>> {
    let list: Vec<Option<usize>> = c.at("origins", |c| {
        let resolve = |(j, n): (usize, &String)| c.index(j, |c| names.origins.resolve(c, "", n));
        origins.iter().enumerate().map(resolve).collect()
    });
    list.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (Option<RawIntervention>, Vec<String>) {
        let v: Value = ron::from_str(text).unwrap();
        let mut c = Checks::default();
        let r = c.at("interventions[0]", |c| read(c, v));
        (r, c.problems.iter().map(|p| p.to_string()).collect())
    }

    /// Every kind in [`INTERVENTION_KINDS`] is a variant of [`RawAction`]
    /// (an unknown variant would be refused by serde).
    #[test]
    fn every_listed_kind_is_a_variant() {
        for kind in INTERVENTION_KINDS {
            let v: Value = ron::from_str(&format!("(kind: \"{kind}\", nonsense: 1)")).unwrap();
            let mut c = Checks::default();
            let _ = c.deserialize::<RawAction>(v, "");
            let msg = &c.problems[0].message;
            assert!(!msg.contains("variant"), "{kind}: {msg}");
        }
    }

    /// The fields serde accepts for `kind`: the `expected` list of the error
    /// an unknown field gets.
    fn accepted_fields(kind: &str) -> Vec<&'static str> {
        let v: Value = ron::from_str(&format!("(kind: \"{kind}\", zz_no_field: 1)")).unwrap();
        match RawAction::deserialize(v) {
            Err(ron::Error::NoSuchStructField { expected, .. }) => expected.to_vec(),
            Err(e) => panic!("{kind}: {e}"),
            Ok(_) => panic!("{kind}: an unknown field was accepted"),
        }
    }

    /// The reference ([`super::super::reference`]) has one entry per kind, in
    /// the same order, each listing exactly the fields serde accepts: a new
    /// kind or field without its reference entry fails here.
    #[test]
    fn the_reference_documents_every_kind_and_field() {
        use super::super::reference::INTERVENTION_DOCS;
        let documented: Vec<&str> = INTERVENTION_DOCS.iter().map(|d| d.kind).collect();
        assert_eq!(documented, INTERVENTION_KINDS);
        for doc in INTERVENTION_DOCS {
            let mut given: Vec<&str> = doc.fields.iter().map(|f| f.name).collect();
            let mut accepted = accepted_fields(doc.kind);
            given.sort_unstable();
            accepted.sort_unstable();
            assert_eq!(given, accepted, "fields of {}", doc.kind);
        }
    }

    /// Every reference example reads and checks, against the names it uses.
    #[test]
    fn every_reference_example_checks() {
        let cal = Calendar::from_dates(
            chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
        );
        let names =
            |kind, list: &[&str]| Names::new(kind, list.iter().map(|s| s.to_string()).collect());
        let ports = names("port", &["San Ysidro", "Eagle Pass", "Lukeville"]);
        let origins = names("origin", &["Venezuela"]);
        let modes = super::super::transit::mode_names();
        let policy = PolicyNames {
            ports: &ports,
            origins: &origins,
            modes: &modes,
        };
        for doc in super::super::reference::INTERVENTION_DOCS {
            let v: Value = ron::from_str(doc.example).unwrap();
            let mut c = Checks::default();
            let iv = read(&mut c, v).and_then(|raw| raw.check(&mut c, &cal, &policy));
            assert!(c.problems.is_empty(), "{}: {:?}", doc.kind, c.problems);
            assert!(iv.is_some(), "{}", doc.kind);
        }
    }

    #[test]
    fn a_field_of_another_kind_is_refused_with_its_path_and_a_suggestion() {
        // The unknown field is recorded and taken out; the rest is still
        // read, so the checks after it run too (one problem here).
        let (_, problems) = read_text(
            r#"(name: "x", kind: "port_state", port: "A", state: "partial", fractoin: 0.5, from: "2024-01-01")"#,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("interventions[0].fractoin: Unexpected field named `fractoin`"),
            "{problems:?}"
        );
        assert!(
            problems[0].ends_with("did you mean `fraction`?"),
            "{problems:?}"
        );
        let (_, problems) =
            read_text(r#"(name: "x", kind: "title42", multiplier: 2.0, from: "2024-01-01")"#);
        assert!(
            problems[0].starts_with("interventions[0].multiplier: Unexpected field"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_unknown_kind_and_a_bad_window_are_both_reported() {
        let (_, problems) = read_text(r#"(kind: "titel42", from: "2024-01-01")"#);
        assert_eq!(
            problems,
            [
                "interventions[0].kind: unknown intervention kind \"titel42\" — did you mean \"title42\"?",
                "interventions[0].name: Unexpected missing field named `name`",
            ]
        );
    }

    #[test]
    fn a_missing_field_of_the_kind_is_named() {
        let (_, problems) = read_text(r#"(name: "x", kind: "crossing_delay", from: "2024-01-01")"#);
        assert!(
            problems[0].starts_with("interventions[0].multiplier: Unexpected missing field"),
            "{problems:?}"
        );
    }
}
