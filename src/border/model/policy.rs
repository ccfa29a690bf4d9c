//! The policy timeline: what the interventions in force on a day say, worked
//! out when one starts or ends and handed to each mechanism it concerns.

use crate::border::params::{Action, BorderParams, DetentionOutcomes, Region};

/// The policy state in force, recomputed when an intervention starts or ends.
/// Mechanisms keep what concerns them (see their `apply_policy`), so no
/// handler reads a policy it does not own.
#[derive(Debug, Clone)]
pub(super) struct Policy {
    /// Title 42 expulsions in force.
    pub(super) title42: bool,
    /// CBP One appointments offered per day [slots/day].
    pub(super) cbp_one_slots: f64,
    /// Enforcement multiplier [×] in the south, in transit and in the
    /// northern cities.
    pub(super) enforcement: [f64; 3],
    /// Modes suspended, in [`crate::border::params::MODE_NAMES`] order.
    pub(super) suspended: [bool; 4],
    /// Shares of Mexico's detention outcomes [0–1].
    pub(super) outcomes: DetentionOutcomes,
    /// Multiplier of the time to arrange a crossing between ports [×].
    pub(super) crossing_delay: f64,
    /// Multiplier of the rate of leaving the central stock [×].
    pub(super) stock_release: f64,
    /// Scheduled open fraction of each port [0–1].
    pub(super) port_open: Vec<f64>,
    /// Capacity multiplier of each port (officers added) [×].
    pub(super) port_capacity: Vec<f64>,
    /// Rules limiting asylum in force by date, in list order [intervention
    /// indices]; whether a triggered one is on is the north's to track.
    pub(super) asylum_limits: Vec<usize>,
}

impl Policy {
    /// The policy before any intervention.
    pub(super) fn none(p: &BorderParams) -> Self {
        Self {
            title42: false,
            cbp_one_slots: 0.0,
            enforcement: [1.0; 3],
            suspended: [false; 4],
            outcomes: p.mexico.outcomes,
            crossing_delay: 1.0,
            stock_release: 1.0,
            port_open: vec![1.0; p.ports.len()],
            port_capacity: vec![1.0; p.ports.len()],
            asylum_limits: Vec::new(),
        }
    }

    /// The policy on day `today` from the interventions in force.
    pub(super) fn in_force(p: &BorderParams, today: i64) -> Self {
        let mut pol = Self::none(p);
        let mut slot_mult = 1.0;
        for (i, iv) in p.interventions.iter().enumerate() {
            if !(iv.from_day..iv.until_day).contains(&today) {
                continue;
            }
            match iv.action {
                Action::Title42 => pol.title42 = true,
                Action::CbpOneSlots(s) => pol.cbp_one_slots = s,
                Action::CbpOneMultiplier(x) => slot_mult *= x,
                Action::PortState { port, fraction } => match port {
                    Some(k) => pol.port_open[k] = fraction,
                    None => pol.port_open.iter_mut().for_each(|f| *f = fraction),
                },
                Action::PortCapacity { port, multiplier } => match port {
                    Some(k) => pol.port_capacity[k] *= multiplier,
                    None => pol.port_capacity.iter_mut().for_each(|m| *m *= multiplier),
                },
                Action::MexicoEnforcement { region, multiplier } => match region {
                    Some(Region::South) => pol.enforcement[0] *= multiplier,
                    Some(Region::Transit) => pol.enforcement[1] *= multiplier,
                    Some(Region::North) => pol.enforcement[2] *= multiplier,
                    None => pol.enforcement.iter_mut().for_each(|e| *e *= multiplier),
                },
                Action::ModeSuspension(m) => pol.suspended[m] = true,
                Action::DetentionOutcomes(o) => pol.outcomes = o,
                Action::CrossingDelay(x) => pol.crossing_delay *= x,
                Action::StockRelease(x) => pol.stock_release *= x,
                Action::ArrivalSurge { .. } => {}
                Action::AsylumLimits(_) => pol.asylum_limits.push(i),
            }
        }
        pol.cbp_one_slots *= slot_mult;
        pol
    }

    /// Enforcement multiplier in `region`: deployed over reference personnel,
    /// times the interventions in force [×].
    pub(super) fn enforcement(&self, p: &BorderParams, region: Region) -> f64 {
        let base = p.mexico.enforcement_personnel / p.mexico.reference_personnel;
        base * match region {
            Region::South => self.enforcement[0],
            Region::Transit => self.enforcement[1],
            Region::North => self.enforcement[2],
        }
    }
}
