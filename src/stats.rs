//! Summaries across replications: mean, 95% confidence interval of the mean
//! and the 5/25/50/75/95% quantiles, in memory that does not grow with the
//! number of replications.
//!
//! Means and variances are exact (Welford's update). Quantiles are exact,
//! linear interpolation between order statistics (type 7, as numpy and R
//! default), while a cell has seen at most [`EXACT_QUANTILES_UP_TO`] values;
//! past that the values move into a t-digest, whose error is well under a
//! percent of rank at the tails for a few hundred centroids. Replications are
//! always fed in replication order, so both paths give the same bits whatever
//! the thread count.

use statrs::distribution::{ContinuousCDF, StudentsT};
use tdigest::TDigest;

/// Replications per cell up to which quantiles are exact; also the block
/// size in which values are merged into the digest beyond that.
pub const EXACT_QUANTILES_UP_TO: usize = 128;

/// Compression of the t-digest used beyond that [centroids].
pub const DIGEST_SIZE: usize = 100;

/// The quantiles reported, as fractions.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.50, 0.75, 0.95];

/// A summary of one quantity across replications.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Number of replications.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Lower end of the 95% confidence interval of the mean (Student t).
    pub ci95_low: f64,
    /// Upper end of the 95% confidence interval of the mean.
    pub ci95_high: f64,
    /// Sample standard deviation (0 for one replication).
    pub sd: f64,
    /// 5% quantile.
    pub p05: f64,
    /// 25% quantile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75% quantile.
    pub p75: f64,
    /// 95% quantile.
    pub p95: f64,
}

impl Summary {
    /// Header of the fields [`Summary::csv_fields`] writes.
    pub const CSV_HEADER: &'static str = "mean,ci95_low,ci95_high,p05,p25,p50,p75,p95";

    /// `mean,ci95_low,ci95_high,p05,p25,p50,p75,p95` as CSV fields.
    pub fn csv_fields(&self) -> String {
        let mut out = String::with_capacity(8 * 12);
        self.push_csv_fields(&mut out);
        out
    }

    /// Appends [`Summary::csv_fields`] to `out`. Each value is rounded to
    /// 12 significant digits ([`tidy`]) and written as the shortest decimal
    /// that reads back to it, always with a fraction or an exponent (`3.0`,
    /// `1e-7`), so CSV readers infer one float column.
    /// Written by `ryu`: a run's daily summary holds days × metrics × 8
    /// numbers, and std's formatter made it a quarter of an M/M/c run's time.
    /// A value equal to the one before it (all eight, for one replication)
    /// is copied, not formatted again.
    pub fn push_csv_fields(&self, out: &mut String) {
        let values = [
            self.mean,
            self.ci95_low,
            self.ci95_high,
            self.p05,
            self.p25,
            self.p50,
            self.p75,
            self.p95,
        ];
        let mut buffer = ryu::Buffer::new();
        let mut last: Option<(u64, std::ops::Range<usize>)> = None;
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let start = out.len();
            match &last {
                Some((bits, range)) if *bits == v.to_bits() => {
                    out.extend_from_within(range.clone());
                }
                _ => out.push_str(format_float(&mut buffer, tidy(v))),
            }
            last = Some((v.to_bits(), start..out.len()));
        }
    }
}

/// `x` rounded to 12 significant digits, for tables people read and join:
/// it drops the float noise of sums and means (`4888.450000000001` →
/// `4888.45`, `226.38896398225233` → `226.388963982`) and keeps every digit
/// a count, a mean of counts or an interval can mean (Monte Carlo error is
/// far above 1 part in 10¹²). Arithmetic, not a format-and-parse round
/// trip, because a daily summary holds hundreds of thousands of numbers:
/// scaling by an exact power of ten and rounding gives the double nearest
/// the 12-digit decimal, which the shortest-decimal writer then prints as
/// it. Non-finite values, zero and magnitudes the scaling cannot reach
/// (below 1e-280 or so) pass unchanged; above 1e34 the power of ten is
/// itself rounded, which may leave a stray digit past the twelfth.
pub fn tidy(x: f64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let digits = 11 - x.abs().log10().floor() as i32;
    let r = if digits >= 0 {
        let f = 10f64.powi(digits);
        (x * f).round() / f
    } else {
        let f = 10f64.powi(-digits);
        (x / f).round() * f
    };
    if r.is_finite() { r } else { x }
}

/// `v` as the shortest decimal that reads back to it, with a fraction or an
/// exponent; `NaN`, `inf` and `-inf` as Rust writes them.
pub fn format_float(buffer: &mut ryu::Buffer, v: f64) -> &str {
    if v.is_finite() {
        buffer.format_finite(v)
    } else if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "inf"
    } else {
        "-inf"
    }
}

/// Streaming accumulator of one quantity across replications.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    n: u64,
    mean: f64,
    m2: f64,
    exact: Vec<f64>,
    digest: Option<TDigest>,
}

impl Accumulator {
    /// Adds one replication's value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        if self.exact.len() == EXACT_QUANTILES_UP_TO {
            // Merge the full block (sorted, no buffer kept by the digest).
            self.exact.sort_unstable_by(f64::total_cmp);
            let block =
                std::mem::replace(&mut self.exact, Vec::with_capacity(EXACT_QUANTILES_UP_TO));
            let digest = self
                .digest
                .take()
                .unwrap_or_else(|| TDigest::new_with_size(DIGEST_SIZE));
            self.digest = Some(digest.merge_sorted(block));
        }
        self.exact.push(x);
    }

    /// The summary of the values so far.
    pub fn summary(&self) -> Summary {
        let n = self.n;
        let sd = if n > 1 {
            (self.m2 / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let half = if n > 1 {
            t_975(n - 1) * sd / (n as f64).sqrt()
        } else {
            0.0
        };
        let mut v = self.exact.clone();
        v.sort_unstable_by(f64::total_cmp);
        let q = match &self.digest {
            Some(t) => {
                let t = t.merge_sorted(v);
                QUANTILES.map(|p| t.estimate_quantile(p).unwrap_or(f64::NAN))
            }
            None => QUANTILES.map(|p| quantile_sorted(&v, p)),
        };
        Summary {
            n,
            mean: self.mean,
            ci95_low: self.mean - half,
            ci95_high: self.mean + half,
            sd,
            p05: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
        }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom, the
/// half-width factor of a two-sided 95% interval.
pub fn t_975(df: u64) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

/// Quantile `p` of sorted values by linear interpolation between order
/// statistics (Hyndman–Fan type 7). NaN for no values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounding to 12 significant digits drops float noise and keeps the
    /// digits that mean something, at every magnitude.
    #[test]
    fn tidy_keeps_twelve_significant_digits() {
        assert_eq!(tidy(4888.450000000001), 4888.45);
        assert_eq!(tidy(226.38896398225233).to_string(), "226.388963982");
        assert_eq!(tidy(-0.30000000000000004), -0.3);
        assert_eq!(tidy(1_921_657.000000001), 1_921_657.0);
        assert_eq!(tidy(1.234567890123456e15), 1.23456789012e15);
        assert_eq!(tidy(6.02214076e-23), 6.02214076e-23);
        for x in [0.0, f64::NAN, f64::INFINITY, 1e-300] {
            let t = tidy(x);
            assert!(t == x || (x.is_nan() && t.is_nan()), "{x} became {t}");
        }
        let mut out = String::new();
        Summary {
            n: 2,
            mean: 209.0,
            ci95_low: 191.61103601774767,
            ci95_high: 226.38896398225233,
            sd: 1.0,
            p05: 204.2,
            p25: 205.0,
            p50: 206.0,
            p75: 211.5,
            p95: 215.9,
        }
        .push_csv_fields(&mut out);
        assert_eq!(
            out,
            "209.0,191.611036018,226.388963982,204.2,205.0,206.0,211.5,215.9"
        );
    }

    #[test]
    fn exact_summary_matches_hand_values() {
        let mut a = Accumulator::default();
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            a.push(x);
        }
        let s = a.summary();
        assert_eq!(s.mean, 3.0);
        assert_eq!(s.p50, 3.0);
        assert_eq!(s.p25, 2.0);
        assert!((s.p05 - 1.2).abs() < 1e-12);
        // sd = sqrt(2.5); t(4, 0.975) = 2.776445.
        let half = 2.776_445_105_2 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci95_high - 3.0 - half).abs() < 1e-6, "{s:?}");
    }

    #[test]
    fn digest_quantiles_close_beyond_exact_range() {
        // 10,000 values 0..1 evenly spaced: the median within 0.5% of rank.
        let mut a = Accumulator::default();
        for i in 0..10_000 {
            a.push(((i * 7919) % 10_000) as f64 / 10_000.0);
        }
        let s = a.summary();
        assert!((s.p50 - 0.5).abs() < 0.005, "{s:?}");
        assert!((s.p95 - 0.95).abs() < 0.005, "{s:?}");
        assert!((s.mean - 0.49995).abs() < 1e-9);
    }
}
