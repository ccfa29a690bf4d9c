//! Ports of entry: lanes, hours, CBP One shares and pressure-triggered closures.

use serde::Deserialize;

use super::bare;
use crate::validate::{Checks, Names};

/// Placeholder city of a port until the cities are read.
fn no_city() -> usize {
    usize::MAX
}

/// A port of entry. Read as written; only `city` is filled in by
/// validation, from the cities' `ports` lists.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// Name, e.g. "San Ysidro".
    pub name: String,
    /// City index.
    #[serde(skip_deserializing, default = "no_city")]
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
    #[serde(default, deserialize_with = "bare")]
    pub trigger: Option<Trigger>,
}

/// A closure triggered by between-ports pressure in the port's sector, with
/// hysteresis: it closes when the 7-day mean of the sector's apprehensions
/// exceeds `close_above_per_day` (officers go to help Border Patrol) and
/// reopens once that mean has stayed below `reopen_below_per_day` for
/// `reopen_after_days` days.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
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

    /// Checks one port's values at the current path.
    fn check(&self, c: &mut Checks) {
        c.within("lanes", self.lanes, 0.0, 1000.0);
        c.within("service_minutes", self.service_minutes, 0.1, 1440.0);
        c.within("hours_per_day", self.hours_per_day, 0.0, 24.0);
        c.within("opens_at_hour", self.opens_at_hour, 0.0, 24.0);
        if self.opens_at_hour + self.hours_per_day > 24.0 {
            c.fail(
                "hours_per_day",
                "opening hours must end by midnight (opens_at_hour + hours_per_day ≤ 24)",
            );
        }
        c.probability("cbp_one_share", self.cbp_one_share);
        // A port that takes CBP One appointments must be able to serve
        // them: with no capacity, registrants would wait forever.
        if self.cbp_one_share > 0.0 && (self.lanes <= 0.0 || self.hours_per_day <= 0.0) {
            c.fail(
                "lanes",
                format!(
                    "port \"{}\" takes CBP One appointments (cbp_one_share {}) but has no processing capacity \
                     (lanes {}, hours_per_day {}); give it lanes and hours, or set cbp_one_share to 0 \
                     (close it with a `port_state` intervention instead)",
                    self.name, self.cbp_one_share, self.lanes, self.hours_per_day
                ),
            );
        }
        if let Some(t) = &self.trigger {
            c.at("trigger", |c| t.check(c));
        }
    }
}

impl Trigger {
    /// Checks the thresholds at the current path: reopening below closing.
    fn check(&self, c: &mut Checks) {
        c.within("close_above_per_day", self.close_above_per_day, 0.0, 1e6);
        let close = self.close_above_per_day.max(0.0);
        c.within(
            "reopen_below_per_day",
            self.reopen_below_per_day,
            0.0,
            close,
        );
        c.at_most("reopen_after_days", self.reopen_after_days, 365);
    }
}

/// Checks the `ports` list (under the current path): names, values, and
/// CBP One shares summing to 1. Cities are assigned later.
pub(super) fn check_ports(c: &mut Checks, ports: &[Port]) -> Names {
    let names = c.unique_names(
        "ports",
        "port",
        ports.iter().map(|p| p.name.clone()).collect(),
    );
    c.each("ports", &names, ports, |c, _, p| p.check(c));
    let cbp_sum: f64 = ports.iter().map(|p| p.cbp_one_share).sum();
    if (cbp_sum - 1.0).abs() > 1e-6 && !ports.is_empty() {
        c.fail(
            "ports",
            format!("cbp_one_share must sum to 1 over the ports (got {cbp_sum:.4})"),
        );
    }
    names
}

/// Checks that every port was placed in a city.
pub(super) fn check_every_port_in_a_city(c: &mut Checks, names: &Names, ports: &[Port]) {
    c.each("ports", names, ports, |c, _, p| {
        if p.city == no_city() {
            c.fail("", format!("port \"{}\" is in no city's `ports`", p.name));
        }
    });
}
