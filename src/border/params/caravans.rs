//! Caravans: scheduled or triggered marches from a southern hub, with shedding and dissolution.

use serde::Deserialize;

use super::bare;
use crate::calendar::Calendar;
use crate::validate::{Checks, Names};

/// A caravan as written: hub by name, dates as text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCaravan {
    pub(super) name: String,
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

impl RawCaravan {
    /// Checks one caravan at the current path; `cal` counts day indices
    /// from the start of the spin-up.
    pub(super) fn check(self, c: &mut Checks, cal: &Calendar, hubs: &Names) -> Option<Caravan> {
        let hub = hubs.resolve(c, "hub", &self.hub);
        let day = |c: &mut Checks, field: &str, date: &Option<String>| {
            date.as_ref()
                .and_then(|s| c.date(field, s))
                .map(|d| cal.day_index(d))
        };
        let start_day = day(c, "start", &self.start);
        if self.start.is_some() == self.trigger_waiting_above.is_some() {
            c.fail(
                "",
                "give exactly one of `start` (a date) or `trigger_waiting_above` (persons)",
            );
        }
        if let Some(t) = self.trigger_waiting_above {
            c.within("trigger_waiting_above", t, 0.0, 1e7);
        }
        c.within("target_size", self.target_size, 1.0, 1e6);
        c.within("walk_km_min", self.walk_km_min, 0.0, 100.0);
        c.within("walk_km_max", self.walk_km_max, 0.0, 100.0);
        if self.walk_km_max < self.walk_km_min {
            c.fail("walk_km_max", "must be ≥ walk_km_min");
        }
        c.probability("walk_day_share", self.walk_day_share);
        c.probability("shed_share_per_day", self.shed_share_per_day);
        c.within("detection_factor", self.detection_factor, 0.0, 10.0);
        c.probability("papers_bus_south_share", self.papers_bus_south_share);
        let dissolve_day = day(c, "dissolve_on", &self.dissolve_on);
        let ends = [
            self.dissolve_on.is_some(),
            self.dissolve_after_days.is_some(),
            self.dissolve_at_km.is_some(),
        ];
        if !ends.contains(&true) {
            c.fail(
                "",
                "give at least one of `dissolve_on`, `dissolve_after_days`, `dissolve_at_km`",
            );
        }
        Some(Caravan {
            name: self.name,
            hub: hub?,
            start_day,
            trigger_waiting_above: self.trigger_waiting_above,
            target_size: self.target_size,
            walk_km_min: self.walk_km_min,
            walk_km_max: self.walk_km_max,
            walk_day_share: self.walk_day_share,
            shed_share_per_day: self.shed_share_per_day,
            detection_factor: self.detection_factor,
            halt_at_km: self.halt_at_km,
            dissolve_day,
            dissolve_after_days: self.dissolve_after_days,
            dissolve_at_km: self.dissolve_at_km,
            papers_bus_south_share: self.papers_bus_south_share,
        })
    }
}
