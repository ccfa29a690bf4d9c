//! Priors of calibrated parameters, and the space the sampler moves in.
//!
//! The sampler perturbs particles in a *sampler space* `u`: the value itself
//! for `uniform` and `normal` priors, its logarithm for `log_uniform` ones
//! (a factor of 2 up or down is then one step size whatever the value's
//! scale). Every prior is bounded by the parameter's `[min, max]`; a normal
//! prior is truncated to it.

use rand::RngExt;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::rng::Stream;

/// A prior over one parameter's `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prior {
    /// Flat in the value.
    Uniform,
    /// Flat in the value's logarithm (`min` > 0).
    LogUniform,
    /// Normal with this mean and standard deviation, truncated to the bounds.
    Normal {
        /// Mean [unit of the value].
        mean: f64,
        /// Standard deviation [unit of the value], > 0.
        sd: f64,
    },
}

impl Prior {
    /// Parses `uniform`, `log_uniform` or `normal(MEAN, SD)`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        match t {
            "uniform" => return Ok(Prior::Uniform),
            "log_uniform" => return Ok(Prior::LogUniform),
            _ => {}
        }
        let inner = t
            .strip_prefix("normal(")
            .and_then(|r| r.strip_suffix(')'))
            .ok_or_else(|| {
                format!(
                    "unknown prior \"{}\"; one of: uniform, log_uniform, normal(MEAN, SD)",
                    crate::input::shown(text)
                )
            })?;
        let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
        let num = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite());
        match parts.as_slice() {
            [m, s] => match (num(m), num(s)) {
                (Some(mean), Some(sd)) if sd > 0.0 => Ok(Prior::Normal { mean, sd }),
                _ => Err(format!(
                    "normal(MEAN, SD) needs two finite numbers with SD > 0, got \"{}\"",
                    crate::input::shown(text)
                )),
            },
            _ => Err(format!(
                "normal(MEAN, SD) takes two numbers, got \"{}\"",
                crate::input::shown(text)
            )),
        }
    }
}

/// A prior with its bounds: what the sampler needs of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    /// The prior.
    pub prior: Prior,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
}

impl Bounded {
    /// The sampler-space coordinate of `value`.
    pub fn to_u(&self, value: f64) -> f64 {
        match self.prior {
            Prior::LogUniform => value.ln(),
            _ => value,
        }
    }

    /// The value at sampler-space coordinate `u`.
    pub fn from_u(&self, u: f64) -> f64 {
        match self.prior {
            Prior::LogUniform => u.exp(),
            _ => u,
        }
    }

    /// The bounds in sampler space.
    pub fn u_bounds(&self) -> (f64, f64) {
        (self.to_u(self.min), self.to_u(self.max))
    }

    /// Whether `u` lies within the bounds.
    pub fn contains(&self, u: f64) -> bool {
        let (lo, hi) = self.u_bounds();
        u.is_finite() && lo <= u && u <= hi
    }

    /// ln of the normalised prior density of `u` in sampler space; −∞
    /// outside the bounds. Normalised, because the sampler compares weights
    /// of particles drawn from the prior with those drawn from its kernel.
    pub fn log_density(&self, u: f64) -> f64 {
        if !self.contains(u) {
            return f64::NEG_INFINITY;
        }
        let (lo, hi) = self.u_bounds();
        match self.prior {
            Prior::Uniform | Prior::LogUniform => -(hi - lo).ln(),
            Prior::Normal { mean, sd } => {
                let n = Normal::new(mean, sd).expect("sd > 0 was validated");
                let z = (u - mean) / sd;
                -0.5 * z * z
                    - sd.ln()
                    - 0.5 * (2.0 * std::f64::consts::PI).ln()
                    - (n.cdf(hi) - n.cdf(lo)).ln()
            }
        }
    }

    /// A draw from the prior, in sampler space: flat in `u` for the flat
    /// priors, by the inverse CDF between the bounds for a truncated normal.
    pub fn sample(&self, rng: &mut Stream) -> f64 {
        let (lo, hi) = self.u_bounds();
        let p: f64 = rng.random();
        match self.prior {
            Prior::Uniform | Prior::LogUniform => lo + p * (hi - lo),
            Prior::Normal { mean, sd } => {
                let n = Normal::new(mean, sd).expect("sd > 0 was validated");
                let (a, b) = (n.cdf(lo), n.cdf(hi));
                n.inverse_cdf(a + p * (b - a)).clamp(lo, hi)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priors_parse_and_refuse_nonsense() {
        assert_eq!(Prior::parse("uniform"), Ok(Prior::Uniform));
        assert_eq!(Prior::parse(" log_uniform "), Ok(Prior::LogUniform));
        assert_eq!(
            Prior::parse("normal(1, 0.2)"),
            Ok(Prior::Normal { mean: 1.0, sd: 0.2 })
        );
        assert!(Prior::parse("normal(1, 0)").is_err());
        assert!(Prior::parse("normal(1)").is_err());
        assert!(Prior::parse("gamma").unwrap_err().contains("log_uniform"));
    }

    #[test]
    fn truncated_normal_draws_stay_in_bounds_with_the_right_mean() {
        // normal(1, 1) truncated to [0, 3]: mean 1 + φ(−1) − φ(2) / (Φ(2) − Φ(−1))
        // = 1 + (0.24197 − 0.05399) / 0.81859 = 1.22964. 20,000 draws: the
        // standard error is about 0.005, so 0.02 is four of them.
        let b = Bounded {
            prior: Prior::Normal { mean: 1.0, sd: 1.0 },
            min: 0.0,
            max: 3.0,
        };
        let mut rng = crate::rng::stream(7, 0, "prior-test");
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| b.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&u| (0.0..=3.0).contains(&u)));
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((mean - 1.22964).abs() < 0.02, "{mean}");
    }

    #[test]
    fn log_uniform_is_flat_in_the_logarithm() {
        // Half the draws of log-uniform [1, 100] lie below 10.
        let b = Bounded {
            prior: Prior::LogUniform,
            min: 1.0,
            max: 100.0,
        };
        let mut rng = crate::rng::stream(7, 0, "prior-test");
        let below = (0..10_000)
            .filter(|_| b.from_u(b.sample(&mut rng)) < 10.0)
            .count();
        // Binomial sd 50 of 10,000: 200 is four of them.
        assert!((below as i64 - 5_000).abs() < 200, "{below}");
    }
}
