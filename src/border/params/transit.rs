//! Transit through Mexico: southern hubs, travel modes, legs, routes and route choice.

use serde::Deserialize;

use super::{MODE_NAMES, bare};
use crate::validate::{Checks, Names, suggest};

/// A southern hub where parties wait for papers. Read as written; only
/// `place` is filled in by validation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hub {
    /// Name, e.g. "Tapachula".
    pub name: String,
    /// Place index of the hub in the transit graph.
    #[serde(skip_deserializing)]
    pub place: usize,
    /// Papers processing capacity [persons/day].
    pub papers_capacity_per_day: f64,
    /// Longest expected wait a party accepts before leaving without papers [d].
    pub papers_patience_days: f64,
    /// Mean rest before a party without papers sets off north [d].
    pub rest_days_mean: f64,
}

impl Hub {
    /// Checks one hub at the current path and sets its place.
    pub(super) fn check(mut self, c: &mut Checks, place: usize) -> Hub {
        c.within(
            "papers_capacity_per_day",
            self.papers_capacity_per_day,
            0.0,
            1e6,
        );
        c.within(
            "papers_patience_days",
            self.papers_patience_days,
            0.0,
            3650.0,
        );
        c.within("rest_days_mean", self.rest_days_mean, 0.0, 365.0);
        self.place = place;
        self
    }
}

/// The places of the transit graph: hubs, then cities, then leg ends in
/// leg order, each once. The order fixes the place indices the model uses.
pub(super) struct Places {
    /// Place names by index.
    pub names: Names,
    /// Place of each hub.
    pub hubs: Vec<usize>,
    /// Place of each city.
    pub cities: Vec<usize>,
    /// (from, to) places of each leg.
    pub legs: Vec<(usize, usize)>,
}

impl Places {
    /// Numbers the places named by hubs, cities and legs.
    pub(super) fn new(hubs: &[Hub], cities: &[&str], legs: &[RawLeg]) -> Self {
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
        let hubs = hubs.iter().map(|h| place(&h.name)).collect();
        let cities = cities.iter().map(|c| place(c)).collect();
        let legs = legs
            .iter()
            .map(|l| (place(&l.from), place(&l.to)))
            .collect();
        Places {
            names: Names::new("place", places),
            hubs,
            cities,
            legs,
        }
    }
}

/// A travel mode as written: its name picks its slot in [`MODE_NAMES`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMode {
    name: String,
    km_per_day_min: f64,
    km_per_day_max: f64,
    #[serde(default)]
    departures_per_day: f64,
    #[serde(default)]
    seats: f64,
    #[serde(default, deserialize_with = "bare")]
    capacity_per_day: Option<f64>,
    #[serde(default)]
    price_usd_per_1000_km: f64,
    detection_factor: f64,
    weight_irregular: f64,
    weight_papers: f64,
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
    /// Migrants carried per departure [persons]. Freight trains carried
    /// 1,000 and more riders each (Ferromex stopped 60 trains with >4,000
    /// aboard on 19 Sep 2023), so values above 1,000 are accepted.
    pub seats: f64,
    /// For a mode that leaves at will (`departures_per_day` 0): the most
    /// people it takes from each leg start per day [persons/day]; `None`
    /// (absent) = unlimited, as before this field existed. Parties that find
    /// the day's capacity used wait for the next day, unless a full day's
    /// capacity is already waiting, when they choose another mode. Smugglers'
    /// trucks are the case: each load is a vehicle and a driver paid for.
    pub capacity_per_day: Option<f64>,
    /// Price a migrant pays for the mode [USD per 1000 km of road]; it
    /// lowers the mode's choice weight by `exp(−route_choice.
    /// price_cost_per_1000_usd × price of the leg / 1000)`. Smugglers charge
    /// thousands of dollars for the journey, which most migrants cannot pay:
    /// the reason trains, buses and walking carry most. 0 (absent) = free.
    pub price_usd_per_1000_km: f64,
    /// Checkpoint detection hazard factor [×].
    pub detection_factor: f64,
    /// Choice weight for parties without papers [≥ 0].
    pub weight_irregular: f64,
    /// Choice weight for parties with papers [≥ 0].
    pub weight_papers: f64,
}

/// The table of the four mode names.
pub(super) fn mode_names() -> Names {
    Names::new("mode", MODE_NAMES.iter().map(|s| s.to_string()).collect())
}

/// Checks the `modes` list (under the current path): each of
/// [`MODE_NAMES`] given exactly once; the modes in that order.
pub(super) fn check_modes(c: &mut Checks, raw: Vec<RawMode>) -> Vec<Option<Mode>> {
    let known = mode_names();
    let mut modes: Vec<Option<Mode>> = vec![None; MODE_NAMES.len()];
    c.at("modes", |c| {
        for (i, md) in raw.into_iter().enumerate() {
            // By name, as a `set` key names a mode (`modes["truck"]`), so a
            // problem points at the line that wrote the value.
            let segment = if md.name.is_empty() || md.name.contains(['"', '\\']) {
                format!("[{i}]")
            } else {
                format!("[\"{}\"]", md.name)
            };
            c.at(&segment, |c| {
                let k = known.resolve(c, "name", &md.name)?;
                if modes[k].is_some() {
                    c.fail("name", format!("mode \"{}\" given twice", md.name));
                }
                modes[k] = Some(md.check(c));
                Some(())
            });
        }
    });
    for (k, md) in modes.iter().enumerate() {
        if md.is_none() {
            c.fail(
                "modes",
                format!(
                    "mode \"{}\" is missing; give all of bus, truck, train, foot",
                    MODE_NAMES[k]
                ),
            );
        }
    }
    modes
}

impl RawMode {
    /// Checks one mode's values at the current path.
    fn check(self, c: &mut Checks) -> Mode {
        c.within("km_per_day_min", self.km_per_day_min, 0.1, 5000.0);
        c.within("km_per_day_max", self.km_per_day_max, 0.1, 5000.0);
        if self.km_per_day_max < self.km_per_day_min {
            c.fail("km_per_day_max", "must be ≥ km_per_day_min");
        }
        c.within("departures_per_day", self.departures_per_day, 0.0, 1440.0);
        if self.departures_per_day > 0.0 {
            c.within("seats", self.seats, 1.0, 1e5);
        }
        if let Some(cap) = self.capacity_per_day {
            if self.departures_per_day > 0.0 {
                c.fail(
                    "capacity_per_day",
                    "only for a mode that leaves at will (departures_per_day 0); \
                     a scheduled mode carries seats × departures_per_day",
                );
            } else {
                c.within("capacity_per_day", cap, 1.0, 1e7);
            }
        }
        c.within(
            "price_usd_per_1000_km",
            self.price_usd_per_1000_km,
            0.0,
            1e5,
        );
        c.within("detection_factor", self.detection_factor, 0.0, 100.0);
        c.within("weight_irregular", self.weight_irregular, 0.0, 1e6);
        c.within("weight_papers", self.weight_papers, 0.0, 1e6);
        Mode {
            km_per_day_min: self.km_per_day_min,
            km_per_day_max: self.km_per_day_max,
            departures_per_day: self.departures_per_day,
            seats: self.seats,
            capacity_per_day: self.capacity_per_day,
            price_usd_per_1000_km: self.price_usd_per_1000_km,
            detection_factor: self.detection_factor,
            weight_irregular: self.weight_irregular,
            weight_papers: self.weight_papers,
        }
    }
}

/// Region of Mexico a leg lies in, for region-specific enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The southern border states (Chiapas, Tabasco).
    South,
    /// The rest of the transit.
    Transit,
    /// The northern border cities, where parties wait to cross (no leg
    /// lies here: it is where `mexico.north_detection_per_day` acts).
    North,
}

/// A leg as written: ends and modes by name, great-circle length.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLeg {
    pub(super) name: String,
    from: String,
    to: String,
    great_circle_km: f64,
    modes: Vec<String>,
    checkpoints: u32,
    checkpoint_detection: f64,
    region: String,
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

impl RawLeg {
    /// Checks one leg at the current path; `road_factor` turns its
    /// great-circle length into road length [×].
    pub(super) fn check(self, c: &mut Checks, road_factor: f64) -> Leg {
        c.within("great_circle_km", self.great_circle_km, 0.1, 5000.0);
        let known = mode_names();
        let mut ms = [false; 4];
        c.at("modes", |c| {
            for (j, name) in self.modes.iter().enumerate() {
                if let Some(k) = c.index(j, |c| known.resolve(c, "", name)) {
                    ms[k] = true;
                }
            }
        });
        if !ms.iter().any(|b| *b) {
            c.fail("modes", "needs at least one mode");
        } else if !ms[3] && !ms[1] {
            c.fail(
                "modes",
                "needs \"foot\" or \"truck\": a leg must stay passable when scheduled modes are suspended",
            );
        }
        c.probability("checkpoint_detection", self.checkpoint_detection);
        c.at_most("checkpoints", self.checkpoints, 100);
        let region = match self.region.as_str() {
            "south" => Region::South,
            "transit" => Region::Transit,
            other => {
                let hint = suggest(other, ["south".to_string(), "transit".to_string()]);
                c.fail("region", format!("unknown region \"{other}\"{hint}"));
                Region::Transit
            }
        };
        Leg {
            name: self.name,
            km: self.great_circle_km * road_factor,
            modes: ms,
            checkpoints: self.checkpoints,
            checkpoint_detection: self.checkpoint_detection,
            region,
        }
    }
}

/// A route as written: places by name, start first, city last.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    pub(super) name: String,
    corridor: String,
    pub(super) via: Vec<String>,
    weight: f64,
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

/// What a route's places resolve against.
pub(super) struct Graph<'a> {
    /// Places and leg ends.
    pub places: &'a Places,
    /// Legs, for lengths and checkpoints.
    pub legs: &'a [Leg],
    /// Place of each city, by city index.
    pub city_places: &'a [usize],
}

impl RawRoute {
    /// Checks one route at the current path: its places are known, each
    /// consecutive pair is a leg, and it ends at a city.
    pub(super) fn check(self, c: &mut Checks, g: &Graph) -> Option<Route> {
        c.nonempty("corridor", &self.corridor);
        c.within("weight", self.weight, 0.0, 1e6);
        if self.via.len() < 2 {
            c.fail("via", "needs at least a start and a city");
            return None;
        }
        let ids: Vec<Option<usize>> = c.at("via", |c| {
            let resolve =
                |(j, n): (usize, &String)| c.index(j, |c| g.places.names.resolve(c, "", n));
            self.via.iter().enumerate().map(resolve).collect()
        });
        let ids: Vec<usize> = ids.into_iter().collect::<Option<_>>()?;
        let mut legs = Vec::new();
        for (j, w) in ids.windows(2).enumerate() {
            match g
                .places
                .legs
                .iter()
                .position(|&(a, b)| a == w[0] && b == w[1])
            {
                Some(k) => legs.push(k),
                None => c.at("via", |c| {
                    c.index(j + 1, |c| {
                        let (a, b) = (&self.via[j], &self.via[j + 1]);
                        c.fail("", format!("no leg from \"{a}\" to \"{b}\" in `legs`"));
                    })
                }),
            }
        }
        let last = ids[ids.len() - 1];
        let city = g.city_places.iter().position(|&p| p == last);
        if city.is_none() {
            let end = &g.places.names.names()[last];
            c.fail(
                "via",
                format!("must end at a city in `cities` (ends at \"{end}\")"),
            );
        }
        if legs.len() + 1 != ids.len() {
            return None;
        }
        let leg = |k: &usize| g.legs.get(*k);
        Some(Route {
            km: legs.iter().filter_map(leg).map(|l| l.km).sum(),
            checkpoints: legs.iter().filter_map(leg).map(|l| l.checkpoints).sum(),
            name: self.name,
            corridor: self.corridor,
            from: ids[0],
            city: city?,
            legs,
            weight: self.weight,
        })
    }
}

/// How parties choose routes. Read as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteChoice {
    /// Utility cost per 1000 km of road [1/1000 km].
    pub km_cost_per_1000: f64,
    /// Utility cost per checkpoint, scaled by enforcement [per checkpoint].
    pub checkpoint_cost: f64,
    /// Weight reduction for a destination whose ports were heard closed [0–1].
    pub closed_port_aversion: f64,
    /// Delay with which news of port states reaches parties [d].
    pub info_delay_days: u32,
    /// Utility cost of a mode's price in mode choice [per 1000 USD]: a
    /// mode's weight is multiplied by `exp(−this × price / 1000)`, the price
    /// being `price_usd_per_1000_km` × the leg's road length. 0 (absent) =
    /// prices do not matter, as before this field existed.
    #[serde(default)]
    pub price_cost_per_1000_usd: f64,
}

impl RouteChoice {
    /// Checks the `route_choice` section at the current path.
    pub(super) fn check(&self, c: &mut Checks) {
        c.within("km_cost_per_1000", self.km_cost_per_1000, 0.0, 100.0);
        c.within("checkpoint_cost", self.checkpoint_cost, 0.0, 100.0);
        c.probability("closed_port_aversion", self.closed_port_aversion);
        c.at_most("info_delay_days", self.info_delay_days, 365);
        c.within(
            "price_cost_per_1000_usd",
            self.price_cost_per_1000_usd,
            0.0,
            100.0,
        );
    }
}
