//! The north: border cities with their ports and sector, and the CBP One lottery.

use serde::Deserialize;

use super::ports::Port;
use crate::validate::{Checks, Names};

/// A northern city as written: sector and ports by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCity {
    pub(super) name: String,
    sector: String,
    ports: Vec<String>,
    cbp_one_port: String,
    crossing_delay_days: f64,
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

/// What a city's names resolve against.
pub(super) struct CityLinks<'a> {
    /// Border Patrol sectors.
    pub sectors: &'a Names,
    /// Ports of entry.
    pub port_names: &'a Names,
}

impl RawCity {
    /// Checks city `id` at the current path, at transit place `place`, and
    /// assigns its ports to it (a port in two cities is a problem).
    pub(super) fn check(
        self,
        c: &mut Checks,
        id: usize,
        place: usize,
        links: &CityLinks,
        ports: &mut [Port],
    ) -> Option<City> {
        let sector = links.sectors.resolve(c, "sector", &self.sector);
        let mut cps = Vec::new();
        c.at("ports", |c| {
            for (j, pn) in self.ports.iter().enumerate() {
                c.index(j, |c| {
                    let k = links.port_names.resolve(c, "", pn)?;
                    if ports[k].city != usize::MAX {
                        c.fail("", format!("port \"{pn}\" already belongs to another city"));
                    }
                    ports[k].city = id;
                    cps.push(k);
                    Some(())
                });
            }
        });
        let cbp = links
            .port_names
            .resolve(c, "cbp_one_port", &self.cbp_one_port);
        c.within("crossing_delay_days", self.crossing_delay_days, 0.0, 365.0);
        Some(City {
            name: self.name,
            place,
            sector: sector?,
            ports: cps,
            cbp_one_port: cbp?,
            crossing_delay_days: self.crossing_delay_days,
        })
    }
}

/// CBP One appointments. Read as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
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

impl CbpOne {
    /// Checks the `cbp_one` section at the current path.
    pub(super) fn check(&self, c: &mut Checks) {
        c.within("draw_at_hour", self.draw_at_hour, 0.0, 23.99);
        c.within("patience_days_mean", self.patience_days_mean, 0.01, 3650.0);
        c.probability("patience_cross_share", self.patience_cross_share);
        c.within(
            "appointment_lead_days",
            self.appointment_lead_days,
            0.0,
            365.0,
        );
        c.within("move_city_days", self.move_city_days, 0.0, 60.0);
    }
}
