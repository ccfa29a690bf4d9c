//! Departures from home: how the origins that leave from home now follow
//! the prospect of staying in the US.

use serde::Deserialize;

use super::Origin;
use crate::validate::{Checks, Names};

/// How many people leave home follows what those who went before found at
/// the US border (issue 14, build point 4: deterrence as a decision).
///
/// Why it exists: with fixed daily rates the origins that start at home
/// (Mexico, Guatemala, Honduras, El Salvador, those who fly to Mexico City)
/// cannot follow policy. The record says they did: after Title 42 ended
/// (11 May 2023) Mexico detected two to three times as many Hondurans and
/// Guatemalans in July – August as in January – April (UPM table 3.1.1),
/// and CBP encountered 2.5 times as many; under Title 42 most of them were
/// expelled, under Title 8 most of those apprehended stayed to pursue a
/// claim. An origin with a driver (the Darién, Honduras's entries) is not
/// affected: its departures are already in the upstream series.
///
/// The mechanism: the prospect of an origin, each midnight, is the chance
/// that one of its people who sets out stays in the US, worked out from the
/// policy in force (not from the simulated outcomes, which would make a
/// small origin's departures follow its own noise):
///
///   prospect = g × (1 − r) / (1 − r·q),
///
/// g the share going on to cross under the rules limiting asylum (the
/// others give up or are sent to wait for CBP One, months for most), r the
/// share returned once apprehended (`expelled_under_title42` while Title 42
/// is in force, `removed_under_title8` otherwise) and q the share of those
/// returned who try again (`retry_after_expulsion`, `retry_after_removal`):
/// (1 − r) / (1 − r·q) is the chance of staying in the end when every
/// attempt is apprehended, 1 − r + r·q·(1 − r) + …. Retries matter: under
/// Title 42 an expelled Mexican tried again within days, so 97% expelled
/// was not a 3% chance. Got-aways and the CBP One lottery are left out: it
/// is what people hear, not an exact probability (0 if everyone is
/// returned and tries again forever).
/// People learn the prospect with half-life `half_life_days`: each midnight
/// the learned value L moves toward it, L ← P + (L − P)·0.5^(1/h), starting
/// from the prospect on the first simulated day (the reference). The
/// origin's daily rate of arrivals is multiplied by (L / reference) ^
/// `elasticity`, so the rates written in `origins` are those under the
/// policy of the first simulated day (Title 42, for the 2023 baseline with
/// its spin-up from November 2022).
///
/// With a `families` section single travellers and families each learn
/// their own prospect (their own return shares, see [`super::Families`],
/// and the rules' `families_factor`) and depart at their own multiplier, so the party
/// mix of an origin follows policy too.
///
/// The multiplier is read when the gap to the next arrival is drawn; a gap
/// that runs past midnight keeps the multiplier of the day it was drawn on
/// (one gap per origin and day, minutes long for the baseline's origins).
///
/// `origins` names the origins that follow the prospect (default: every
/// origin without a driver). Why a list: the prospect is one story, the
/// chance of staying for someone who seeks asylum, and it fits those who
/// came to ask for it (Central Americans after Title 42) better than it
/// fits Mexicans, most of them single adults looking for work, whose
/// encounters stayed near 60,000 a month through 2023 whatever the rules.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeDepartures {
    /// Elasticity of the rate of departures to the learned prospect [–]:
    /// 0 turns the mechanism off (the rates are exactly those written).
    pub elasticity: f64,
    /// Half-life with which news of the prospect reaches home [d].
    pub half_life_days: f64,
    /// The origins that follow the prospect, by name; empty: every origin
    /// without a driver.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Whether each origin (by index) follows the prospect; set by
    /// [`HomeDepartures::check`].
    #[serde(skip)]
    pub follows: Vec<bool>,
}

impl HomeDepartures {
    /// Checks the `home_departures` section at the current path and
    /// resolves `origins` against the scenario's `names` and `all` origins:
    /// a named origin must exist and have no driver (its departures are the
    /// upstream series).
    pub(super) fn check(&mut self, c: &mut Checks, names: &Names, all: &[Origin]) {
        c.within("elasticity", self.elasticity, 0.0, 5.0);
        c.within("half_life_days", self.half_life_days, 0.5, 3650.0);
        // No list: every origin that leaves from home (no driver) follows.
        let unlisted = self.origins.is_empty();
        self.follows = all.iter().map(|o| unlisted && o.driver.is_none()).collect();
        c.at("origins", |c| {
            for (j, name) in self.origins.iter().enumerate() {
                c.index(j, |c| {
                    let Some(o) = names.resolve(c, "", name) else {
                        return;
                    };
                    match all.get(o) {
                        Some(origin) if origin.driver.is_some() => c.fail(
                            "",
                            format!(
                                "origin \"{name}\" has a driver: its departures are the upstream series, not a choice made at home"
                            ),
                        ),
                        Some(_) => self.follows[o] = true,
                        // An origin that failed its own checks: reported there.
                        None => {}
                    }
                });
            }
        });
    }

    /// The prospect [0–1] of an origin whose share `going` goes on to cross
    /// under the rules limiting asylum, of whose apprehensions a share
    /// `returned` is sent back, of whom a share `retry` tries again [0–1]:
    /// g (1 − r) / (1 − r q), and 0 when everyone is returned and tries
    /// again forever.
    pub fn prospect(going: f64, returned: f64, retry: f64) -> f64 {
        let never_through = 1.0 - returned * retry;
        if never_through > 0.0 {
            going * (1.0 - returned) / never_through
        } else {
            0.0
        }
    }

    /// The learned prospect after one more midnight, from `learned` the day
    /// before, toward today's `prospect` [0–1].
    pub fn learn(&self, learned: f64, prospect: f64) -> f64 {
        prospect + (learned - prospect) * 0.5f64.powf(1.0 / self.half_life_days)
    }

    /// The multiplier of an origin's rate of departures [×] when it has
    /// learned `learned` against `reference`, the prospect of the first
    /// day [0–1]; 1 when the reference is 0 (no prospect to compare with).
    pub fn multiplier(&self, learned: f64, reference: f64) -> f64 {
        if reference > 0.0 {
            (learned / reference).powf(self.elasticity)
        } else {
            1.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HomeDepartures;

    #[test]
    fn the_prospect_is_learned_with_its_half_life_and_scales_the_rate() {
        let d = HomeDepartures {
            elasticity: 0.5,
            half_life_days: 10.0,
            origins: Vec::new(),
            follows: Vec::new(),
        };
        // Ten midnights at a prospect of 0.6 from a learned 0.15: half way,
        // 0.375 (to 1e-12: ten multiplications of 0.5^(1/10)).
        let mut l = 0.15;
        for _ in 0..10 {
            l = d.learn(l, 0.6);
        }
        assert!((l - 0.375).abs() < 1e-12, "learned {l}");
        // (0.6 / 0.15)^0.5 = 2 once learned in full.
        assert!((d.multiplier(0.6, 0.15) - 2.0).abs() < 1e-12);
        // No reference: no change.
        assert_eq!(d.multiplier(0.6, 0.0), 1.0);
        // Elasticity 0: exactly 1, so the rates are exactly those written.
        let off = HomeDepartures {
            elasticity: 0.0,
            ..d
        };
        assert_eq!(off.multiplier(0.6, 0.15), 1.0);
        // The hand baseline's Hondurans, as in the integration test:
        // 0.15 / (1 − 0.85 × 0.6) under Title 42, 0.60 / (1 − 0.40 × 0.15)
        // under Title 8 (to 1e-12, plain arithmetic).
        let p = HomeDepartures::prospect;
        assert!((p(1.0, 0.85, 0.6) - 0.15 / 0.49).abs() < 1e-12);
        assert!((p(1.0, 0.40, 0.15) - 0.60 / 0.94).abs() < 1e-12);
        assert_eq!(p(0.5, 1.0, 1.0), 0.0);
    }
}
