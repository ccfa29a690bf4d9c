//! Border model parameters: the scenario's `model` section read, checked and resolved into [`BorderParams`].
//!
//! Every name is resolved to an index and every value checked here, so the
//! simulation never looks up a name or checks a range. Every problem in the
//! `model` section is reported at once, by scenario path
//! (`model.ports["Lukeville"].lanes`, the syntax `set` accepts), with a "did
//! you mean" for unknown names and fields.
//!
//! One file per mechanism, as in `border/model/`:
//!
//! | file | section |
//! |---|---|
//! | `origins` | `origins`, `drivers`: arrival groups and their daily rates |
//! | `mexico` | `mexico`, `crossings`: enforcement, detention outcomes |
//! | `transit` | `hubs`, `modes`, `legs`, `routes`, `route_choice` |
//! | `north` | `cities`, `cbp_one` |
//! | `ports` | `ports` and their closure triggers |
//! | `sectors` | `sectors`, `between_ports` |
//! | `caravans` | `caravans` |
//! | `stock` | `central_stock`: people waiting in central Mexico |
//! | `departures` | `home_departures`: departures from home follow the prospect at the border |
//! | `families` | `families`: how a family is returned apart from a single traveller |
//! | `policy` | `interventions`, a tagged enum by `kind` |
//! | `asylum` | rules limiting asylum: shares, fading, trigger, `strength_of` |
//! | `reference` | each intervention kind documented, for `docs/reference.md` |
//!
//! How a parameter is written down: once as a field with its doc and unit
//! (`/// Processing positions (officers) [lanes]`), and once in its type's
//! `check`, one line per field with its range (`c.within("lanes", v, 0.0,
//! 1000.0)`). Where the validated type needs nothing resolved it *is* the
//! raw type (`Sector`, `CbpOne`, `Port`, …: serde reads it directly); only
//! types with names to resolve or units to convert keep a `Raw*` form. Why
//! a check method rather than a declarative range table or a macro: serde
//! attributes cannot express a range, a macro would hide the struct from
//! rustdoc and the reader, and a table of (name, getter, range) would name
//! each field a third time. The check sits directly below the struct, so the
//! unit and the range are one screen apart and the path is never spelled out:
//! the [`Checks`] path stack adds `model.ports["Lukeville"]` itself.
//!
//! Reading happens in two steps: each list entry and section is read on its
//! own ([`Deferred`]), so a type error or unknown field in one entry does not
//! hide those in the others; then, if every list was read, the checks that
//! cross sections (names, routes, sums) run.

mod asylum;
mod caravans;
mod departures;
mod families;
mod mexico;
mod north;
mod origins;
mod policy;
mod ports;
pub mod reference;
mod sectors;
mod stock;
mod transit;

use ron::Value;
use serde::Deserialize;

pub use asylum::{AsylumLimits, LimitTrigger};
pub use caravans::Caravan;
pub use departures::HomeDepartures;
pub use families::Families;
pub use mexico::{Crossing, DetentionOutcomes, Mexico};
pub use north::{CbpOne, City};
pub use origins::{
    DATA_GROUPS, DataGroup, Driver, OTHER_GROUP, Origin, OriginGroups, driver_rate, group_name,
};
pub use policy::{Action, INTERVENTION_KINDS, Intervention};
pub use ports::{Port, Trigger};
pub use sectors::{BetweenPorts, Sector, WhenFull};
pub use stock::CentralStock;
pub use transit::{Hub, Leg, Mode, Region, Route, RouteChoice};

use crate::calendar::Calendar;
use crate::validate::{Checks, Deferred, Names, entry_names};
use caravans::RawCaravan;
use mexico::RawMexico;
use north::{CityLinks, RawCity};
use origins::{OriginLinks, RawDriver, RawOrigin};
use policy::{PolicyNames, RawIntervention};
use stock::RawCentralStock;
use transit::{Graph, Places, RawLeg, RawMode, RawRoute};

/// The four travel modes, in the order of [`Mode`] indices and of the
/// `in_transit:<mode>` metrics.
pub const MODE_NAMES: [&str; 4] = ["bus", "truck", "train", "foot"];

/// Index of the freight-train mode in [`MODE_NAMES`].
pub const TRAIN: usize = 2;

/// Most entries in one list: ids are stored compactly (u16 in events and
/// parties).
const MAX_ENTRIES: usize = 10_000;

/// Reads an optional field written bare (`until: "2024-01-04"`), as scenarios
/// are merged as untyped RON values where `Some(…)` would be noise.
fn bare<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// The `model` section as written, each part kept for reading on its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBorder {
    #[serde(default)]
    spinup_days: u32,
    road_factor: f64,
    family_size_weights: Vec<f64>,
    drivers: Vec<Deferred<RawDriver>>,
    origins: Vec<Deferred<RawOrigin>>,
    mexico: Deferred<RawMexico>,
    crossings: Vec<Deferred<mexico::RawCrossing>>,
    hubs: Vec<Deferred<Hub>>,
    modes: Vec<Deferred<RawMode>>,
    legs: Vec<Deferred<RawLeg>>,
    routes: Vec<Deferred<RawRoute>>,
    route_choice: Deferred<RouteChoice>,
    cities: Vec<Deferred<RawCity>>,
    ports: Vec<Deferred<Port>>,
    cbp_one: Deferred<CbpOne>,
    sectors: Vec<Deferred<Sector>>,
    between_ports: Deferred<BetweenPorts>,
    #[serde(default, deserialize_with = "bare")]
    central_stock: Option<Deferred<RawCentralStock>>,
    #[serde(default, deserialize_with = "bare")]
    home_departures: Option<Deferred<HomeDepartures>>,
    #[serde(default, deserialize_with = "bare")]
    families: Option<Deferred<Families>>,
    #[serde(default)]
    caravans: Vec<Deferred<RawCaravan>>,
    #[serde(default)]
    interventions: Vec<Value>,
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
    /// People waiting in central Mexico on their way north; `None`: nobody
    /// stops (the hand baseline).
    pub central_stock: Option<CentralStock>,
    /// How departures from home follow the prospect at the border; `None`:
    /// the rates written (the hand baseline).
    pub home_departures: Option<HomeDepartures>,
    /// How a family is returned apart from a single traveller; `None`:
    /// everyone of an origin alike (the hand baseline).
    pub families: Option<Families>,
    /// Caravans.
    pub caravans: Vec<Caravan>,
    /// Interventions.
    pub interventions: Vec<Intervention>,
    /// Monthly drivers (documentation only; already folded into `daily_rates`).
    pub drivers: Vec<Driver>,
}

/// The `model` section with every part read into its type. A section, a
/// caravan or an intervention that failed to read is `None`: nothing refers
/// to it by name, so the rest is still checked. A list that others refer to
/// (ports, hubs, …) stops validation if an entry failed, before the checks
/// across sections, whose messages would only echo the failure.
struct Parts {
    spinup_days: u32,
    road_factor: f64,
    family_size_weights: Vec<f64>,
    drivers: Vec<RawDriver>,
    origins: Vec<RawOrigin>,
    mexico: Option<RawMexico>,
    crossings: Vec<mexico::RawCrossing>,
    hubs: Vec<Hub>,
    modes: Vec<RawMode>,
    legs: Vec<RawLeg>,
    routes: Vec<RawRoute>,
    route_choice: Option<RouteChoice>,
    cities: Vec<RawCity>,
    ports: Vec<Port>,
    cbp_one: Option<CbpOne>,
    sectors: Vec<Sector>,
    between_ports: Option<BetweenPorts>,
    central_stock: Option<Option<RawCentralStock>>,
    home_departures: Option<Option<HomeDepartures>>,
    families: Option<Option<Families>>,
    caravans: Vec<Option<RawCaravan>>,
    interventions: Vec<Option<RawIntervention>>,
}

/// The southern and transit network, checked and resolved: what origins,
/// caravans and interventions refer to.
struct Network {
    drivers: Vec<Driver>,
    driver_names: Names,
    places: Places,
    hubs: Vec<Hub>,
    hub_names: Names,
    crossings: Vec<Crossing>,
    crossing_names: Names,
    modes: Vec<Option<Mode>>,
    legs: Vec<Leg>,
    sectors: Vec<Sector>,
    ports: Vec<Port>,
    port_names: Names,
    cities: Vec<City>,
    routes: Vec<Route>,
}

/// The names of a list's entries, for its table.
fn names_of<T>(items: &[T], name: impl Fn(&T) -> &String) -> Vec<String> {
    items.iter().map(|x| name(x).clone()).collect()
}

impl BorderParams {
    /// Checks the `model` section of a border scenario.
    pub(crate) fn from_value(v: Value, scenario: &Calendar, checks: &mut Checks) -> Option<Self> {
        checks.at("model", |c| {
            let raw: RawBorder = c.deserialize(v, "")?;
            Parts::read(c, raw)?.check(c, scenario)
        })
    }
}

impl Parts {
    /// Reads every entry of every list and every section, reporting all
    /// that fail; `None` if a list is too long or an entry failed.
    fn read(c: &mut Checks, raw: RawBorder) -> Option<Parts> {
        let lengths = [
            ("origins", raw.origins.len()),
            ("hubs", raw.hubs.len()),
            ("legs", raw.legs.len()),
            ("routes", raw.routes.len()),
            ("cities", raw.cities.len()),
            ("ports", raw.ports.len()),
            ("sectors", raw.sectors.len()),
            ("caravans", raw.caravans.len()),
        ];
        for (list, n) in lengths {
            if n > MAX_ENTRIES {
                c.fail(list, format!("at most {MAX_ENTRIES} entries (got {n})"));
                return None;
            }
        }
        let drivers = c.read_list("drivers", raw.drivers);
        let origins = c.read_list("origins", raw.origins);
        let mexico = c.read("mexico", raw.mexico);
        let crossings = c.read_list("crossings", raw.crossings);
        let hubs = c.read_list("hubs", raw.hubs);
        let modes = c.read_list("modes", raw.modes);
        let legs = c.read_list("legs", raw.legs);
        let routes = c.read_list("routes", raw.routes);
        let route_choice = c.read("route_choice", raw.route_choice);
        let cities = c.read_list("cities", raw.cities);
        let ports = c.read_list("ports", raw.ports);
        let cbp_one = c.read("cbp_one", raw.cbp_one);
        let sectors = c.read_list("sectors", raw.sectors);
        let between_ports = c.read("between_ports", raw.between_ports);
        // Absent: no stock (`Some(None)` is a stock that failed to read).
        let central_stock = raw.central_stock.map(|s| c.read("central_stock", s));
        let home_departures = raw.home_departures.map(|d| c.read("home_departures", d));
        let families = raw.families.map(|f| c.read("families", f));
        let caravans = c.read_each("caravans", raw.caravans);
        // Each intervention is read by its kind (see `policy`).
        let names = entry_names(&raw.interventions);
        let interventions = c.each("interventions", &names, raw.interventions, |c, _, v| {
            policy::read(c, v)
        });
        let routes = routes?;
        for (i, r) in routes.iter().enumerate() {
            if r.via.len() > 200 {
                c.at("routes", |c| {
                    c.index(i, |c| c.fail("via", "at most 200 places"))
                });
                return None;
            }
        }
        Some(Parts {
            spinup_days: raw.spinup_days,
            road_factor: raw.road_factor,
            family_size_weights: raw.family_size_weights,
            drivers: drivers?,
            origins: origins?,
            mexico,
            crossings: crossings?,
            hubs: hubs?,
            modes: modes?,
            legs: legs?,
            routes,
            route_choice,
            cities: cities?,
            ports: ports?,
            cbp_one,
            sectors: sectors?,
            between_ports,
            central_stock,
            home_departures,
            families,
            caravans,
            interventions,
        })
    }

    /// Checks every value and resolves every name, with `scenario` the
    /// simulated period; `None` if there is any problem.
    fn check(self, c: &mut Checks, scenario: &Calendar) -> Option<BorderParams> {
        let Parts {
            spinup_days,
            road_factor,
            family_size_weights,
            drivers,
            origins,
            mexico,
            crossings,
            hubs,
            modes,
            legs,
            routes,
            route_choice,
            cities,
            ports,
            cbp_one,
            sectors,
            between_ports,
            central_stock,
            mut home_departures,
            families,
            caravans,
            interventions,
        } = self;
        let before = c.problems.len();
        let cal = &spun_up(c, spinup_days, scenario)?;
        c.within("road_factor", road_factor, 1.0, 3.0);
        check_family_sizes(c, &family_size_weights);
        let network = NetworkParts {
            drivers,
            crossings,
            hubs,
            modes,
            legs,
            routes,
            cities,
            ports,
            sectors,
            road_factor,
        };
        let net = Network::check(c, network);
        if let Some(rc) = &route_choice {
            c.at("route_choice", |c| rc.check(c));
        }

        let origin_names = c.unique_names("origins", "origin", names_of(&origins, |o| &o.name));
        if origins.is_empty() {
            c.fail("origins", "needs at least one origin group");
        }
        let links = OriginLinks {
            crossings: &net.crossing_names,
            places: &net.places,
            routes: &net.routes,
            driver_names: &net.driver_names,
            drivers: &net.drivers,
        };
        let checked = c.each("origins", &origin_names, origins, |c, _, o| {
            o.check(c, cal, &links)
        });
        let (origins, daily_rates): (Vec<Origin>, Vec<Vec<f64>>) = checked.into_iter().unzip();

        let mexico = mexico.map(|m| c.at("mexico", |c| m.check(c)));
        if let Some(cb) = &cbp_one {
            c.at("cbp_one", |c| cb.check(c));
        }
        if let Some(bp) = &between_ports {
            c.at("between_ports", |c| bp.check(c));
        }
        let central_stock = central_stock.map(|s| {
            c.at("central_stock", |c| {
                s?.check(c, &net.places.names, &net.places.legs, &net.routes)
            })
        });

        if let Some(Some(d)) = &mut home_departures {
            c.at("home_departures", |c| d.check(c, &origin_names, &origins));
        }
        if let Some(Some(f)) = &families {
            c.at("families", |c| f.check(c));
        }

        let names = caravans.iter().map(|x| x.as_ref().map(|x| x.name.clone()));
        let caravan_names: Names = c.unique_read_names("caravans", "caravan", names.collect());
        let caravans = c.each("caravans", &caravan_names, caravans, |c, _, x| {
            x?.check(c, cal, &net.hub_names)
        });

        let names = interventions.iter().map(|x| x.as_ref().map(policy::name));
        let iv_names: Names = c.unique_read_names("interventions", "intervention", names.collect());
        let policy_names = PolicyNames {
            ports: &net.port_names,
            origins: &origin_names,
            modes: &transit::mode_names(),
        };
        let has_stock = central_stock.is_some();
        let links = policy::strength_links(&interventions);
        let mut interventions = c.each("interventions", &iv_names, interventions, |c, _, iv| {
            let iv = iv?.check(c, cal, &policy_names)?;
            if matches!(iv.action, Action::StockRelease(_)) && !has_stock {
                c.fail(
                    "kind",
                    "`stock_release` needs a `central_stock` in the model (there is none to release)",
                );
            }
            Some(iv)
        });
        asylum::link_strengths(c, &links, &iv_names, &mut interventions);

        if !c.clean_since(before) {
            return None;
        }
        let fsum: f64 = family_size_weights.iter().sum();
        Some(BorderParams {
            spinup_days,
            family_size_weights: family_size_weights.iter().map(|w| w / fsum).collect(),
            origins,
            daily_rates,
            mexico: mexico?,
            crossings: net.crossings,
            hubs: net.hubs,
            places: net.places.names.names().to_vec(),
            modes: net.modes.into_iter().flatten().collect(),
            legs: net.legs,
            routes: net.routes,
            route_choice: route_choice?,
            cities: net.cities,
            ports: net.ports,
            cbp_one: cbp_one?,
            sectors: net.sectors,
            between_ports: between_ports?,
            // Absent: `None`; present but failed to read: no model.
            central_stock: central_stock.map_or(Some(None), |s| s.map(Some))?,
            home_departures: home_departures.map_or(Some(None), |d| d.map(Some))?,
            families: families.map_or(Some(None), |f| f.map(Some))?,
            caravans: caravans.into_iter().flatten().collect(),
            interventions: interventions.into_iter().flatten().collect(),
            drivers: net.drivers,
        })
    }
}

/// The lists that make up the network, as read.
struct NetworkParts {
    drivers: Vec<RawDriver>,
    crossings: Vec<mexico::RawCrossing>,
    hubs: Vec<Hub>,
    modes: Vec<RawMode>,
    legs: Vec<RawLeg>,
    routes: Vec<RawRoute>,
    cities: Vec<RawCity>,
    ports: Vec<Port>,
    sectors: Vec<Sector>,
    road_factor: f64,
}

impl Network {
    /// Checks drivers, hubs, crossings, modes, legs, sectors, ports, cities
    /// and routes, in that order (each refers only to those before it).
    fn check(c: &mut Checks, p: NetworkParts) -> Network {
        let driver_names = c.unique_names("drivers", "driver", names_of(&p.drivers, |d| &d.name));
        let drivers = c.each("drivers", &driver_names, p.drivers, |c, _, d| d.check(c));

        let city_names: Vec<&str> = p.cities.iter().map(|x| x.name.as_str()).collect();
        let places = Places::new(&p.hubs, &city_names, &p.legs);

        let hub_names = c.unique_names("hubs", "hub", names_of(&p.hubs, |h| &h.name));
        if p.hubs.is_empty() {
            c.fail("hubs", "needs at least one hub, e.g. Tapachula");
        }
        let hubs = c.each("hubs", &hub_names, p.hubs, |c, i, h| {
            h.check(c, places.hubs[i])
        });

        let crossing_names =
            c.unique_names("crossings", "crossing", names_of(&p.crossings, |x| &x.name));
        let crossings = c.each("crossings", &crossing_names, p.crossings, |c, _, x| {
            x.check(c, &hub_names)
        });

        let modes = transit::check_modes(c, p.modes);

        let leg_names: Names = c.unique_names("legs", "leg", names_of(&p.legs, |l| &l.name));
        let legs = c.each("legs", &leg_names, p.legs, |c, _, l| {
            l.check(c, p.road_factor)
        });

        let sector_names = sectors::check_sectors(c, &p.sectors);
        let mut ports = p.ports;
        let port_names = ports::check_ports(c, &ports);

        let city_table = c.unique_names("cities", "city", names_of(&p.cities, |x| &x.name));
        if p.cities.is_empty() {
            c.fail("cities", "needs at least one northern city");
        }
        let links = CityLinks {
            sectors: &sector_names,
            port_names: &port_names,
        };
        let cities = c.each("cities", &city_table, p.cities, |c, i, x| {
            x.check(c, i, places.cities[i], &links, &mut ports)
        });
        ports::check_every_port_in_a_city(c, &port_names, &ports);

        let route_names: Names =
            c.unique_names("routes", "route", names_of(&p.routes, |r| &r.name));
        let graph = Graph {
            places: &places,
            legs: &legs,
            city_places: &places.cities,
        };
        let routes: Vec<Route> = c
            .each("routes", &route_names, p.routes, |c, _, r| {
                r.check(c, &graph)
            })
            .into_iter()
            .flatten()
            .collect();
        for h in &hubs {
            if !routes.iter().any(|r| r.from == h.place) {
                c.fail("routes", format!("no route starts at hub \"{}\"", h.name));
            }
        }
        Network {
            drivers,
            driver_names,
            places,
            hubs,
            hub_names,
            crossings: crossings.into_iter().flatten().collect(),
            crossing_names,
            modes,
            legs,
            sectors: p.sectors,
            ports,
            port_names,
            cities: cities.into_iter().flatten().collect(),
            routes,
        }
    }
}

/// The calendar the model runs on: the scenario's, started `spinup_days`
/// earlier. Day indices count from its start; the experiment runs the
/// spin-up and then drops it from the results.
fn spun_up(c: &mut Checks, spinup_days: u32, scenario: &Calendar) -> Option<Calendar> {
    if spinup_days > 3650 {
        c.fail("spinup_days", "at most 3650");
        return None;
    }
    let Some(start) = scenario
        .start
        .checked_sub_days(chrono::Days::new(u64::from(spinup_days)))
    else {
        c.fail(
            "spinup_days",
            format!(
                "{spinup_days} days before the start {} is earlier than any date borderflow can hold",
                scenario.start
            ),
        );
        return None;
    };
    Some(Calendar {
        start,
        days: scenario.days.saturating_add(spinup_days),
    })
}

/// Checks the family size weights (sizes 2, 3, …): at least one, at most
/// 20, each ≥ 0, summing to more than 0.
fn check_family_sizes(c: &mut Checks, weights: &[f64]) {
    if weights.is_empty() {
        c.fail(
            "family_size_weights",
            "needs at least one weight (families of 2, 3, …)",
        );
    }
    c.at("family_size_weights", |c| {
        for (i, w) in weights.iter().enumerate() {
            c.index(i, |c| c.non_negative("", *w));
        }
    });
    let wsum: f64 = weights.iter().sum();
    if weights.len() > 20 || wsum.is_nan() || wsum <= 0.0 {
        c.fail(
            "family_size_weights",
            "weights must sum to more than 0, at most 20 sizes",
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::NaiveDate;
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
