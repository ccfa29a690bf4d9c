//! Between ports: Border Patrol sectors, custody, returns and retries.

use serde::Deserialize;

use crate::validate::{Checks, Names, suggest};

/// A Border Patrol sector. Read as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
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
    #[serde(default)]
    pub officers_boost_per_closed_port: f64,
}

impl Sector {
    /// Checks one sector at the current path.
    fn check(&self, c: &mut Checks) {
        c.probability("apprehension_prob", self.apprehension_prob);
        c.within("custody_capacity", self.custody_capacity, 0.0, 1e7);
        c.within("processing_hours", self.processing_hours, 0.0, 8760.0);
        let boost = self.officers_boost_per_closed_port;
        c.probability("officers_boost_per_closed_port", boost);
    }
}

/// Checks the `sectors` list under the current path.
pub(super) fn check_sectors(c: &mut Checks, sectors: &[Sector]) -> Names {
    let names = c.unique_names(
        "sectors",
        "sector",
        sectors.iter().map(|s| s.name.clone()).collect(),
    );
    c.each("sectors", &names, sectors, |c, _, s| s.check(c));
    names
}

/// What happens when a sector's custody is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum WhenFull {
    /// Release on recognizance at once (still counted as apprehended).
    Release,
    /// Hold anyway; processing slows in proportion to the overload.
    Hold,
}

impl TryFrom<String> for WhenFull {
    type Error = String;

    /// Reads `"release"` or `"hold"`; the error suggests the closer one.
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "release" => Ok(WhenFull::Release),
            "hold" => Ok(WhenFull::Hold),
            other => Err(format!(
                "unknown policy \"{other}\"{}",
                suggest(other, ["release".to_string(), "hold".to_string()])
            )),
        }
    }
}

/// Crossing between ports and walk-ups. Read as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BetweenPorts {
    /// Custody overflow policy: `"release"` or `"hold"`.
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
    /// Apprehension probability of a party that surrenders to Border Patrol
    /// (an origin's `surrender_share`) [0–1]; near 1 because it seeks out
    /// agents. The sector's probability and the boost from closed ports
    /// apply to evaders only.
    #[serde(default = "certain")]
    pub surrender_apprehension_prob: f64,
}

/// Default surrender apprehension probability: certain.
fn certain() -> f64 {
    1.0
}

impl BetweenPorts {
    /// Checks the `between_ports` section at the current path.
    pub(super) fn check(&self, c: &mut Checks) {
        c.probability("retry_after_expulsion", self.retry_after_expulsion);
        c.probability("retry_after_removal", self.retry_after_removal);
        c.within("retry_delay_days", self.retry_delay_days, 0.0, 365.0);
        let patience = self.walkup_patience_days_mean;
        c.within("walkup_patience_days_mean", patience, 0.0, 365.0);
        c.probability("title42_walkup_accept", self.title42_walkup_accept);
        c.probability("replan_cross_share", self.replan_cross_share);
        let surrender = self.surrender_apprehension_prob;
        c.probability("surrender_apprehension_prob", surrender);
    }
}
