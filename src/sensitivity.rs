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
    // Centre the outputs first: the estimators are invariant to a shift in
    // expectation, but not in variance, and an uncentred f(B) multiplies the
    // noise of f(AB_i) − f(A) by the output's mean.
    let mean = y[..2 * n].iter().sum::<f64>() / (2 * n) as f64;
    let y: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let fa = &y[..n];
    let fb = &y[n..2 * n];
    let var = y[..2 * n].iter().map(|v| v * v).sum::<f64>() / (2 * n - 1).max(1) as f64;
    (0..k)
        .map(|i| {
            let fab = &y[(2 + i) * n..(3 + i) * n];
            let first = (0..n).map(|j| fb[j] * (fab[j] - fa[j])).sum::<f64>() / n as f64 / var;
            let total =
                (0..n).map(|j| (fa[j] - fab[j]).powi(2)).sum::<f64>() / (2 * n) as f64 / var;
            SobolIndex { first, total }
        })
        .collect()
}
