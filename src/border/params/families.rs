//! Families: how US policy returned a family apart from a single traveller.

use serde::Deserialize;

use crate::validate::Checks;

/// How the returns to Mexico treat families (parties of two or more
/// persons) apart from single travellers (issue 14, build point 8 and the
/// record's family units).
///
/// Why it exists: CBP's family-unit (FMUA) share of encounters ran at 21 –
/// 28% in January – April 2023, under Title 42, and at 46 – 50% in July –
/// September, under Title 8 (`cbp_sw_border_monthly_by_demographic_fy23_fy24.csv`),
/// while a model with one return share per origin keeps it flat (0.30 –
/// 0.33 in every month of the shipped fit). Under Title 42 Mexico took back
/// single adults, who tried again within days and were counted again and
/// again, and few families with young children; under Title 8 single adults
/// met expedited removal and families were mostly released to pursue a
/// claim. So the same origin's families and single travellers were returned
/// at very different rates, and counted a different number of times. How
/// a rule limiting asylum treats families is the rule's own
/// (`families_factor` of an `asylum_limits` intervention): the Title 8
/// consequences of May 2023 fell mostly on those who could be removed,
/// while the June 2024 proclamation covered families as it did adults.
///
/// With this section an origin's `expelled_under_title42` and
/// `removed_under_title8` are its single travellers' shares, and a
/// family's are those times the factors here. Without it everyone of an
/// origin has the same shares (the model before; every run is the same to
/// the bit, and so it is with both factors 1).
///
/// The retry shares (`retry_after_expulsion`, `retry_after_removal`) are
/// everyone's: the record says how many of each kind were returned, not how
/// many came back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Families {
    /// A family's share expelled under Title 42, as a multiple of its
    /// origin's `expelled_under_title42` [×, 0–1].
    pub expelled_factor_title42: f64,
    /// A family's share removed under Title 8, as a multiple of its
    /// origin's `removed_under_title8` [×, 0–1].
    pub removed_factor_title8: f64,
}

impl Families {
    /// Checks the `families` section at the current path.
    pub(super) fn check(&self, c: &mut Checks) {
        c.probability("expelled_factor_title42", self.expelled_factor_title42);
        c.probability("removed_factor_title8", self.removed_factor_title8);
    }

    /// A family's share returned [0–1] when its origin's single travellers
    /// are returned with share `share` [0–1], under Title 42 if `title42`.
    pub fn returned(&self, title42: bool, share: f64) -> f64 {
        let factor = if title42 {
            self.expelled_factor_title42
        } else {
            self.removed_factor_title8
        };
        share * factor
    }
}

#[cfg(test)]
mod tests {
    use super::Families;

    #[test]
    fn a_familys_share_is_its_origins_times_the_factor_of_the_policy_in_force() {
        let f = Families {
            expelled_factor_title42: 0.2,
            removed_factor_title8: 0.5,
        };
        // Plain products, to 1e-15.
        assert!((f.returned(true, 0.85) - 0.17).abs() < 1e-15);
        assert!((f.returned(false, 0.4) - 0.2).abs() < 1e-15);
        // Factors 1 give the origin's share to the bit.
        let same = Families {
            expelled_factor_title42: 1.0,
            removed_factor_title8: 1.0,
        };
        assert_eq!(same.returned(true, 0.85).to_bits(), 0.85f64.to_bits());
    }
}
