//! Border model parameters: the raw scenario structs (as written in RON) and
//! their validated form, with every name resolved to an index and every value
//! checked, so the simulation never looks up a name or checks a range.
//!
//! Every problem in the `model` section is reported at once, by scenario path
//! (`model.ports["Lukeville"].lanes`), with a "did you mean" for unknown names.

use chrono::NaiveDate;
use ron::Value;
use serde::Deserialize;

use crate::calendar::Calendar;
use crate::scenario::Checks;
use crate::scenario::path::suggest;

/// The four travel modes, in the order of [`Mode`] indices and of the
/// `in_transit:<mode>` metrics.
pub const MODE_NAMES: [&str; 4] = ["bus", "truck", "train", "foot"];

/// Index of the freight-train mode in [`MODE_NAMES`].
pub const TRAIN: usize = 2;

// ---------------------------------------------------------------- raw structs

/// Reads an optional field written bare (`until: "2024-01-04"`), as scenarios
/// are merged as untyped RON values where `Some(…)` would be noise.
fn bare<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBorder {
    #[serde(default)]
    spinup_days: u32,
    road_factor: f64,
    family_size_weights: Vec<f64>,
    drivers: Vec<RawDriver>,
    origins: Vec<RawOrigin>,
    mexico: RawMexico,
    crossings: Vec<RawCrossing>,
    hubs: Vec<RawHub>,
    modes: Vec<RawMode>,
    legs: Vec<RawLeg>,
    routes: Vec<RawRoute>,
    route_choice: RawRouteChoice,
    cities: Vec<RawCity>,
    ports: Vec<RawPort>,
    cbp_one: RawCbpOne,
    sectors: Vec<RawSector>,
    between_ports: RawBetweenPorts,
    #[serde(default)]
    caravans: Vec<RawCaravan>,
    #[serde(default)]
    interventions: Vec<RawIntervention>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDriver {
    name: String,
    #[serde(default)]
    source: String,
    monthly: Vec<(String, f64)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrigin {
    name: String,
    enters_at: String,
    #[serde(default)]
    mexican: bool,
    #[serde(default, deserialize_with = "bare")]
    driver: Option<String>,
    #[serde(default)]
    persons_per_driver_person: f64,
    #[serde(default)]
    driver_lag_days: f64,
    #[serde(default)]
    base_persons_per_day: f64,
    family_share: f64,
    wait_for_papers_share: f64,
    cbp_one_share: f64,
    walkup_share: f64,
    expelled_under_title42: f64,
    removed_under_title8: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMexico {
    enforcement_personnel: f64,
    reference_personnel: f64,
    papers_detection_factor: f64,
    detention_days: f64,
    relocation_days: f64,
    relocate_share: f64,
    papers_share: f64,
    deport_share: f64,
    settle_share: f64,
    retry_rest_days: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrossing {
    name: String,
    hub: String,
    km_to_hub: f64,
    detection_prob: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHub {
    name: String,
    papers_capacity_per_day: f64,
    papers_patience_days: f64,
    rest_days_mean: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMode {
    name: String,
    km_per_day_min: f64,
    km_per_day_max: f64,
    #[serde(default)]
    departures_per_day: f64,
    #[serde(default)]
    seats: f64,
    detection_factor: f64,
    weight_irregular: f64,
    weight_papers: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeg {
    name: String,
    from: String,
    to: String,
    great_circle_km: f64,
    modes: Vec<String>,
    checkpoints: u32,
    checkpoint_detection: f64,
    region: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    name: String,
    corridor: String,
    via: Vec<String>,
    weight: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRouteChoice {
    km_cost_per_1000: f64,
    checkpoint_cost: f64,
    closed_port_aversion: f64,
    info_delay_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCity {
    name: String,
    sector: String,
    ports: Vec<String>,
    cbp_one_port: String,
    crossing_delay_days: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPort {
    name: String,
    lanes: f64,
    service_minutes: f64,
    hours_per_day: f64,
    opens_at_hour: f64,
    cbp_one_share: f64,
    #[serde(default, deserialize_with = "bare")]
    trigger: Option<RawTrigger>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrigger {
    close_above_per_day: f64,
    reopen_below_per_day: f64,
    reopen_after_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCbpOne {
    draw_at_hour: f64,
    patience_days_mean: f64,
    patience_cross_share: f64,
    appointment_lead_days: f64,
    move_city_days: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSector {
    name: String,
    apprehension_prob: f64,
    custody_capacity: f64,
    processing_hours: f64,
    #[serde(default)]
    officers_boost_per_closed_port: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBetweenPorts {
    custody_when_full: String,
    retry_after_expulsion: f64,
    retry_after_removal: f64,
    retry_delay_days: f64,
    walkup_patience_days_mean: f64,
    title42_walkup_accept: f64,
    replan_cross_share: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCaravan {
    name: String,
    hub: String,
    #[serde(default, deserialize_with = "bare")]
    start: Option<String>,
    #[serde(default, deserialize_with = "bare")]
    trigger_waiting_above: Option<f64>,
    target_size: f64,
    walk_km_min: f64,
    walk_km_max: f64,
    walk_day_share: f64,
    shed_share_per_day: f64,
    detection_factor: f64,
    #[serde(default, deserialize_with = "bare")]
    halt_at_km: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    dissolve_on: Option<String>,
    #[serde(default, deserialize_with = "bare")]
    dissolve_after_days: Option<u32>,
    #[serde(default, deserialize_with = "bare")]
    dissolve_at_km: Option<f64>,
    papers_bus_south_share: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntervention {
    name: String,
    kind: String,
    from: String,
    #[serde(default, deserialize_with = "bare")]
    until: Option<String>,
    #[serde(default, deserialize_with = "bare")]
    port: Option<String>,
    #[serde(default, deserialize_with = "bare")]
    state: Option<String>,
    #[serde(default, deserialize_with = "bare")]
    fraction: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    multiplier: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    slots_per_day: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    region: Option<String>,
    #[serde(default, deserialize_with = "bare")]
    mode: Option<String>,
    #[serde(default)]
    origins: Vec<String>,
    #[serde(default, deserialize_with = "bare")]
    relocate_share: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    papers_share: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    deport_share: Option<f64>,
    #[serde(default, deserialize_with = "bare")]
    settle_share: Option<f64>,
}

// ---------------------------------------------------------- validated params

/// An origin group: where its parties enter and how they choose.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// Name, e.g. "Venezuela".
    pub name: String,
    /// Southern crossing index, or `None` for an origin inside Mexico.
    pub crossing: Option<usize>,
    /// Place index where interior origins start (Mexican nationals).
    pub start_place: Option<usize>,
    /// Mexican nationals: not detained by Mexico's immigration agency.
    pub mexican: bool,
    /// Share of parties that are families (size ≥ 2) [0–1].
    pub family_share: f64,
    /// Share that queue for papers at the hub [0–1].
    pub wait_for_papers_share: f64,
    /// Share that register with CBP One in the north [0–1].
    pub cbp_one_share: f64,
    /// Share that walk up to a port without an appointment [0–1].
    pub walkup_share: f64,
    /// Share of USBP apprehensions expelled to Mexico under Title 42 [0–1].
    pub expelled_under_title42: f64,
    /// Share of USBP apprehensions removed to Mexico under Title 8 [0–1].
    pub removed_under_title8: f64,
}

/// Mexico's enforcement and detention.
#[derive(Debug, Clone, PartialEq)]
pub struct Mexico {
    /// Enforcement personnel deployed [persons] (the seed's 32,000).
    pub enforcement_personnel: f64,
    /// Personnel at which detection probabilities equal their stated values [persons].
    pub reference_personnel: f64,
    /// Detection hazard factor for parties holding papers [0–1].
    pub papers_detection_factor: f64,
    /// Time held after detection before the outcome [d].
    pub detention_days: f64,
    /// Bus time of a relocation back to the southern hub [d].
    pub relocation_days: f64,
    /// Default outcome shares of a detention [0–1 each, sum 1].
    pub outcomes: DetentionOutcomes,
    /// Mean rest at the hub after a relocation before retrying [d].
    pub retry_rest_days: f64,
}

/// Shares of detention outcomes in Mexico.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetentionOutcomes {
    /// Relocated back to the southern hub, then retry [0–1].
    pub relocate: f64,
    /// Released with papers (transit document) and go on [0–1].
    pub papers: f64,
    /// Deported or assisted return (final outcome) [0–1].
    pub deport: f64,
    /// Give up and settle in Mexico (final outcome) [0–1].
    pub settle: f64,
}

/// A southern crossing point on the Guatemala–Mexico border.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    /// Name, e.g. "Suchiate".
    pub name: String,
    /// Hub it leads to.
    pub hub: usize,
    /// Walk from the river to the hub [km].
    pub km_to_hub: f64,
    /// Detection probability at reference personnel [0–1].
    pub detection_prob: f64,
}

/// A southern hub where parties wait for papers.
#[derive(Debug, Clone, PartialEq)]
pub struct Hub {
    /// Name, e.g. "Tapachula".
    pub name: String,
    /// Place index of the hub in the transit graph.
    pub place: usize,
    /// Papers processing capacity [persons/day].
    pub papers_capacity_per_day: f64,
    /// Longest expected wait a party accepts before leaving without papers [d].
    pub papers_patience_days: f64,
    /// Mean rest before a party without papers sets off north [d].
    pub rest_days_mean: f64,
}

/// A travel mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Mode {
    /// Slowest speed [km/day].
    pub km_per_day_min: f64,
    /// Fastest speed [km/day].
    pub km_per_day_max: f64,
    /// Scheduled departures per day from each leg start; 0 = leave at will [1/day].
    pub departures_per_day: f64,
    /// Migrants carried per departure [persons].
    pub seats: f64,
    /// Checkpoint detection hazard factor [×].
    pub detection_factor: f64,
    /// Choice weight for parties without papers [≥ 0].
    pub weight_irregular: f64,
    /// Choice weight for parties with papers [≥ 0].
    pub weight_papers: f64,
}

/// Region of Mexico a leg lies in, for region-specific enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The southern border states (Chiapas, Tabasco).
    South,
    /// The rest of the transit.
    Transit,
}

/// A leg of the transit graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    /// Name, e.g. "Tapachula–Arriaga".
    pub name: String,
    /// Road length [km] = great-circle × road factor.
    pub km: f64,
    /// Which modes may be used [by mode index].
    pub modes: [bool; 4],
    /// Checkpoints on the leg.
    pub checkpoints: u32,
    /// Detection probability per checkpoint at reference personnel [0–1].
    pub checkpoint_detection: f64,
    /// Enforcement region.
    pub region: Region,
}

/// A route from a hub or interior origin to a northern city.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Name.
    pub name: String,
    /// Corridor, e.g. "pacific".
    pub corridor: String,
    /// Start place.
    pub from: usize,
    /// Destination city index.
    pub city: usize,
    /// Legs in order.
    pub legs: Vec<usize>,
    /// Total road length [km].
    pub km: f64,
    /// Total checkpoints.
    pub checkpoints: u32,
    /// Base choice weight [≥ 0].
    pub weight: f64,
}

/// How parties choose routes.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteChoice {
    /// Utility cost per 1000 km of road [1/1000 km].
    pub km_cost_per_1000: f64,
    /// Utility cost per checkpoint, scaled by enforcement [per checkpoint].
    pub checkpoint_cost: f64,
    /// Weight reduction for a destination whose ports were heard closed [0–1].
    pub closed_port_aversion: f64,
    /// Delay with which news of port states reaches parties [d].
    pub info_delay_days: u32,
}

/// A northern border city.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    /// Name, e.g. "Tijuana".
    pub name: String,
    /// Place index.
    pub place: usize,
    /// Border Patrol sector across from it.
    pub sector: usize,
    /// Ports of entry in it.
    pub ports: Vec<usize>,
    /// Port where its parties get CBP One appointments.
    pub cbp_one_port: usize,
    /// Mean time to arrange a crossing between ports [d].
    pub crossing_delay_days: f64,
}

/// A port of entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    /// Name, e.g. "San Ysidro".
    pub name: String,
    /// City index.
    pub city: usize,
    /// Processing positions (officers) [lanes].
    pub lanes: f64,
    /// Processing time per person per lane [min].
    pub service_minutes: f64,
    /// Opening hours [h/day].
    pub hours_per_day: f64,
    /// Opening time [h after midnight].
    pub opens_at_hour: f64,
    /// Share of CBP One slots given at this port [0–1].
    pub cbp_one_share: f64,
    /// Pressure-triggered closure, if any.
    pub trigger: Option<Trigger>,
}

/// A closure triggered by between-ports pressure in the port's sector, with
/// hysteresis: it closes when the 7-day mean of the sector's apprehensions
/// exceeds `close_above_per_day` (officers go to help Border Patrol) and
/// reopens once that mean has stayed below `reopen_below_per_day` for
/// `reopen_after_days` days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trigger {
    /// Closing threshold [apprehensions/day, 7-day mean].
    pub close_above_per_day: f64,
    /// Reopening threshold [apprehensions/day, 7-day mean].
    pub reopen_below_per_day: f64,
    /// Days below the reopening threshold before reopening [d].
    pub reopen_after_days: u32,
}

impl Port {
    /// Processing capacity when fully open [persons/day].
    pub fn capacity_per_day(&self) -> f64 {
        self.lanes * self.hours_per_day * 60.0 / self.service_minutes
    }
}

/// CBP One appointments.
#[derive(Debug, Clone, PartialEq)]
pub struct CbpOne {
    /// Time of the daily lottery [h].
    pub draw_at_hour: f64,
    /// Mean patience of a registered party [d].
    pub patience_days_mean: f64,
    /// Share of impatient parties that cross between ports (the rest move city) [0–1].
    pub patience_cross_share: f64,
    /// Days from a win to the appointment [d].
    pub appointment_lead_days: f64,
    /// Bus time to move to another northern city [d].
    pub move_city_days: f64,
}

/// A Border Patrol sector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sector {
    /// Name, e.g. "Tucson".
    pub name: String,
    /// Apprehension probability of a crossing attempt [0–1].
    pub apprehension_prob: f64,
    /// Custody capacity [persons].
    pub custody_capacity: f64,
    /// Processing time in custody [h].
    pub processing_hours: f64,
    /// Added apprehension probability per closed port whose officers come here [0–1].
    pub officers_boost_per_closed_port: f64,
}

/// What happens when a sector's custody is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// Release on recognizance at once (still counted as apprehended).
    Release,
    /// Hold anyway; processing slows in proportion to the overload.
    Hold,
}

/// Crossing between ports and walk-ups.
#[derive(Debug, Clone, PartialEq)]
pub struct BetweenPorts {
    /// Custody overflow policy.
    pub custody_when_full: WhenFull,
    /// Share of expelled (Title 42) parties that try again [0–1].
    pub retry_after_expulsion: f64,
    /// Share of removed (Title 8) parties that try again [0–1].
    pub retry_after_removal: f64,
    /// Mean delay before a retry [d].
    pub retry_delay_days: f64,
    /// Mean longest expected wait a walk-up accepts at a port [d].
    pub walkup_patience_days_mean: f64,
    /// Share of walk-ups processed under Title 42 (the rest are turned back) [0–1].
    pub title42_walkup_accept: f64,
    /// Share of parties at a closed port that cross between ports (rest move) [0–1].
    pub replan_cross_share: f64,
}

/// A caravan, scheduled by date or triggered by waiting at its hub.
#[derive(Debug, Clone, PartialEq)]
pub struct Caravan {
    /// Name, e.g. "Exodo de la pobreza".
    pub name: String,
    /// Hub it leaves from.
    pub hub: usize,
    /// Start [day index], if scheduled.
    pub start_day: Option<i64>,
    /// Waiting at the hub that triggers it [persons], if triggered.
    pub trigger_waiting_above: Option<f64>,
    /// Members it recruits at the start [persons].
    pub target_size: f64,
    /// Shortest walking-day distance [km].
    pub walk_km_min: f64,
    /// Longest walking-day distance [km].
    pub walk_km_max: f64,
    /// Probability a day is a walking day [0–1].
    pub walk_day_share: f64,
    /// Share of members leaving each day [0–1].
    pub shed_share_per_day: f64,
    /// Detection hazard factor while in the caravan [×].
    pub detection_factor: f64,
    /// Distance where it stops and waits [km].
    pub halt_at_km: Option<f64>,
    /// Dissolution date [day index].
    pub dissolve_day: Option<i64>,
    /// Dissolution after this many days [d].
    pub dissolve_after_days: Option<u32>,
    /// Dissolution at this distance [km].
    pub dissolve_at_km: Option<f64>,
    /// Share of members taking papers and buses back south on dissolution [0–1].
    pub papers_bus_south_share: f64,
}

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
    /// Multiplies arrivals (of the listed origins, or all) [×].
    ArrivalSurge {
        /// Origin indices; empty = every origin.
        origins: Vec<usize>,
        /// Multiplier [×].
        multiplier: f64,
    },
}

/// Intervention kinds accepted in `kind`.
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
];

/// A named monthly driver series, kept for documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// Name.
    pub name: String,
    /// Source line.
    pub source: String,
    /// (first day of month, value [persons/month]).
    pub monthly: Vec<(NaiveDate, f64)>,
}

/// The validated border model.
#[derive(Debug, Clone, PartialEq)]
pub struct BorderParams {
    /// Days simulated before the scenario's start from an empty system and
    /// then dropped from the results, so that the first days are not empty [d].
    pub spinup_days: u32,
    /// Family sizes 2, 3, … weights (normalised) [0–1].
    pub family_size_weights: Vec<f64>,
    /// Origin groups.
    pub origins: Vec<Origin>,
    /// Arrival rates by origin and day [persons/day], before surges.
    pub daily_rates: Vec<Vec<f64>>,
    /// Mexican enforcement.
    pub mexico: Mexico,
    /// Southern crossings.
    pub crossings: Vec<Crossing>,
    /// Southern hubs.
    pub hubs: Vec<Hub>,
    /// Place names of the transit graph.
    pub places: Vec<String>,
    /// Modes in [`MODE_NAMES`] order.
    pub modes: Vec<Mode>,
    /// Legs.
    pub legs: Vec<Leg>,
    /// Routes.
    pub routes: Vec<Route>,
    /// Route choice.
    pub route_choice: RouteChoice,
    /// Northern cities.
    pub cities: Vec<City>,
    /// Ports of entry.
    pub ports: Vec<Port>,
    /// CBP One.
    pub cbp_one: CbpOne,
    /// Border Patrol sectors.
    pub sectors: Vec<Sector>,
    /// Between ports.
    pub between_ports: BetweenPorts,
    /// Caravans.
    pub caravans: Vec<Caravan>,
    /// Interventions.
    pub interventions: Vec<Intervention>,
    /// Monthly drivers (documentation only; already folded into `daily_rates`).
    pub drivers: Vec<Driver>,
}

// ------------------------------------------------------------------ checking

/// Index of `name` in `known`, or a problem at `path` with a suggestion.
fn find(
    checks: &mut Checks,
    path: String,
    name: &str,
    known: &[String],
    what: &str,
) -> Option<usize> {
    let i = known.iter().position(|k| k == name);
    if i.is_none() {
        checks.fail(
            path,
            format!(
                "unknown {what} \"{name}\"{}",
                suggest(name, known.iter().cloned())
            ),
        );
    }
    i
}

/// Checks that the names of list `list` are non-empty and unique.
fn unique_names(checks: &mut Checks, list: &str, names: &[String]) {
    for (i, n) in names.iter().enumerate() {
        checks.nonempty(format!("model.{list}[{i}].name"), n);
        if names[..i].contains(n) {
            checks.fail(
                format!("model.{list}[{i}].name"),
                format!("\"{n}\" is used twice in `{list}`; names must be unique"),
            );
        }
    }
}

/// Days in the month starting at `m`.
fn days_in_month(m: NaiveDate) -> f64 {
    m.checked_add_months(chrono::Months::new(1))
        .map(|n| (n - m).num_days() as f64)
        .unwrap_or(30.0)
}

/// Daily rate of a monthly series at `date` [persons/day]: each month's mean
/// daily rate sits at the month's middle and rates are interpolated linearly
/// between middles (held flat before the first and after the last), so the
/// arrival process has no steps at month boundaries.
pub fn driver_rate(monthly: &[(NaiveDate, f64)], date: f64) -> f64 {
    let points: Vec<(f64, f64)> = monthly
        .iter()
        .map(|(m, v)| {
            let n = days_in_month(*m);
            (day_number(*m) + n / 2.0, v / n)
        })
        .collect();
    match points.as_slice() {
        [] => 0.0,
        [only] => only.1,
        _ => {
            if date <= points[0].0 {
                return points[0].1;
            }
            for w in points.windows(2) {
                if date <= w[1].0 {
                    let f = (date - w[0].0) / (w[1].0 - w[0].0);
                    return w[0].1 + f * (w[1].1 - w[0].1);
                }
            }
            points[points.len() - 1].1
        }
    }
}

/// Days since 1970-01-01 of a date, as a number [d].
fn day_number(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid")).num_days() as f64
}

/// Checks a share in [0, 1].
fn share(checks: &mut Checks, path: String, v: f64) {
    checks.probability(path, v);
}

impl BorderParams {
    /// Checks the `model` section of a border scenario.
    pub(crate) fn from_value(v: Value, scenario: &Calendar, checks: &mut Checks) -> Option<Self> {
        let raw: RawBorder = checks.deserialize(v, "model")?;
        let before = checks.problems.len();
        let m = "model";
        if raw.spinup_days > 3650 {
            checks.fail(format!("{m}.spinup_days"), "at most 3650");
            return None;
        }
        // Day indices below count from the start of the spin-up, which the
        // experiment runs and then drops from the results.
        let Some(start) = scenario
            .start
            .checked_sub_days(chrono::Days::new(u64::from(raw.spinup_days)))
        else {
            checks.fail(
                format!("{m}.spinup_days"),
                format!(
                    "{} days before the start {} is earlier than any date borderflow can hold",
                    raw.spinup_days, scenario.start
                ),
            );
            return None;
        };
        let internal = Calendar {
            start,
            days: scenario.days.saturating_add(raw.spinup_days),
        };
        let cal = &internal;

        checks.within(format!("{m}.road_factor"), raw.road_factor, 1.0, 3.0);
        if raw.family_size_weights.is_empty() {
            checks.fail(
                format!("{m}.family_size_weights"),
                "needs at least one weight (families of 2, 3, …)",
            );
        }
        for (i, w) in raw.family_size_weights.iter().enumerate() {
            checks.non_negative(format!("{m}.family_size_weights[{i}]"), *w);
        }
        let wsum: f64 = raw.family_size_weights.iter().sum();
        if raw.family_size_weights.len() > 20 || wsum.is_nan() || wsum <= 0.0 {
            checks.fail(
                format!("{m}.family_size_weights"),
                "weights must sum to more than 0, at most 20 sizes",
            );
        }

        // Ids are stored compactly (u16 in events and parties): bound the lists.
        for (list, n) in [
            ("origins", raw.origins.len()),
            ("hubs", raw.hubs.len()),
            ("legs", raw.legs.len()),
            ("routes", raw.routes.len()),
            ("cities", raw.cities.len()),
            ("ports", raw.ports.len()),
            ("sectors", raw.sectors.len()),
            ("caravans", raw.caravans.len()),
        ] {
            if n > 10_000 {
                checks.fail(
                    format!("{m}.{list}"),
                    format!("at most 10000 entries (got {n})"),
                );
                return None;
            }
        }
        for (i, r) in raw.routes.iter().enumerate() {
            if r.via.len() > 200 {
                checks.fail(format!("{m}.routes[{i}].via"), "at most 200 places");
                return None;
            }
        }

        // Drivers.
        let driver_names: Vec<String> = raw.drivers.iter().map(|d| d.name.clone()).collect();
        unique_names(checks, "drivers", &driver_names);
        let mut drivers = Vec::new();
        for (i, d) in raw.drivers.iter().enumerate() {
            let mut monthly = Vec::new();
            for (j, (month, v)) in d.monthly.iter().enumerate() {
                let p = format!("{m}.drivers[{i}].monthly[{j}]");
                match crate::calendar::check_month(month) {
                    Ok(date) => monthly.push((date, *v)),
                    Err(why) => checks.fail(p.clone(), why),
                }
                checks.within(p, *v, 0.0, 1e8);
            }
            if monthly.windows(2).any(|w| w[0].0 >= w[1].0) {
                checks.fail(
                    format!("{m}.drivers[{i}].monthly"),
                    "months must be in increasing order without repeats",
                );
            }
            drivers.push(Driver {
                name: d.name.clone(),
                source: d.source.clone(),
                monthly,
            });
        }

        // Places: hubs, leg ends, cities.
        let mut places: Vec<String> = Vec::new();
        let mut place = |n: &str| -> usize {
            match places.iter().position(|p| p == n) {
                Some(i) => i,
                None => {
                    places.push(n.to_string());
                    places.len() - 1
                }
            }
        };
        let hub_places: Vec<usize> = raw.hubs.iter().map(|h| place(&h.name)).collect();
        let city_places: Vec<usize> = raw.cities.iter().map(|c| place(&c.name)).collect();
        let leg_ends: Vec<(usize, usize)> = raw
            .legs
            .iter()
            .map(|l| (place(&l.from), place(&l.to)))
            .collect();

        // Hubs.
        let hub_names: Vec<String> = raw.hubs.iter().map(|h| h.name.clone()).collect();
        unique_names(checks, "hubs", &hub_names);
        if raw.hubs.is_empty() {
            checks.fail(
                format!("{m}.hubs"),
                "needs at least one hub, e.g. Tapachula",
            );
        }
        let mut hubs = Vec::new();
        for (i, h) in raw.hubs.iter().enumerate() {
            let p = format!("{m}.hubs[{i}]");
            checks.within(
                format!("{p}.papers_capacity_per_day"),
                h.papers_capacity_per_day,
                0.0,
                1e6,
            );
            checks.within(
                format!("{p}.papers_patience_days"),
                h.papers_patience_days,
                0.0,
                3650.0,
            );
            checks.within(format!("{p}.rest_days_mean"), h.rest_days_mean, 0.0, 365.0);
            hubs.push(Hub {
                name: h.name.clone(),
                place: hub_places[i],
                papers_capacity_per_day: h.papers_capacity_per_day,
                papers_patience_days: h.papers_patience_days,
                rest_days_mean: h.rest_days_mean,
            });
        }

        // Crossings.
        let crossing_names: Vec<String> = raw.crossings.iter().map(|c| c.name.clone()).collect();
        unique_names(checks, "crossings", &crossing_names);
        let mut crossings = Vec::new();
        for (i, c) in raw.crossings.iter().enumerate() {
            let p = format!("{m}.crossings[{i}]");
            let hub = find(checks, format!("{p}.hub"), &c.hub, &hub_names, "hub");
            checks.within(format!("{p}.km_to_hub"), c.km_to_hub, 0.0, 1000.0);
            share(checks, format!("{p}.detection_prob"), c.detection_prob);
            if let Some(hub) = hub {
                crossings.push(Crossing {
                    name: c.name.clone(),
                    hub,
                    km_to_hub: c.km_to_hub,
                    detection_prob: c.detection_prob,
                });
            }
        }

        // Modes.
        let mode_known: Vec<String> = MODE_NAMES.iter().map(|s| s.to_string()).collect();
        let mut modes: Vec<Option<Mode>> = vec![None; 4];
        for (i, md) in raw.modes.iter().enumerate() {
            let p = format!("{m}.modes[{i}]");
            let Some(k) = find(checks, format!("{p}.name"), &md.name, &mode_known, "mode") else {
                continue;
            };
            if modes[k].is_some() {
                checks.fail(
                    format!("{p}.name"),
                    format!("mode \"{}\" given twice", md.name),
                );
            }
            checks.within(
                format!("{p}.km_per_day_min"),
                md.km_per_day_min,
                0.1,
                5000.0,
            );
            checks.within(
                format!("{p}.km_per_day_max"),
                md.km_per_day_max,
                0.1,
                5000.0,
            );
            if md.km_per_day_max < md.km_per_day_min {
                checks.fail(format!("{p}.km_per_day_max"), "must be ≥ km_per_day_min");
            }
            checks.within(
                format!("{p}.departures_per_day"),
                md.departures_per_day,
                0.0,
                1440.0,
            );
            if md.departures_per_day > 0.0 {
                checks.within(format!("{p}.seats"), md.seats, 1.0, 1e5);
            }
            checks.within(
                format!("{p}.detection_factor"),
                md.detection_factor,
                0.0,
                100.0,
            );
            checks.within(
                format!("{p}.weight_irregular"),
                md.weight_irregular,
                0.0,
                1e6,
            );
            checks.within(format!("{p}.weight_papers"), md.weight_papers, 0.0, 1e6);
            modes[k] = Some(Mode {
                km_per_day_min: md.km_per_day_min,
                km_per_day_max: md.km_per_day_max,
                departures_per_day: md.departures_per_day,
                seats: md.seats,
                detection_factor: md.detection_factor,
                weight_irregular: md.weight_irregular,
                weight_papers: md.weight_papers,
            });
        }
        for (k, md) in modes.iter().enumerate() {
            if md.is_none() {
                checks.fail(
                    format!("{m}.modes"),
                    format!(
                        "mode \"{}\" is missing; give all of bus, truck, train, foot",
                        MODE_NAMES[k]
                    ),
                );
            }
        }

        // Legs.
        let leg_names: Vec<String> = raw.legs.iter().map(|l| l.name.clone()).collect();
        unique_names(checks, "legs", &leg_names);
        let mut legs = Vec::new();
        for (i, l) in raw.legs.iter().enumerate() {
            let p = format!("{m}.legs[{i}]");
            checks.within(
                format!("{p}.great_circle_km"),
                l.great_circle_km,
                0.1,
                5000.0,
            );
            let mut ms = [false; 4];
            for (j, name) in l.modes.iter().enumerate() {
                if let Some(k) = find(checks, format!("{p}.modes[{j}]"), name, &mode_known, "mode")
                {
                    ms[k] = true;
                }
            }
            if !ms.iter().any(|b| *b) {
                checks.fail(format!("{p}.modes"), "needs at least one mode");
            } else if !ms[3] && !ms[1] {
                checks.fail(
                    format!("{p}.modes"),
                    "needs \"foot\" or \"truck\": a leg must stay passable when scheduled modes are suspended",
                );
            }
            checks.probability(format!("{p}.checkpoint_detection"), l.checkpoint_detection);
            if l.checkpoints > 100 {
                checks.fail(format!("{p}.checkpoints"), "at most 100");
            }
            let region = match l.region.as_str() {
                "south" => Region::South,
                "transit" => Region::Transit,
                other => {
                    checks.fail(
                        format!("{p}.region"),
                        format!(
                            "unknown region \"{other}\"{}",
                            suggest(other, ["south".to_string(), "transit".to_string()])
                        ),
                    );
                    Region::Transit
                }
            };
            legs.push(Leg {
                name: l.name.clone(),
                km: l.great_circle_km * raw.road_factor,
                modes: ms,
                checkpoints: l.checkpoints,
                checkpoint_detection: l.checkpoint_detection,
                region,
            });
        }

        // Sectors.
        let sector_names: Vec<String> = raw.sectors.iter().map(|s| s.name.clone()).collect();
        unique_names(checks, "sectors", &sector_names);
        let mut sectors = Vec::new();
        for (i, s) in raw.sectors.iter().enumerate() {
            let p = format!("{m}.sectors[{i}]");
            share(
                checks,
                format!("{p}.apprehension_prob"),
                s.apprehension_prob,
            );
            checks.within(
                format!("{p}.custody_capacity"),
                s.custody_capacity,
                0.0,
                1e7,
            );
            checks.within(
                format!("{p}.processing_hours"),
                s.processing_hours,
                0.0,
                8760.0,
            );
            share(
                checks,
                format!("{p}.officers_boost_per_closed_port"),
                s.officers_boost_per_closed_port,
            );
            sectors.push(Sector {
                name: s.name.clone(),
                apprehension_prob: s.apprehension_prob,
                custody_capacity: s.custody_capacity,
                processing_hours: s.processing_hours,
                officers_boost_per_closed_port: s.officers_boost_per_closed_port,
            });
        }

        // Ports (city filled from cities below).
        let port_names: Vec<String> = raw.ports.iter().map(|p| p.name.clone()).collect();
        unique_names(checks, "ports", &port_names);
        let mut ports = Vec::new();
        for (i, pt) in raw.ports.iter().enumerate() {
            let p = format!("{m}.ports[{i}]");
            checks.within(format!("{p}.lanes"), pt.lanes, 0.0, 1000.0);
            checks.within(
                format!("{p}.service_minutes"),
                pt.service_minutes,
                0.1,
                1440.0,
            );
            checks.within(format!("{p}.hours_per_day"), pt.hours_per_day, 0.0, 24.0);
            checks.within(format!("{p}.opens_at_hour"), pt.opens_at_hour, 0.0, 24.0);
            if pt.opens_at_hour + pt.hours_per_day > 24.0 {
                checks.fail(
                    format!("{p}.hours_per_day"),
                    "opening hours must end by midnight (opens_at_hour + hours_per_day ≤ 24)",
                );
            }
            share(checks, format!("{p}.cbp_one_share"), pt.cbp_one_share);
            // A port that takes CBP One appointments must be able to serve
            // them: with no capacity, registrants would wait forever.
            if pt.cbp_one_share > 0.0 && (pt.lanes <= 0.0 || pt.hours_per_day <= 0.0) {
                checks.fail(
                    format!("{p}.lanes"),
                    format!(
                        "port \"{}\" takes CBP One appointments (cbp_one_share {}) but has no processing capacity \
                         (lanes {}, hours_per_day {}); give it lanes and hours, or set cbp_one_share to 0 \
                         (close it with a `port_state` intervention instead)",
                        pt.name, pt.cbp_one_share, pt.lanes, pt.hours_per_day
                    ),
                );
            }
            if let Some(t) = &pt.trigger {
                checks.within(
                    format!("{p}.trigger.close_above_per_day"),
                    t.close_above_per_day,
                    0.0,
                    1e6,
                );
                checks.within(
                    format!("{p}.trigger.reopen_below_per_day"),
                    t.reopen_below_per_day,
                    0.0,
                    t.close_above_per_day.max(0.0),
                );
                if t.reopen_after_days > 365 {
                    checks.fail(format!("{p}.trigger.reopen_after_days"), "at most 365");
                }
            }
            ports.push(Port {
                name: pt.name.clone(),
                city: usize::MAX,
                lanes: pt.lanes,
                service_minutes: pt.service_minutes,
                hours_per_day: pt.hours_per_day,
                opens_at_hour: pt.opens_at_hour,
                cbp_one_share: pt.cbp_one_share,
                trigger: pt.trigger.as_ref().map(|t| Trigger {
                    close_above_per_day: t.close_above_per_day,
                    reopen_below_per_day: t.reopen_below_per_day,
                    reopen_after_days: t.reopen_after_days,
                }),
            });
        }
        let cbp_sum: f64 = ports.iter().map(|p| p.cbp_one_share).sum();
        if (cbp_sum - 1.0).abs() > 1e-6 && !ports.is_empty() {
            checks.fail(
                format!("{m}.ports"),
                format!("cbp_one_share must sum to 1 over the ports (got {cbp_sum:.4})"),
            );
        }

        // Cities.
        let city_names: Vec<String> = raw.cities.iter().map(|c| c.name.clone()).collect();
        unique_names(checks, "cities", &city_names);
        if raw.cities.is_empty() {
            checks.fail(format!("{m}.cities"), "needs at least one northern city");
        }
        let mut cities = Vec::new();
        for (i, c) in raw.cities.iter().enumerate() {
            let p = format!("{m}.cities[{i}]");
            let sector = find(
                checks,
                format!("{p}.sector"),
                &c.sector,
                &sector_names,
                "sector",
            );
            let mut cps = Vec::new();
            for (j, pn) in c.ports.iter().enumerate() {
                if let Some(k) = find(checks, format!("{p}.ports[{j}]"), pn, &port_names, "port") {
                    if ports[k].city != usize::MAX {
                        checks.fail(
                            format!("{p}.ports[{j}]"),
                            format!("port \"{pn}\" already belongs to another city"),
                        );
                    }
                    ports[k].city = i;
                    cps.push(k);
                }
            }
            let cbp = find(
                checks,
                format!("{p}.cbp_one_port"),
                &c.cbp_one_port,
                &port_names,
                "port",
            );
            checks.within(
                format!("{p}.crossing_delay_days"),
                c.crossing_delay_days,
                0.0,
                365.0,
            );
            if let (Some(sector), Some(cbp)) = (sector, cbp) {
                cities.push(City {
                    name: c.name.clone(),
                    place: city_places[i],
                    sector,
                    ports: cps,
                    cbp_one_port: cbp,
                    crossing_delay_days: c.crossing_delay_days,
                });
            }
        }
        for (k, pt) in ports.iter().enumerate() {
            if pt.city == usize::MAX {
                checks.fail(
                    format!("{m}.ports[{k}]"),
                    format!("port \"{}\" is in no city's `ports`", pt.name),
                );
            }
        }

        // Routes.
        let place_names = places.clone();
        let route_names: Vec<String> = raw.routes.iter().map(|r| r.name.clone()).collect();
        unique_names(checks, "routes", &route_names);
        let mut routes = Vec::new();
        for (i, r) in raw.routes.iter().enumerate() {
            let p = format!("{m}.routes[{i}]");
            checks.nonempty(format!("{p}.corridor"), &r.corridor);
            checks.within(format!("{p}.weight"), r.weight, 0.0, 1e6);
            if r.via.len() < 2 {
                checks.fail(format!("{p}.via"), "needs at least a start and a city");
                continue;
            }
            let mut ids = Vec::new();
            for (j, n) in r.via.iter().enumerate() {
                if let Some(k) = find(checks, format!("{p}.via[{j}]"), n, &place_names, "place") {
                    ids.push(k);
                }
            }
            if ids.len() != r.via.len() {
                continue;
            }
            let mut rl = Vec::new();
            for (j, w) in ids.windows(2).enumerate() {
                match leg_ends.iter().position(|&(a, b)| a == w[0] && b == w[1]) {
                    Some(k) => rl.push(k),
                    None => checks.fail(
                        format!("{p}.via[{}]", j + 1),
                        format!(
                            "no leg from \"{}\" to \"{}\" in `legs`",
                            r.via[j],
                            r.via[j + 1]
                        ),
                    ),
                }
            }
            let last = ids[ids.len() - 1];
            let city = cities.iter().position(|c| c.place == last);
            if city.is_none() {
                checks.fail(
                    format!("{p}.via"),
                    format!(
                        "must end at a city in `cities` (ends at \"{}\")",
                        places[last]
                    ),
                );
            }
            if let (Some(city), true) = (city, rl.len() + 1 == ids.len()) {
                let km = rl
                    .iter()
                    .map(|&k| legs.get(k).map_or(0.0, |l: &Leg| l.km))
                    .sum();
                let cps = rl
                    .iter()
                    .map(|&k| legs.get(k).map_or(0, |l: &Leg| l.checkpoints))
                    .sum();
                routes.push(Route {
                    name: r.name.clone(),
                    corridor: r.corridor.clone(),
                    from: ids[0],
                    city,
                    legs: rl,
                    km,
                    checkpoints: cps,
                    weight: r.weight,
                });
            }
        }
        for h in &hubs {
            if !routes.iter().any(|r| r.from == h.place) {
                checks.fail(
                    format!("{m}.routes"),
                    format!("no route starts at hub \"{}\"", h.name),
                );
            }
        }
        let rc = &raw.route_choice;
        checks.within(
            format!("{m}.route_choice.km_cost_per_1000"),
            rc.km_cost_per_1000,
            0.0,
            100.0,
        );
        checks.within(
            format!("{m}.route_choice.checkpoint_cost"),
            rc.checkpoint_cost,
            0.0,
            100.0,
        );
        share(
            checks,
            format!("{m}.route_choice.closed_port_aversion"),
            rc.closed_port_aversion,
        );
        if rc.info_delay_days > 365 {
            checks.fail(format!("{m}.route_choice.info_delay_days"), "at most 365");
        }

        // Origins and daily rates.
        let origin_names: Vec<String> = raw.origins.iter().map(|o| o.name.clone()).collect();
        unique_names(checks, "origins", &origin_names);
        if raw.origins.is_empty() {
            checks.fail(format!("{m}.origins"), "needs at least one origin group");
        }
        let mut origins = Vec::new();
        let mut daily_rates = Vec::new();
        for (i, o) in raw.origins.iter().enumerate() {
            let p = format!("{m}.origins[{i}]");
            let crossing = crossing_names.iter().position(|c| *c == o.enters_at);
            let start_place = if crossing.is_none() {
                let k = place_names.iter().position(|c| *c == o.enters_at);
                match k {
                    Some(k) if routes.iter().any(|r| r.from == k) => Some(k),
                    _ => {
                        let known = crossing_names
                            .iter()
                            .cloned()
                            .chain(routes.iter().map(|r| places[r.from].clone()))
                            .collect::<Vec<_>>();
                        checks.fail(
                            format!("{p}.enters_at"),
                            format!(
                                "\"{}\" is neither a southern crossing nor a place where a route starts{}",
                                o.enters_at,
                                suggest(&o.enters_at, known)
                            ),
                        );
                        None
                    }
                }
            } else {
                None
            };
            for (f, v) in [
                ("family_share", o.family_share),
                ("wait_for_papers_share", o.wait_for_papers_share),
                ("cbp_one_share", o.cbp_one_share),
                ("walkup_share", o.walkup_share),
                ("expelled_under_title42", o.expelled_under_title42),
                ("removed_under_title8", o.removed_under_title8),
            ] {
                share(checks, format!("{p}.{f}"), v);
            }
            if o.cbp_one_share + o.walkup_share > 1.0 {
                checks.fail(
                    format!("{p}.walkup_share"),
                    "cbp_one_share + walkup_share must be ≤ 1 (the rest cross between ports)",
                );
            }
            checks.within(
                format!("{p}.base_persons_per_day"),
                o.base_persons_per_day,
                0.0,
                1e6,
            );
            checks.within(
                format!("{p}.persons_per_driver_person"),
                o.persons_per_driver_person,
                0.0,
                1e3,
            );
            checks.within(
                format!("{p}.driver_lag_days"),
                o.driver_lag_days,
                0.0,
                365.0,
            );
            let driver = match &o.driver {
                None => None,
                Some(d) => find(checks, format!("{p}.driver"), d, &driver_names, "driver"),
            };
            let rates: Vec<f64> = (0..cal.days)
                .map(|d| {
                    let date = day_number(cal.date(d)) + 0.5 - o.driver_lag_days;
                    let from_driver = driver
                        .and_then(|k| drivers.get(k))
                        .map_or(0.0, |dr| driver_rate(&dr.monthly, date));
                    o.base_persons_per_day + o.persons_per_driver_person * from_driver
                })
                .collect();
            if rates.iter().any(|r| !r.is_finite() || *r > 1e6) {
                checks.fail(
                    format!("{p}.persons_per_driver_person"),
                    "gives an arrival rate above 1,000,000 persons/day",
                );
            }
            daily_rates.push(rates);
            origins.push(Origin {
                name: o.name.clone(),
                crossing,
                start_place,
                mexican: o.mexican,
                family_share: o.family_share,
                wait_for_papers_share: o.wait_for_papers_share,
                cbp_one_share: o.cbp_one_share,
                walkup_share: o.walkup_share,
                expelled_under_title42: o.expelled_under_title42,
                removed_under_title8: o.removed_under_title8,
            });
        }

        // Mexico.
        let mx = &raw.mexico;
        let mp = format!("{m}.mexico");
        checks.within(
            format!("{mp}.enforcement_personnel"),
            mx.enforcement_personnel,
            0.0,
            1e6,
        );
        checks.within(
            format!("{mp}.reference_personnel"),
            mx.reference_personnel,
            1.0,
            1e6,
        );
        checks.within(
            format!("{mp}.papers_detection_factor"),
            mx.papers_detection_factor,
            0.0,
            10.0,
        );
        checks.within(
            format!("{mp}.detention_days"),
            mx.detention_days,
            0.0,
            365.0,
        );
        checks.within(
            format!("{mp}.relocation_days"),
            mx.relocation_days,
            0.0,
            365.0,
        );
        checks.within(
            format!("{mp}.retry_rest_days"),
            mx.retry_rest_days,
            0.0,
            365.0,
        );
        let outcomes = DetentionOutcomes {
            relocate: mx.relocate_share,
            papers: mx.papers_share,
            deport: mx.deport_share,
            settle: mx.settle_share,
        };
        check_outcomes(checks, &mp, &outcomes);

        // North.
        let cb = &raw.cbp_one;
        let cp = format!("{m}.cbp_one");
        checks.within(format!("{cp}.draw_at_hour"), cb.draw_at_hour, 0.0, 23.99);
        checks.within(
            format!("{cp}.patience_days_mean"),
            cb.patience_days_mean,
            0.01,
            3650.0,
        );
        share(
            checks,
            format!("{cp}.patience_cross_share"),
            cb.patience_cross_share,
        );
        checks.within(
            format!("{cp}.appointment_lead_days"),
            cb.appointment_lead_days,
            0.0,
            365.0,
        );
        checks.within(format!("{cp}.move_city_days"), cb.move_city_days, 0.0, 60.0);
        let bp = &raw.between_ports;
        let bpp = format!("{m}.between_ports");
        let when_full = match bp.custody_when_full.as_str() {
            "release" => WhenFull::Release,
            "hold" => WhenFull::Hold,
            other => {
                checks.fail(
                    format!("{bpp}.custody_when_full"),
                    format!(
                        "unknown policy \"{other}\"{}",
                        suggest(other, ["release".to_string(), "hold".to_string()])
                    ),
                );
                WhenFull::Release
            }
        };
        share(
            checks,
            format!("{bpp}.retry_after_expulsion"),
            bp.retry_after_expulsion,
        );
        share(
            checks,
            format!("{bpp}.retry_after_removal"),
            bp.retry_after_removal,
        );
        checks.within(
            format!("{bpp}.retry_delay_days"),
            bp.retry_delay_days,
            0.0,
            365.0,
        );
        checks.within(
            format!("{bpp}.walkup_patience_days_mean"),
            bp.walkup_patience_days_mean,
            0.0,
            365.0,
        );
        share(
            checks,
            format!("{bpp}.title42_walkup_accept"),
            bp.title42_walkup_accept,
        );
        share(
            checks,
            format!("{bpp}.replan_cross_share"),
            bp.replan_cross_share,
        );

        // Caravans.
        let caravan_names: Vec<String> = raw.caravans.iter().map(|c| c.name.clone()).collect();
        unique_names(checks, "caravans", &caravan_names);
        let mut caravans = Vec::new();
        for (i, c) in raw.caravans.iter().enumerate() {
            let p = format!("{m}.caravans[{i}]");
            let hub = find(checks, format!("{p}.hub"), &c.hub, &hub_names, "hub");
            let start_day = c
                .start
                .as_ref()
                .and_then(|s| checks.date(format!("{p}.start"), s))
                .map(|d| cal.day_index(d));
            if c.start.is_some() == c.trigger_waiting_above.is_some() {
                checks.fail(
                    p.to_string(),
                    "give exactly one of `start` (a date) or `trigger_waiting_above` (persons)",
                );
            }
            if let Some(t) = c.trigger_waiting_above {
                checks.within(format!("{p}.trigger_waiting_above"), t, 0.0, 1e7);
            }
            checks.within(format!("{p}.target_size"), c.target_size, 1.0, 1e6);
            checks.within(format!("{p}.walk_km_min"), c.walk_km_min, 0.0, 100.0);
            checks.within(format!("{p}.walk_km_max"), c.walk_km_max, 0.0, 100.0);
            if c.walk_km_max < c.walk_km_min {
                checks.fail(format!("{p}.walk_km_max"), "must be ≥ walk_km_min");
            }
            share(checks, format!("{p}.walk_day_share"), c.walk_day_share);
            share(
                checks,
                format!("{p}.shed_share_per_day"),
                c.shed_share_per_day,
            );
            checks.within(
                format!("{p}.detection_factor"),
                c.detection_factor,
                0.0,
                10.0,
            );
            share(
                checks,
                format!("{p}.papers_bus_south_share"),
                c.papers_bus_south_share,
            );
            let dissolve_day = c
                .dissolve_on
                .as_ref()
                .and_then(|s| checks.date(format!("{p}.dissolve_on"), s))
                .map(|d| cal.day_index(d));
            if c.dissolve_on.is_none()
                && c.dissolve_after_days.is_none()
                && c.dissolve_at_km.is_none()
            {
                checks.fail(
                    p.to_string(),
                    "give at least one of `dissolve_on`, `dissolve_after_days`, `dissolve_at_km`",
                );
            }
            if let Some(h) = hub {
                caravans.push(Caravan {
                    name: c.name.clone(),
                    hub: h,
                    start_day,
                    trigger_waiting_above: c.trigger_waiting_above,
                    target_size: c.target_size,
                    walk_km_min: c.walk_km_min,
                    walk_km_max: c.walk_km_max,
                    walk_day_share: c.walk_day_share,
                    shed_share_per_day: c.shed_share_per_day,
                    detection_factor: c.detection_factor,
                    halt_at_km: c.halt_at_km,
                    dissolve_day,
                    dissolve_after_days: c.dissolve_after_days,
                    dissolve_at_km: c.dissolve_at_km,
                    papers_bus_south_share: c.papers_bus_south_share,
                });
            }
        }

        // Interventions.
        let iv_names: Vec<String> = raw.interventions.iter().map(|c| c.name.clone()).collect();
        unique_names(checks, "interventions", &iv_names);
        let mut interventions = Vec::new();
        for (i, iv) in raw.interventions.iter().enumerate() {
            let p = format!("{m}.interventions[{i}]");
            if let Some(x) =
                check_intervention(checks, &p, iv, cal, &port_names, &origin_names, &mode_known)
            {
                interventions.push(x);
            }
        }

        if checks.problems.len() != before {
            return None;
        }
        let modes: Vec<Mode> = modes.into_iter().flatten().collect();
        let fsum: f64 = raw.family_size_weights.iter().sum();
        Some(BorderParams {
            spinup_days: raw.spinup_days,
            family_size_weights: raw.family_size_weights.iter().map(|w| w / fsum).collect(),
            origins,
            daily_rates,
            mexico: Mexico {
                enforcement_personnel: mx.enforcement_personnel,
                reference_personnel: mx.reference_personnel,
                papers_detection_factor: mx.papers_detection_factor,
                detention_days: mx.detention_days,
                relocation_days: mx.relocation_days,
                outcomes,
                retry_rest_days: mx.retry_rest_days,
            },
            crossings,
            hubs,
            places,
            modes,
            legs,
            routes,
            route_choice: RouteChoice {
                km_cost_per_1000: rc.km_cost_per_1000,
                checkpoint_cost: rc.checkpoint_cost,
                closed_port_aversion: rc.closed_port_aversion,
                info_delay_days: rc.info_delay_days,
            },
            cities,
            ports,
            cbp_one: CbpOne {
                draw_at_hour: cb.draw_at_hour,
                patience_days_mean: cb.patience_days_mean,
                patience_cross_share: cb.patience_cross_share,
                appointment_lead_days: cb.appointment_lead_days,
                move_city_days: cb.move_city_days,
            },
            sectors,
            between_ports: BetweenPorts {
                custody_when_full: when_full,
                retry_after_expulsion: bp.retry_after_expulsion,
                retry_after_removal: bp.retry_after_removal,
                retry_delay_days: bp.retry_delay_days,
                walkup_patience_days_mean: bp.walkup_patience_days_mean,
                title42_walkup_accept: bp.title42_walkup_accept,
                replan_cross_share: bp.replan_cross_share,
            },
            caravans,
            interventions,
            drivers,
        })
    }
}

/// Checks detention outcome shares: each in [0, 1], summing to 1.
fn check_outcomes(checks: &mut Checks, p: &str, o: &DetentionOutcomes) {
    for (f, v) in [
        ("relocate_share", o.relocate),
        ("papers_share", o.papers),
        ("deport_share", o.deport),
        ("settle_share", o.settle),
    ] {
        checks.probability(format!("{p}.{f}"), v);
    }
    let s = o.relocate + o.papers + o.deport + o.settle;
    if (s - 1.0).abs() > 1e-6 {
        checks.fail(
            p.to_string(),
            format!("relocate, papers, deport and settle shares must sum to 1 (got {s:.4})"),
        );
    }
}

/// Checks one intervention and resolves its names; `None` if it has problems.
fn check_intervention(
    checks: &mut Checks,
    p: &str,
    iv: &RawIntervention,
    cal: &Calendar,
    ports: &[String],
    origins: &[String],
    modes: &[String],
) -> Option<Intervention> {
    let from = checks.date(format!("{p}.from"), &iv.from);
    let until = match &iv.until {
        None => Some(None),
        Some(s) => checks.date(format!("{p}.until"), s).map(Some),
    };
    if let (Some(f), Some(Some(u))) = (from, until)
        && u < f
    {
        checks.fail(format!("{p}.until"), format!("{u} is before `from` {f}"));
    }
    // An intervention that can never apply is almost always a typo in a
    // year; refuse it rather than run a scenario without it.
    if let Some(f) = from
        && f > cal.end()
    {
        checks.fail(
            format!("{p}.from"),
            format!(
                "{f} is outside the simulated period ({} to {}): the intervention would never apply",
                cal.start,
                cal.end()
            ),
        );
    }
    if let Some(Some(u)) = until
        && u < cal.start
    {
        checks.fail(
            format!("{p}.until"),
            format!(
                "{u} is outside the simulated period ({} to {}): the intervention would never apply",
                cal.start,
                cal.end()
            ),
        );
    }
    let need = |checks: &mut Checks, field: &str, v: Option<f64>| -> Option<f64> {
        if v.is_none() {
            checks.fail(
                format!("{p}.{field}"),
                format!("kind \"{}\" needs `{field}`", iv.kind),
            );
        }
        v
    };
    let port = |checks: &mut Checks| -> Option<Option<usize>> {
        match iv.port.as_deref() {
            None | Some("*") => Some(None),
            Some(n) => find(checks, format!("{p}.port"), n, ports, "port").map(Some),
        }
    };
    let action = match iv.kind.as_str() {
        "title42" => Some(Action::Title42),
        "cbp_one_slots" => match (iv.slots_per_day, iv.multiplier) {
            (Some(s), None) => {
                checks.within(format!("{p}.slots_per_day"), s, 0.0, 1e6);
                Some(Action::CbpOneSlots(s))
            }
            (None, Some(x)) => {
                checks.within(format!("{p}.multiplier"), x, 0.0, 1e3);
                Some(Action::CbpOneMultiplier(x))
            }
            _ => {
                checks.fail(
                    p.to_string(),
                    "kind \"cbp_one_slots\" needs exactly one of `slots_per_day` or `multiplier`",
                );
                None
            }
        },
        "port_state" => {
            let port = port(checks);
            let fraction = match iv.state.as_deref() {
                Some("open") => Some(1.0),
                Some("closed") => Some(0.0),
                Some("partial") => {
                    let f = need(checks, "fraction", iv.fraction);
                    if let Some(f) = f {
                        checks.probability(format!("{p}.fraction"), f);
                    }
                    f
                }
                other => {
                    let o = other.unwrap_or("");
                    checks.fail(
                        format!("{p}.state"),
                        format!(
                            "\"{o}\" is not a port state{}",
                            suggest(
                                o,
                                ["open", "partial", "closed"].iter().map(|s| s.to_string())
                            )
                        ),
                    );
                    None
                }
            };
            match (port, fraction) {
                (Some(port), Some(fraction)) => Some(Action::PortState { port, fraction }),
                _ => None,
            }
        }
        "port_capacity" => {
            let port = port(checks);
            let x = need(checks, "multiplier", iv.multiplier);
            if let Some(x) = x {
                checks.within(format!("{p}.multiplier"), x, 0.0, 100.0);
            }
            match (port, x) {
                (Some(port), Some(multiplier)) => Some(Action::PortCapacity { port, multiplier }),
                _ => None,
            }
        }
        "mexico_enforcement" => {
            let region = match iv.region.as_deref() {
                None | Some("all") => Some(None),
                Some("south") => Some(Some(Region::South)),
                Some("transit") => Some(Some(Region::Transit)),
                Some(o) => {
                    checks.fail(
                        format!("{p}.region"),
                        format!(
                            "unknown region \"{o}\"{}",
                            suggest(o, ["south", "transit", "all"].iter().map(|s| s.to_string()))
                        ),
                    );
                    None
                }
            };
            let x = need(checks, "multiplier", iv.multiplier);
            if let Some(x) = x {
                checks.within(format!("{p}.multiplier"), x, 0.0, 100.0);
            }
            match (region, x) {
                (Some(region), Some(multiplier)) => {
                    Some(Action::MexicoEnforcement { region, multiplier })
                }
                _ => None,
            }
        }
        "mode_suspension" => {
            let name = iv.mode.clone().unwrap_or_default();
            find(checks, format!("{p}.mode"), &name, modes, "mode").map(Action::ModeSuspension)
        }
        "detention_outcomes" => {
            let o = DetentionOutcomes {
                relocate: need(checks, "relocate_share", iv.relocate_share).unwrap_or(0.0),
                papers: need(checks, "papers_share", iv.papers_share).unwrap_or(0.0),
                deport: need(checks, "deport_share", iv.deport_share).unwrap_or(0.0),
                settle: need(checks, "settle_share", iv.settle_share).unwrap_or(0.0),
            };
            check_outcomes(checks, p, &o);
            Some(Action::DetentionOutcomes(o))
        }
        "crossing_delay" => {
            let x = need(checks, "multiplier", iv.multiplier);
            if let Some(x) = x {
                checks.within(format!("{p}.multiplier"), x, 0.01, 100.0);
            }
            x.map(Action::CrossingDelay)
        }
        "arrival_surge" => {
            let mut list = Vec::new();
            let mut ok = true;
            for (j, n) in iv.origins.iter().enumerate() {
                match find(checks, format!("{p}.origins[{j}]"), n, origins, "origin") {
                    Some(k) => list.push(k),
                    None => ok = false,
                }
            }
            let origin = ok.then_some(list);
            let x = need(checks, "multiplier", iv.multiplier);
            if let Some(x) = x {
                checks.within(format!("{p}.multiplier"), x, 0.0, 100.0);
            }
            match (origin, x) {
                (Some(origins), Some(multiplier)) => Some(Action::ArrivalSurge {
                    origins,
                    multiplier,
                }),
                _ => None,
            }
        }
        other => {
            checks.fail(
                format!("{p}.kind"),
                format!(
                    "unknown intervention kind \"{other}\"{}",
                    suggest(other, INTERVENTION_KINDS.iter().map(|s| s.to_string()))
                ),
            );
            None
        }
    };
    let (from, until) = (from?, until?);
    Some(Intervention {
        name: iv.name.clone(),
        from_day: cal.day_index(from),
        until_day: until.map_or(i64::MAX, |u| cal.day_index(u) + 1),
        action: action?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use ron::Value;

    use super::*;

    /// A calendar starting at chrono's first date (validation never builds
    /// one: dates are in years 1 to 9999) gets a problem at
    /// `model.spinup_days` instead of an overflow panic.
    #[test]
    fn spin_up_before_the_first_date_is_a_problem_not_a_panic() {
        let v = crate::scenario::source::load_file(Path::new("scenarios/baseline.ron")).unwrap();
        let Value::Map(root) = v else {
            panic!("the baseline is a struct")
        };
        let Some(Value::Map(mut model)) = root.get(&Value::String("model".into())).cloned() else {
            panic!("the baseline has a model")
        };
        model.remove(&Value::String("kind".into()));
        let cal = Calendar {
            start: NaiveDate::MIN,
            days: 30,
        };
        let mut checks = Checks::default();
        assert!(BorderParams::from_value(Value::Map(model), &cal, &mut checks).is_none());
        assert_eq!(
            checks.problems[0].path, "model.spinup_days",
            "{:?}",
            checks.problems
        );
    }
}
