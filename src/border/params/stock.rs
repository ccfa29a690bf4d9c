//! The stock of people waiting in central Mexico: who stops there on the way
//! north, and for how long.

use serde::Deserialize;

use super::transit::Route;
use crate::validate::{Checks, Names};

/// The central stock as written: its place by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCentralStock {
    place: String,
    stay_share: f64,
    stay_days: f64,
}

/// People who stop on their way north in a place of central Mexico (Mexico
/// City) to work, wait for money or news, or register for CBP One, and
/// leave again after a while (issue 14).
///
/// Why it exists: the people who reached the US border in December 2023
/// crossed the Darién and Honduras in August – October, when the upstream
/// series peaked; in between they were in Mexico, and Mexico's detections
/// stayed at autumn levels. A model whose parties cross Mexico in days needs
/// extra arrivals (the old ×2.1 "surge") to produce December. With a stock,
/// the lag is a residence time fitted to the data, and a release can only
/// send north people who are there.
///
/// Each party that is not Mexican and reaches `place` in the middle of its
/// route (a leg ends there and another follows) stays with probability
/// `stay_share`; parties whose journey starts there (Mexican nationals,
/// those who fly in) do not. Each day at midnight every party in the stock
/// leaves with probability 1 − exp(−m / `stay_days`), where m is the
/// `stock_release` multiplier in force (1 without one), so the residence
/// time is exponential with mean `stay_days` while m = 1. A leaving party
/// sets off at a uniform time of that day on the rest of its route. While
/// in the stock a party is not detected by Mexico (enforcement is at the
/// checkpoints on the roads) and is counted in `waiting_central`.
#[derive(Debug, Clone, PartialEq)]
pub struct CentralStock {
    /// Place index where parties stop.
    pub place: usize,
    /// Share of the parties passing through who stop [0–1].
    pub stay_share: f64,
    /// Mean time a party stays, with no release multiplier [d].
    pub stay_days: f64,
    /// Whether each leg ends at `place`, by leg index: worked out here so
    /// that the model asks one question at the end of a leg.
    pub leg_ends_here: Vec<bool>,
}

impl RawCentralStock {
    /// Checks the `central_stock` section at the current path, with the
    /// network's places, the (from, to) places of each leg and the routes'
    /// legs; `None` if its place is unknown or no route passes through it
    /// (a stock nobody can reach would silently hold no one).
    pub(super) fn check(
        self,
        c: &mut Checks,
        places: &Names,
        legs: &[(usize, usize)],
        routes: &[Route],
    ) -> Option<CentralStock> {
        c.probability("stay_share", self.stay_share);
        c.within("stay_days", self.stay_days, 0.1, 3650.0);
        let place = places.resolve(c, "place", &self.place)?;
        let leg_ends_here: Vec<bool> = legs.iter().map(|&(_, to)| to == place).collect();
        let passes = routes.iter().any(|r| {
            let (_, before_last) = r.legs.split_last().unwrap_or((&0, &[]));
            before_last.iter().any(|&l| leg_ends_here[l])
        });
        if !passes {
            c.fail(
                "place",
                format!(
                    "no route passes through \"{}\" (it must be a stop in the middle of a route)",
                    self.place
                ),
            );
            return None;
        }
        Some(CentralStock {
            place,
            stay_share: self.stay_share,
            stay_days: self.stay_days,
            leg_ends_here,
        })
    }
}
