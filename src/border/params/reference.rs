//! The reference of intervention kinds: fields, units, defaults, an example and how overlapping interventions combine.
//!
//! Written next to the definitions ([`super::policy`]) and checked against
//! them: a unit test in `policy` holds every kind the deserializer accepts to
//! one entry here and each entry's fields to the variant's fields, and an
//! integration test validates every example against the embedded baseline.
//! `docs/reference.md` and `borderflow list interventions` are generated from
//! this table, so what they say about combining is what
//! `border::model::policy::Policy::in_force` does.

/// One field of an intervention as the reference shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDoc {
    /// The field's name in the scenario.
    pub name: &'static str,
    /// What it holds, with its unit and accepted range.
    pub value: &'static str,
    /// `None` if required, else what an absent field means.
    pub default: Option<&'static str>,
    /// What it does.
    pub meaning: &'static str,
}

/// One intervention kind as the reference shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindDoc {
    /// The `kind` string.
    pub kind: &'static str,
    /// What it does to the model while in force.
    pub summary: &'static str,
    /// Its own fields (the window's, [`WINDOW_FIELDS`], come on top).
    pub fields: &'static [FieldDoc],
    /// One RON line that validates against the embedded baseline.
    pub example: &'static str,
    /// How it combines with other interventions in force on the same day.
    pub combines: &'static str,
}

/// Builds a required field.
const fn required(name: &'static str, value: &'static str, meaning: &'static str) -> FieldDoc {
    FieldDoc {
        name,
        value,
        default: None,
        meaning,
    }
}

/// Builds an optional field with what its absence means.
const fn optional(
    name: &'static str,
    value: &'static str,
    default: &'static str,
    meaning: &'static str,
) -> FieldDoc {
    FieldDoc {
        name,
        value,
        default: Some(default),
        meaning,
    }
}

/// The fields every kind has: its name and time window.
pub const WINDOW_FIELDS: &[FieldDoc] = &[
    required(
        "name",
        "text, unique among the scenario's interventions",
        "Names it in messages and reports, and in scenario paths: \
         `model.interventions[\"Lukeville closed\"].until` changes one with `set`.",
    ),
    required(
        "kind",
        "one of the kinds below",
        "Selects what it does, and so which other fields it takes.",
    ),
    required(
        "from",
        "date `YYYY-MM-DD`, not after the scenario's end",
        "First day in force, from 00:00; may be before the scenario's start (it then also applies in the spin-up days from that date).",
    ),
    optional(
        "until",
        "date `YYYY-MM-DD`, not before `from`",
        "open-ended",
        "Last day in force, included: it ends at 24:00 that day.",
    ),
];

/// The port field shared by `port_state` and `port_capacity`.
const PORT: FieldDoc = optional(
    "port",
    "port name, or `\"*\"`",
    "every port",
    "The port of entry it applies to (`list ports` names them); `\"*\"` or absent: every port.",
);

/// Every intervention kind, in the order of
/// [`super::INTERVENTION_KINDS`].
pub const INTERVENTION_DOCS: &[KindDoc] = &[
    KindDoc {
        kind: "title42",
        summary: "Title 42 expulsions are in force. People apprehended between ports are expelled \
                  to Mexico (share `expelled_under_title42` of their origin group; share \
                  `between_ports.retry_after_expulsion`, or the group's own \
                  `retry_after_expulsion`, of those try again) instead of removed \
                  under Title 8; walk-ups at a port are processed with probability \
                  `between_ports.title42_walkup_accept`, the others cross between ports.",
        fields: &[],
        example: r#"(name: "Title 42 again", kind: "title42", from: "2023-12-20", until: "2024-01-02")"#,
        combines: "in force while any `title42` is; overlapping ones add nothing.",
    },
    KindDoc {
        kind: "cbp_one_slots",
        summary: "CBP One appointments offered per day, nationally: drawn by lottery each day \
                  among registrants and shared among the ports by their `cbp_one_share` times \
                  their open fraction (the share of a closed port is lost, not moved). Without \
                  any `slots_per_day` in force there are no appointments.",
        fields: &[
            optional(
                "slots_per_day",
                "slots [persons/day], 0 to 1,000,000",
                "—",
                "Sets the slots. Give exactly one of `slots_per_day` and `multiplier`.",
            ),
            optional(
                "multiplier",
                "[×], 0 to 1000",
                "—",
                "Scales the slots set by the `slots_per_day` entries in force.",
            ),
        ],
        example: r#"(name: "CBP One doubled", kind: "cbp_one_slots", multiplier: 2.0, from: "2023-12-01")"#,
        combines: "the last `slots_per_day` entry in force, in list order, sets the slots \
                   (`add_interventions` appends to the base's list, so a what-if's entry wins \
                   over the baseline's); every `multiplier` in force then multiplies them, \
                   whatever the order (×2 and ×0.5 give ×1).",
    },
    KindDoc {
        kind: "port_state",
        summary: "A port open, partly open or closed: it works with that fraction of its lanes, \
                  offers that fraction of its CBP One appointments, and the closed fraction's \
                  officers reinforce Border Patrol in its sector (apprehension probability + \
                  `officers_boost_per_closed_port` × closed fraction). A port closing to 0 \
                  empties its queue: those parties re-plan (cross between ports or move city). \
                  Migrants hear of the state `route_choice.info_delay_days` later and avoid \
                  routes to a city whose ports are closed (`route_choice.closed_port_aversion`).",
        fields: &[
            PORT,
            required(
                "state",
                "`\"open\"`, `\"partial\"` or `\"closed\"`",
                "Open is fraction 1, closed 0.",
            ),
            optional(
                "fraction",
                "share of capacity [0–1]",
                "required with `\"partial\"`, ignored otherwise",
                "The open fraction of a partly open port.",
            ),
        ],
        example: r#"(name: "Eagle Pass closed", kind: "port_state", port: "Eagle Pass", state: "closed", from: "2023-12-20", until: "2024-01-02")"#,
        combines: "not multiplied; for each port, the last entry in force that names it (or \
                   `\"*\"`), in list order, sets its fraction; so a later `\"open\"` entry reopens \
                   a port inside a longer closure, and a what-if's entry (appended) overrides \
                   the baseline's. A port's pressure `trigger` closes it whatever its schedule. \
                   `port_capacity` multipliers apply on top.",
    },
    KindDoc {
        kind: "port_capacity",
        summary: "A port's processing rate (lanes × hours ÷ service time) scaled: officers added \
                  or taken away. Only the speed of service changes: CBP One appointments, the \
                  sector's Border Patrol and migrants' route choice are untouched, and the \
                  queue is kept even at multiplier 0 (to close a port use `port_state`).",
        fields: &[
            PORT,
            required("multiplier", "[×], 0 to 100", "Scales the processing rate."),
        ],
        example: r#"(name: "San Ysidro at half capacity", kind: "port_capacity", port: "San Ysidro", multiplier: 0.5, from: "2023-12-20", until: "2024-01-02")"#,
        combines: "multiplied; every entry in force for the port, its own and `\"*\"`, \
                   multiplies its rate (×1.85 and ×0.5 give ×0.925), on top of its \
                   `port_state` fraction.",
    },
    KindDoc {
        kind: "mexico_enforcement",
        summary: "Mexican enforcement personnel deployed in a region scaled: detection at the \
                  region's checkpoints (and, in the south, at the river crossings and of \
                  caravans) scales with deployed personnel, `mexico.enforcement_personnel` ÷ \
                  `mexico.reference_personnel` × the multipliers in force; transit enforcement \
                  also weighs checkpoints in route choice.",
        fields: &[
            optional(
                "region",
                "`\"south\"`, `\"transit\"`, `\"north\"` or `\"all\"`",
                "`\"all\"`",
                "`\"south\"`: river crossings, caravans and legs with `region: \"south\"`; `\"transit\"`: legs with `region: \"transit\"`; `\"north\"`: the detection of parties waiting in the northern cities (`mexico.north_detection_per_day`, containment and relocation from the border).",
            ),
            required(
                "multiplier",
                "[×], 0 to 100",
                "Scales the personnel deployed there.",
            ),
        ],
        example: r#"(name: "Mexico halves enforcement", kind: "mexico_enforcement", region: "all", multiplier: 0.5, from: "2023-12-15")"#,
        combines: "multiplied; every entry in force for the region, its own and `\"all\"`, \
                   multiplies. The baseline has entries of its own (its interventions are listed \
                   below): a what-if's ×0.5 gives ×0.25 while a baseline ×0.5 is in force, and \
                   ×1.25 while a baseline ×2.5 is. To replace a baseline entry rather than stack on it, \
                   change it with `set` (e.g. its `multiplier` or `until`).",
    },
    KindDoc {
        kind: "mode_suspension",
        summary: "A travel mode suspended: legs do not offer it, and parties waiting for a \
                  departure choose another mode.",
        fields: &[required(
            "mode",
            "`\"bus\"`, `\"truck\"`, `\"train\"` or `\"foot\"`",
            "The mode suspended.",
        )],
        example: r#"(name: "Trains suspended", kind: "mode_suspension", mode: "train", from: "2023-12-01", until: "2023-12-31")"#,
        combines: "suspended while any entry for the mode is in force.",
    },
    KindDoc {
        kind: "detention_outcomes",
        summary: "What happens to people Mexico detains: the shares of the four outcomes \
                  replace `mexico`'s own.",
        fields: &[
            required(
                "relocate_share",
                "[0–1]",
                "Relocated south, then try again.",
            ),
            required("papers_share", "[0–1]", "Released with papers."),
            required("deport_share", "[0–1]", "Deported."),
            required(
                "settle_share",
                "[0–1]",
                "Settle in Mexico. The four shares sum to 1.",
            ),
        ],
        example: r#"(name: "No deportations", kind: "detention_outcomes", relocate_share: 0.6, papers_share: 0.3, deport_share: 0.0, settle_share: 0.1, from: "2023-12-01", until: "2023-12-31")"#,
        combines: "replaced, not blended; the last entry in force, in list order, sets the shares.",
    },
    KindDoc {
        kind: "arrival_surge",
        summary: "Arrivals at the southern border (or, for origins inside Mexico, at their \
                  start) scaled: the origin groups' daily rates times the multiplier.",
        fields: &[
            optional(
                "origins",
                "list of origin group names",
                "`[]`: every origin",
                "The origin groups it applies to (`list origins` names them).",
            ),
            required("multiplier", "[×], 0 to 100", "Scales their arrival rate."),
        ],
        example: r#"(name: "Venezuelan surge", kind: "arrival_surge", origins: ["Venezuela"], multiplier: 1.5, from: "2023-12-01", until: "2023-12-15")"#,
        combines: "multiplied; every entry in force that covers the origin multiplies its rate.",
    },
    KindDoc {
        kind: "crossing_delay",
        summary: "The time parties in the northern cities take before crossing between ports \
                  (each city's `crossing_delay_days`) scaled: above 1 deterrence, below 1 a rush \
                  before a rule change.",
        fields: &[required(
            "multiplier",
            "[×], 0.01 to 100",
            "Scales the delay before crossing.",
        )],
        example: r#"(name: "Deterrence", kind: "crossing_delay", multiplier: 2.0, from: "2023-12-20", until: "2024-01-02")"#,
        combines: "multiplied; every entry in force multiplies the delay.",
    },
    KindDoc {
        kind: "stock_release",
        summary: "The rate at which people leave the stock waiting in central Mexico \
                  (`central_stock`) scaled: above 1 they set off for the border sooner (news of a \
                  rule to come, work drying up), below 1 they stay longer. It sends north only \
                  people who are in the stock, where an `arrival_surge` creates new arrivals.",
        fields: &[required(
            "multiplier",
            "[×], 0 to 100",
            "Scales the daily leaving rate 1 / `stay_days`.",
        )],
        example: r#"(name: "Late-2023 release", kind: "stock_release", multiplier: 2.0, from: "2023-11-10", until: "2023-12-10")"#,
        combines: "multiplied; every entry in force multiplies the rate.",
    },
    KindDoc {
        kind: "asylum_limits",
        summary: "A rule that limits asylum for those who cross between ports (the May 2023 \
                  Title 8 consequences, the June 2024 proclamation). Each party about to cross \
                  between ports decides again: it gives up (outcome `settled_in_mexico`), turns \
                  to CBP One (registers and waits; if its patience runs out it faces the rule \
                  again), or goes on. Deterrence as a decision, where `crossing_delay` only \
                  postpones.",
        fields: &[
            optional(
                "leave_share",
                "[0–1]",
                "required unless `strength_of` is given",
                "Share of the parties about to cross who give up, at full strength.",
            ),
            optional(
                "wait_share",
                "[0–1]; `leave_share` + `wait_share` ≤ 1",
                "0",
                "Share who turn to CBP One instead (wait and decide again while it has no slots).",
            ),
            optional(
                "fade_days",
                "[d], 1 to 100000",
                "no fading",
                "Half-life of the rule's strength from `from`, as people learn how it is applied: \
                 without `applied_per_day` both shares are scaled by 0.5^(days since `from` / \
                 `fade_days`); with it the strength relaxes at that pace toward the share of \
                 crossers the rule is applied to.",
            ),
            optional(
                "applied_per_day",
                "[persons/day], 0 to 10000000",
                "0 (fades away entirely)",
                "Between-ports apprehensions a day the rule can be applied to in full \
                 (screened under it, held, removed). Each midnight the rule is on, its strength \
                 s moves toward a = min(1, `applied_per_day` / the 7-day mean of national USBP \
                 apprehensions): s ← a + (s − a) · 0.5^(1 / `fade_days`), starting from 1. A \
                 rule that meets fewer crossers than it can process keeps its force; one that \
                 meets more loses it. Needs `fade_days` to act.",
            ),
            optional(
                "strength_of",
                "name of another `asylum_limits` rule (one with its own `leave_share`)",
                "its own shares",
                "Takes that rule's `leave_share`, `wait_share`, `fade_days` and \
                 `applied_per_day` (then not allowed here), as read after `set`: \"as strong \
                 as the 2023 rule\", so each posterior draw of that rule's numbers carries to \
                 this one.",
            ),
            optional(
                "capacity_factor",
                "[×], 0 to 1000; only with `strength_of`",
                "1",
                "The capacity (`applied_per_day`) taken from the rule `strength_of` names, times \
                 this: the same deterrence applied with other means (the June 2024 proclamation \
                 with k times the 2023 rule's removal capacity). A what-if and a sensitivity: \
                 nothing before 2024 can size it.",
            ),
            optional(
                "families_factor",
                "[0–1]",
                "1",
                "A family's (a party of two or more) `leave_share` and `wait_share` as a multiple \
                 of a single traveller's. The rule's own, also with `strength_of`: its text says \
                 whom it covers.",
            ),
            optional(
                "origins",
                "list of origin names",
                "every origin",
                "The origin groups the rule applies to.",
            ),
            optional(
                "trigger",
                "(on_above_per_day: [persons/day], off_below_per_day: [persons/day] ≤ on, \
                 off_after_days: [d] ≥ 1)",
                "on for the whole window",
                "On only while the 7-day mean of national USBP apprehensions keeps it on: on \
                 above `on_above_per_day`, off once below `off_below_per_day` for \
                 `off_after_days` days (checked at midnight).",
            ),
        ],
        example: r#"(name: "Asylum limits", kind: "asylum_limits", leave_share: 0.3, wait_share: 0.2, fade_days: 60, trigger: (on_above_per_day: 2500, off_below_per_day: 1500, off_after_days: 21), from: "2023-12-01")"#,
        combines: "in turn, in list order: each rule on puts its decision to those the ones \
                   before it let go on.",
    },
];

/// How overlapping interventions combine, kind by kind, in one line each.
pub const COMBINING: &[(&str, &str)] = &[
    (
        "multiplied",
        "`cbp_one_slots` multiplier, `port_capacity`, `mexico_enforcement`, `arrival_surge`, `crossing_delay`, `stock_release`",
    ),
    (
        "last entry in force wins (list order)",
        "`cbp_one_slots` slots_per_day, `port_state`, `detention_outcomes`",
    ),
    ("on while any is in force", "`title42`, `mode_suspension`"),
    ("in turn, in list order", "`asylum_limits`"),
];

/// The port field that closes a port by pressure, with an example `--set`.
pub const TRIGGER_NOTE: &str = "A port may also close by itself: its `trigger` field \
    (`model.ports[\"Lukeville\"].trigger`, a port parameter, not an intervention) closes it when \
    the 7-day mean of its sector's apprehensions exceeds `close_above_per_day`, and reopens it \
    once that mean has stayed below `reopen_below_per_day` (≤ `close_above_per_day`: hysteresis) \
    for `reopen_after_days` days. A triggered closure overrides the port's `port_state` \
    schedule for as long as it lasts.";

/// A `set` entry giving a port a pressure trigger, which validates against
/// the embedded baseline.
pub const TRIGGER_EXAMPLE: &str = r#"set: { "model.ports[\"Lukeville\"].trigger": (close_above_per_day: 900, reopen_below_per_day: 600, reopen_after_days: 7) }"#;

/// When to use `port_state` partial and when `port_capacity`.
pub const PARTIAL_OR_CAPACITY: &str = "`port_state` partial or `port_capacity`? Use \
    `port_state` with `\"partial\"` when part of a port shuts (a bridge, a pedestrian \
    crossing, lanes whose officers are sent elsewhere): it offers fewer appointments, its \
    officers reinforce Border Patrol, and migrants hear of it. Use `port_capacity` when the \
    same port processes faster or slower (officers added or taken): only the rate of service \
    changes. Appointments added with `cbp_one_slots` need the officers to process them: pair \
    them with `port_capacity` (as `scenarios/whatif/cbp-one-doubled.ron` does).";

/// The reference entry of intervention kind `kind`.
pub fn kind_doc(kind: &str) -> Option<&'static KindDoc> {
    INTERVENTION_DOCS.iter().find(|d| d.kind == kind)
}
