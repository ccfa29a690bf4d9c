//! Variance-based global sensitivity: Sobol first-order and total-order
//! indices from Saltelli's sampling scheme.
//!
//! With k inputs and N base samples, two independent N × k matrices A and B
//! are drawn, and for each input i the matrix AB_i is A with column i taken
//! from B. From the model outputs f(A), f(B), f(AB_i) (N(k + 2) evaluations):
//!
//! - first order (Saltelli et al. 2010, eq. (b)): S_i = mean(f(B) · (f(AB_i) − f(A))) / V
//! - total order (Jansen 1999): ST_i = mean((f(A) − f(AB_i))²) / (2V)
//!
//! with V the variance of f over A and B together. Both are unbiased Monte
//! Carlo estimators whose error falls as 1/√N.

use rand::RngExt;

use crate::rng::Stream;

/// The Saltelli design on the unit hypercube [0, 1)^k: rows of A (N), then
/// B (N), then AB_1 … AB_k (N each), N(k + 2) rows in all.
pub fn saltelli_unit(n: usize, k: usize, rng: &mut Stream) -> Vec<Vec<f64>> {
    let a: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..k).map(|_| rng.random::<f64>()).collect())
        .collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..k).map(|_| rng.random::<f64>()).collect())
        .collect();
    let mut rows = Vec::with_capacity(n * (k + 2));
    rows.extend(a.iter().cloned());
    rows.extend(b.iter().cloned());
    for i in 0..k {
        for j in 0..n {
            let mut r = a[j].clone();
            r[i] = b[j][i];
            rows.push(r);
        }
    }
    rows
}

/// First- and total-order indices of one input.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    /// First-order index S_i: the share of variance due to input i alone.
    pub first: f64,
    /// Total-order index ST_i: the share due to i with all its interactions.
    pub total: f64,
}

/// Sobol indices from outputs `y` laid out as [`saltelli_unit`]'s rows
/// (N(k + 2) values). NaN where the output does not vary.
pub fn sobol_indices(y: &[f64], n: usize, k: usize) -> Vec<SobolIndex> {
    assert_eq!(
        y.len(),
        n * (k + 2),
        "outputs must follow the Saltelli layout"
    );
    let rows: Vec<usize> = (0..n).collect();
    estimate(y, n, k, &rows)
}

/// The estimators of the module doc over the base samples `rows` (indices
/// into 0..N, repeats allowed: a bootstrap resample).
fn estimate(y: &[f64], n: usize, k: usize, rows: &[usize]) -> Vec<SobolIndex> {
    let m = rows.len();
    let fa = |j: usize| y[j];
    let fb = |j: usize| y[n + j];
    // Centre the outputs first: the estimators are invariant to a shift in
    // expectation, but not in variance, and an uncentred f(B) multiplies the
    // noise of f(AB_i) − f(A) by the output's mean.
    let mean = rows.iter().map(|&j| fa(j) + fb(j)).sum::<f64>() / (2 * m) as f64;
    let var = rows
        .iter()
        .map(|&j| (fa(j) - mean).powi(2) + (fb(j) - mean).powi(2))
        .sum::<f64>()
        / (2 * m - 1).max(1) as f64;
    (0..k)
        .map(|i| {
            let fab = |j: usize| y[(2 + i) * n + j];
            let first = rows
                .iter()
                .map(|&j| (fb(j) - mean) * (fab(j) - fa(j)))
                .sum::<f64>()
                / m as f64
                / var;
            let total =
                rows.iter().map(|&j| (fa(j) - fab(j)).powi(2)).sum::<f64>() / (2 * m) as f64 / var;
            SobolIndex { first, total }
        })
        .collect()
}

/// Bootstrap resamples behind [`SobolCi`]'s intervals. 200 puts the 2.5%
/// and 97.5% quantiles on the 5th and 195th resample: their own Monte Carlo
/// error is then small beside the interval's width, for a cost of 200
/// passes over N(k + 2) outputs (a few ms for N = 1,000, k = 10).
pub const BOOTSTRAP_SAMPLES: usize = 200;

/// An estimate with its 95% bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The estimate from all N base samples.
    pub value: f64,
    /// 2.5% quantile of the bootstrap estimates.
    pub low: f64,
    /// 97.5% quantile of the bootstrap estimates.
    pub high: f64,
}

/// First- and total-order indices of one input with 95% bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolCi {
    /// First-order index S_i [0–1].
    pub first: Estimate,
    /// Total-order index ST_i [0–1].
    pub total: Estimate,
}

impl SobolCi {
    /// Whether the total-order estimate is below the first-order one by more
    /// than its own interval reaches: ST_i ≥ S_i always holds for the true
    /// indices, so this says the Monte Carlo error (too few base samples or
    /// replications) is larger than the indices' differences, and the
    /// estimates should not be read as they stand.
    pub fn total_below_first(&self) -> bool {
        self.total.high < self.first.value
    }

    /// The warning for [`SobolCi::total_below_first`], for a table's note
    /// column, the terminal and the charts; empty when there is none.
    pub fn note(&self) -> String {
        if self.total_below_first() {
            format!(
                "warning: total order {:.3} (95% CI up to {:.3}) is below first order {:.3}; \
                 the estimates are too noisy to read: raise `points` or `replications`",
                self.total.value, self.total.high, self.first.value
            )
        } else {
            String::new()
        }
    }
}

/// [`sobol_indices`] with 95% percentile intervals from
/// [`BOOTSTRAP_SAMPLES`] bootstrap resamples of the design's N base samples
/// (each resample keeps the rows of A, B and every AB_i of a base sample
/// together, as the estimators pair them), drawn from `rng` so that the same
/// stream gives the same intervals.
pub fn sobol_with_ci(y: &[f64], n: usize, k: usize, rng: &mut Stream) -> Vec<SobolCi> {
    let point = sobol_indices(y, n, k);
    let mut firsts = vec![Vec::with_capacity(BOOTSTRAP_SAMPLES); k];
    let mut totals = vec![Vec::with_capacity(BOOTSTRAP_SAMPLES); k];
    let mut rows = vec![0; n];
    for _ in 0..BOOTSTRAP_SAMPLES {
        for r in rows.iter_mut() {
            *r = rng.random_range(0..n);
        }
        for (i, s) in estimate(y, n, k, &rows).into_iter().enumerate() {
            firsts[i].push(s.first);
            totals[i].push(s.total);
        }
    }
    let interval = |value: f64, mut draws: Vec<f64>| {
        draws.retain(|v| v.is_finite());
        draws.sort_by(f64::total_cmp);
        Estimate {
            value,
            low: crate::stats::quantile_sorted(&draws, 0.025),
            high: crate::stats::quantile_sorted(&draws, 0.975),
        }
    };
    point
        .into_iter()
        .zip(firsts.into_iter().zip(totals))
        .map(|(p, (f, t))| SobolCi {
            first: interval(p.first, f),
            total: interval(p.total, t),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// Outputs in the Saltelli layout with f(AB_1) = f(A) + f(B): then
    /// S_1 = mean(f(B)²)/V ≈ 1 and ST_1 = mean(f(B)²)/(2V) ≈ 0.5, half of
    /// it. No model gives that (ST ≥ S for every function), but an estimate
    /// from noisy outputs can, and it must be flagged.
    fn total_below_first(n: usize) -> Vec<f64> {
        let mut rng = stream(3, 0, "test");
        let a: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect();
        let b: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect();
        let ab: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        [a, b, ab].concat()
    }

    /// The constructed case is flagged, with the warning's text, and its
    /// intervals hold their estimates: S_1 ≈ 1 and ST_1 ≈ 0.5 with N = 400
    /// (standard errors ≈ 0.05, so ±0.2 is four of them).
    #[test]
    fn total_below_first_is_flagged() {
        let n = 400;
        let y = total_below_first(n);
        let ci = sobol_with_ci(&y, n, 1, &mut stream(1, 0, "bootstrap"));
        let s = ci[0];
        assert!((s.first.value - 1.0).abs() < 0.2, "{s:?}");
        assert!((s.total.value - 0.5).abs() < 0.2, "{s:?}");
        assert!(s.total_below_first(), "{s:?}");
        assert!(s.note().starts_with("warning: total order"), "{}", s.note());
        for e in [s.first, s.total] {
            assert!(e.low <= e.value && e.value <= e.high, "{e:?}");
        }
    }

    /// An additive function, f = x1 + 2 x2 on [0, 1)², has S = ST = (0.2,
    /// 0.8): no warning, the intervals hold the true values (N = 2,000:
    /// standard errors ≈ 0.02, the intervals ≈ ±0.04), and the same stream
    /// gives the same intervals.
    #[test]
    fn intervals_cover_an_additive_function_and_repeat() {
        let n = 2000;
        let rows = saltelli_unit(n, 2, &mut stream(5, 0, "design"));
        let y: Vec<f64> = rows.iter().map(|u| u[0] + 2.0 * u[1]).collect();
        let ci = sobol_with_ci(&y, n, 2, &mut stream(5, 0, "bootstrap"));
        for (s, truth) in ci.iter().zip([0.2, 0.8]) {
            assert!(!s.total_below_first(), "{s:?}");
            for e in [s.first, s.total] {
                assert!(e.low < truth && truth < e.high, "{e:?} vs {truth}");
                assert!(e.high - e.low < 0.2, "{e:?}: too wide");
            }
        }
        assert_eq!(ci, sobol_with_ci(&y, n, 2, &mut stream(5, 0, "bootstrap")));
    }
}
