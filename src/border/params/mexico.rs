//! Mexico: the southern crossings, enforcement personnel and the outcomes of a detention.

use serde::Deserialize;

use crate::validate::{Checks, Names};

/// Mexico's enforcement and detention, as written: the outcome shares are
/// flat fields here and a [`DetentionOutcomes`] in [`Mexico`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMexico {
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
    #[serde(default)]
    give_up_per_relocation: f64,
    #[serde(default)]
    north_detection_per_day: f64,
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
    /// Attrition of relocation: a party back in the south after its k-th
    /// relocation gives up (settles in Mexico or goes home on its own) with
    /// probability min(1, k × this) instead of retrying [0–1 per
    /// relocation]. 0 (the default) is the revolving door of the hand-fitted
    /// baseline, where relocation only delays; the record (Mexico's
    /// detections up while US encounters fell, 2024) asks for attrition,
    /// and a calibration can fit it. Linear in k because each relocation
    /// costs the party money, weeks and hope about equally, and because one
    /// parameter is what the monthly data can identify.
    pub give_up_per_relocation: f64,
    /// Containment in the north: the daily hazard that Mexico detects a
    /// party waiting in a northern border city (to arrange a crossing, or
    /// registered for CBP One) [1/d], at reference personnel; scaled by
    /// the `"north"` enforcement multiplier in force. A detected party is
    /// held and gets a detention outcome like any other (relocation south,
    /// papers, deportation, settling): the 2024 bus relocations from the
    /// border cities. 0 (the default) is no enforcement in the north, as in
    /// the hand baseline; drawn only when above 0, so scenarios without it
    /// keep their random streams.
    pub north_detection_per_day: f64,
}

impl RawMexico {
    /// Checks the `mexico` section at the current path.
    pub(super) fn check(self, c: &mut Checks) -> Mexico {
        c.within(
            "enforcement_personnel",
            self.enforcement_personnel,
            0.0,
            1e6,
        );
        c.within("reference_personnel", self.reference_personnel, 1.0, 1e6);
        c.within(
            "papers_detection_factor",
            self.papers_detection_factor,
            0.0,
            10.0,
        );
        c.within("detention_days", self.detention_days, 0.0, 365.0);
        c.within("relocation_days", self.relocation_days, 0.0, 365.0);
        c.within("retry_rest_days", self.retry_rest_days, 0.0, 365.0);
        c.within(
            "give_up_per_relocation",
            self.give_up_per_relocation,
            0.0,
            1.0,
        );
        c.within(
            "north_detection_per_day",
            self.north_detection_per_day,
            0.0,
            10.0,
        );
        let outcomes = DetentionOutcomes {
            relocate: self.relocate_share,
            papers: self.papers_share,
            deport: self.deport_share,
            settle: self.settle_share,
        };
        outcomes.check(c);
        Mexico {
            enforcement_personnel: self.enforcement_personnel,
            reference_personnel: self.reference_personnel,
            papers_detection_factor: self.papers_detection_factor,
            detention_days: self.detention_days,
            relocation_days: self.relocation_days,
            outcomes,
            retry_rest_days: self.retry_rest_days,
            give_up_per_relocation: self.give_up_per_relocation,
            north_detection_per_day: self.north_detection_per_day,
        }
    }
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

impl DetentionOutcomes {
    /// Checks the shares (written `relocate_share`, … under the current
    /// path): each in [0, 1], summing to 1.
    pub(super) fn check(&self, c: &mut Checks) {
        c.probability("relocate_share", self.relocate);
        c.probability("papers_share", self.papers);
        c.probability("deport_share", self.deport);
        c.probability("settle_share", self.settle);
        let s = self.relocate + self.papers + self.deport + self.settle;
        if (s - 1.0).abs() > 1e-6 {
            c.fail(
                "",
                format!("relocate, papers, deport and settle shares must sum to 1 (got {s:.4})"),
            );
        }
    }
}

/// A southern crossing as written: the hub by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCrossing {
    pub(super) name: String,
    hub: String,
    km_to_hub: f64,
    detection_prob: f64,
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

impl RawCrossing {
    /// Checks one crossing at the current path; `None` if its hub is unknown.
    pub(super) fn check(self, c: &mut Checks, hubs: &Names) -> Option<Crossing> {
        let hub = hubs.resolve(c, "hub", &self.hub);
        c.within("km_to_hub", self.km_to_hub, 0.0, 1000.0);
        c.probability("detection_prob", self.detection_prob);
        Some(Crossing {
            name: self.name,
            hub: hub?,
            km_to_hub: self.km_to_hub,
            detection_prob: self.detection_prob,
        })
    }
}
