//! Scores of simulated numbers against observed ones: relative error,
//! weighted quantiles and interval coverage, the continuous ranked
//! probability score (CRPS) and the total-variation distance of shares.
//!
//! A simulated answer is an *ensemble*: values with weights (replications,
//! or posterior particles × replications, whose weights need not sum to 1).
//! Every function here takes `(value, weight)` pairs so the calibration's
//! weighted posterior and a plain run's equal-weight replications are scored
//! by the same code.

/// One member of an ensemble: a simulated value and its weight (≥ 0).
pub type Member = (f64, f64);

/// `(simulated − observed) / observed` [×]; NaN when nothing was observed
/// (a zero month has no relative error).
pub fn relative_error(simulated: f64, observed: f64) -> f64 {
    if observed == 0.0 {
        f64::NAN
    } else {
        (simulated - observed) / observed
    }
}

/// The members with finite values and positive weights, sorted by value,
/// with weights normalised to sum 1; empty when none is usable.
fn normalised(ensemble: &[Member]) -> Vec<Member> {
    let mut v: Vec<Member> = ensemble
        .iter()
        .copied()
        .filter(|(x, w)| x.is_finite() && w.is_finite() && *w > 0.0)
        .collect();
    let total: f64 = v.iter().map(|m| m.1).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    for m in &mut v {
        m.1 /= total;
    }
    v
}

/// Weighted mean of the ensemble; NaN when it is empty.
pub fn mean(ensemble: &[Member]) -> f64 {
    let v = normalised(ensemble);
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().map(|(x, w)| x * w).sum()
}

/// Quantile `p` [0–1] of the weighted ensemble: the smallest value whose
/// cumulative weight reaches `p` (the inverse of the step CDF, so a quantile
/// is always a simulated value). NaN when the ensemble is empty.
pub fn quantile(ensemble: &[Member], p: f64) -> f64 {
    quantiles(ensemble, &[p])[0]
}

/// Several quantiles of one ensemble, sorting it once.
pub fn quantiles(ensemble: &[Member], ps: &[f64]) -> Vec<f64> {
    let v = normalised(ensemble);
    ps.iter()
        .map(|&p| {
            if v.is_empty() {
                return f64::NAN;
            }
            let mut cum = 0.0;
            for &(x, w) in &v {
                cum += w;
                // A tolerance for weights that sum to 1 only up to rounding.
                if cum >= p - 1e-12 {
                    return x;
                }
            }
            v[v.len() - 1].0
        })
        .collect()
}

/// Continuous ranked probability score of the ensemble's step CDF at the
/// observation `y`, in the unit of the values (lower is better; it reduces to
/// the absolute error for a single member):
/// `E|X − y| − ½ E|X − X′|`, computed in O(n log n) from the sorted members.
/// NaN when the ensemble is empty.
pub fn crps(ensemble: &[Member], y: f64) -> f64 {
    let v = normalised(ensemble);
    if v.is_empty() {
        return f64::NAN;
    }
    let to_obs: f64 = v.iter().map(|(x, w)| w * (x - y).abs()).sum();
    // E|X − X′| = 2 Σᵢ wᵢ xᵢ (Cᵢ₋₁ − (1 − Cᵢ)), C the cumulative weight.
    let mut below = 0.0;
    let mut spread = 0.0;
    for &(x, w) in &v {
        let above = 1.0 - below - w;
        spread += 2.0 * w * x * (below - above);
        below += w;
    }
    to_obs - 0.5 * spread
}

/// Total-variation distance between two breakdowns given as non-negative
/// amounts in the same order (each normalised to shares first): half the sum
/// of absolute share differences [0–1]. NaN when either sums to zero or the
/// lengths differ.
pub fn tv_distance(a: &[f64], b: &[f64]) -> f64 {
    let (sa, sb): (f64, f64) = (a.iter().sum(), b.iter().sum());
    if a.len() != b.len() || sa <= 0.0 || sb <= 0.0 || !sa.is_finite() || !sb.is_finite() {
        return f64::NAN;
    }
    0.5 * a
        .iter()
        .zip(b)
        .map(|(x, y)| (x / sa - y / sb).abs())
        .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn equal(values: &[f64]) -> Vec<Member> {
        values.iter().map(|&x| (x, 1.0)).collect()
    }

    #[test]
    fn crps_of_one_member_is_the_absolute_error() {
        assert_eq!(crps(&[(10.0, 3.0)], 13.0), 3.0);
    }

    #[test]
    fn crps_matches_the_pairwise_definition() {
        // Weighted members against the O(n²) formula, exactly up to rounding.
        let e: Vec<Member> = vec![(1.0, 0.1), (4.0, 0.4), (2.5, 0.2), (7.0, 0.3)];
        let y: f64 = 3.0;
        let total: f64 = e.iter().map(|m| m.1).sum();
        let mut direct = 0.0;
        for &(x, w) in &e {
            direct += w / total * (x - y).abs();
            for &(x2, w2) in &e {
                direct -= 0.5 * w / total * w2 / total * (x - x2).abs();
            }
        }
        assert!(
            (crps(&e, y) - direct).abs() < 1e-12,
            "{} vs {direct}",
            crps(&e, y)
        );
    }

    #[test]
    fn quantiles_step_through_the_weights() {
        let e = equal(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(
            quantiles(&e, &[0.0, 0.25, 0.26, 0.5, 1.0]),
            vec![1.0, 1.0, 2.0, 2.0, 4.0]
        );
        assert_eq!(quantile(&[(5.0, 0.9), (1.0, 0.1)], 0.05), 1.0);
        assert_eq!(quantile(&[(5.0, 0.9), (1.0, 0.1)], 0.2), 5.0);
        assert!(quantile(&[], 0.5).is_nan());
        assert_eq!(mean(&e), 2.5);
    }

    #[test]
    fn tv_distance_compares_shares_not_amounts() {
        assert_eq!(tv_distance(&[1.0, 1.0], &[50.0, 50.0]), 0.0);
        assert!((tv_distance(&[3.0, 1.0], &[1.0, 3.0]) - 0.5).abs() < 1e-12);
        assert!(tv_distance(&[0.0, 0.0], &[1.0, 1.0]).is_nan());
        assert!(relative_error(1.0, 0.0).is_nan());
        assert!((relative_error(110.0, 100.0) - 0.1).abs() < 1e-12);
    }
}
