//! The sampler: adaptive population Monte Carlo ABC (APMC; Lenormand,
//! Jabot & Deffuant 2013, "Adaptive approximate Bayesian computation for
//! complex models", Computational Statistics 28), an ABC-SMC whose
//! tolerance adapts on its own and whose cost per generation is fixed.
//!
//! Generation 0 draws `N` particles from the prior and keeps the best
//! `Nα` (the tolerance ε₀ is the largest distance kept). Each later
//! generation draws `N − Nα` new particles from the kept ones (a parent by
//! weight, moved by a Gaussian kernel with twice their weighted covariance,
//! in sampler space), weights each by prior / proposal density, pools them
//! with the kept ones and again keeps the best `Nα`. It stops when the share
//! of new particles within the previous tolerance falls below
//! `min_acceptance` (more generations would cost much and move little), when
//! the tolerance reaches the stated model discrepancy (1 in distance units:
//! asking for a closer fit would be asking an imperfect model to fit noise
//! and its own errors; ABC with that tolerance is exact inference under a
//! model error spread over that ball, Wilkinson 2013), or after the last
//! generation allowed.
//!
//! Why APMC rather than the rejection-until-N form of ABC-SMC: its cost is
//! known before it runs (`N + G (N − Nα)` candidates), which a 45-minute
//! budget on two cores needs, and each generation is one parallel batch.
//!
//! Determinism: candidate `i` of generation `t` draws from its own stream
//! (`rng::stream(seed, i, "calibrate.t")`), candidates are evaluated in
//! parallel but collected in index order, and ties in distance are broken
//! by age then index. The state after each generation is serialisable, so a
//! checkpoint resumes to the same bits.

use nalgebra::{DMatrix, DVector};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::prior::Bounded;
use crate::results::calibration::Generation;

/// One particle: a parameter set in sampler space, its distance and its
/// importance weight (natural log, unnormalised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// Sampler-space coordinates, one per parameter.
    pub u: Vec<f64>,
    /// Distance from the observed data [discrepancy units]; infinite for a
    /// candidate whose scenario was invalid.
    pub distance: f64,
    /// ln of the importance weight (prior / proposal density).
    pub log_weight: f64,
    /// Generation it was drawn in and its index there (ties and audit).
    pub born: (u32, u32),
}

/// How the sampler runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Particles per generation, N.
    pub particles: usize,
    /// Particles kept, Nα.
    pub keep: usize,
    /// Stop when fewer new particles than this share are within the
    /// previous tolerance [0–1].
    pub min_acceptance: f64,
    /// Most generations after generation 0.
    pub generations: u32,
    /// Stop once the tolerance is at or below this [distance units].
    pub floor: f64,
}

/// The sampler's state after a generation: all a checkpoint holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The last finished generation.
    pub generation: u32,
    /// Its tolerance.
    pub tolerance: f64,
    /// The kept particles, best first.
    pub particles: Vec<Particle>,
    /// One entry per finished generation.
    pub trace: Vec<Generation>,
    /// Candidates whose scenario was invalid (a parameter combination the
    /// model's validation refuses), in all.
    pub invalid: u64,
    /// Why the sampler stopped, once it has.
    pub stopped: Option<String>,
}

/// Evaluates candidates (sampler-space points) and returns their distances
/// in order, or `None` when interrupted.
pub type Evaluate<'a> = dyn Fn(u32, &[Vec<f64>]) -> Option<Vec<f64>> + Sync + 'a;

/// Normalised prior log density of a point (sum over parameters).
fn log_prior(priors: &[Bounded], u: &[f64]) -> f64 {
    priors.iter().zip(u).map(|(p, &x)| p.log_density(x)).sum()
}

/// Generation 0: `N` draws from the prior.
pub fn start(
    s: &Settings,
    priors: &[Bounded],
    seed: u64,
    eval: &Evaluate,
    reps: u32,
) -> Option<State> {
    let t0 = std::time::Instant::now();
    let cands: Vec<Vec<f64>> = (0..s.particles)
        .map(|i| {
            let mut rng = crate::rng::stream(seed, i as u64, "calibrate.0");
            priors.iter().map(|p| p.sample(&mut rng)).collect()
        })
        .collect();
    let d = eval(0, &cands)?;
    let fresh: Vec<Particle> = cands
        .into_iter()
        .zip(d)
        .enumerate()
        .map(|(i, (u, distance))| Particle {
            u,
            distance,
            // Drawn from the prior: prior / proposal = 1.
            log_weight: 0.0,
            born: (0, i as u32),
        })
        .collect();
    let mut state = State {
        generation: 0,
        tolerance: f64::INFINITY,
        particles: Vec::new(),
        trace: Vec::new(),
        invalid: 0,
        stopped: None,
    };
    finish_generation(&mut state, s, fresh, 1.0, reps, t0);
    Some(state)
}

/// One more generation from `state`; `None` when interrupted (the state
/// given is then still the last finished one).
pub fn step(
    state: &State,
    s: &Settings,
    priors: &[Bounded],
    seed: u64,
    eval: &Evaluate,
    reps: u32,
) -> Option<State> {
    let t0 = std::time::Instant::now();
    let t = state.generation + 1;
    let kernel = Kernel::new(&state.particles, priors.len());
    let parents = normalised_weights(&state.particles);
    let n_new = s.particles - s.keep;
    let cands: Vec<Vec<f64>> = (0..n_new)
        .map(|i| {
            let mut rng = crate::rng::stream(seed, i as u64, &format!("calibrate.{t}"));
            kernel.propose(&state.particles, &parents, priors, &mut rng)
        })
        .collect();
    let d = eval(t, &cands)?;
    let fresh: Vec<Particle> = cands
        .into_iter()
        .zip(d)
        .enumerate()
        .map(|(i, (u, distance))| {
            let log_weight =
                log_prior(priors, &u) - kernel.log_mixture(&u, &state.particles, &parents);
            Particle {
                u,
                distance,
                log_weight,
                born: (t, i as u32),
            }
        })
        .collect();
    let accepted = fresh
        .iter()
        .filter(|p| p.distance < state.tolerance)
        .count();
    let mut next = state.clone();
    next.generation = t;
    finish_generation(
        &mut next,
        s,
        fresh,
        accepted as f64 / n_new.max(1) as f64,
        reps,
        t0,
    );
    Some(next)
}

/// Pools `fresh` with the kept particles, keeps the best `Nα`, records the
/// generation and decides whether to stop.
fn finish_generation(
    state: &mut State,
    s: &Settings,
    fresh: Vec<Particle>,
    acceptance: f64,
    reps: u32,
    t0: std::time::Instant,
) {
    let simulations = fresh.len() as u64 * u64::from(reps);
    state.invalid += fresh.iter().filter(|p| !p.distance.is_finite()).count() as u64;
    let mut pool = std::mem::take(&mut state.particles);
    pool.extend(fresh);
    pool.sort_by(|a, b| a.distance.total_cmp(&b.distance).then(a.born.cmp(&b.born)));
    pool.truncate(s.keep);
    state.tolerance = pool.last().map_or(f64::INFINITY, |p| p.distance);
    state.particles = pool;
    state.trace.push(Generation {
        generation: state.generation,
        tolerance: state.tolerance,
        acceptance,
        ess: ess(&state.particles),
        simulations,
        seconds: t0.elapsed().as_secs_f64(),
    });
    state.stopped = if !state.tolerance.is_finite() {
        Some("no candidate gave a valid scenario with finite distance".into())
    } else if state.tolerance <= s.floor {
        Some(format!(
            "the tolerance reached the stated model discrepancy ({:.3} ≤ {})",
            state.tolerance, s.floor
        ))
    } else if state.generation > 0 && acceptance < s.min_acceptance {
        Some(format!(
            "the acceptance rate fell to {:.1}% (< {:.1}%): more generations would cost much and move little",
            100.0 * acceptance,
            100.0 * s.min_acceptance
        ))
    } else if state.generation >= s.generations {
        Some(format!(
            "the last of {} generations was reached",
            s.generations
        ))
    } else {
        None
    };
}

/// The particles' weights normalised to sum 1.
pub fn normalised_weights(particles: &[Particle]) -> Vec<f64> {
    let max = particles
        .iter()
        .map(|p| p.log_weight)
        .fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = particles
        .iter()
        .map(|p| (p.log_weight - max).exp())
        .collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Effective sample size of the particles' weights, (Σw)² / Σw².
pub fn ess(particles: &[Particle]) -> f64 {
    if particles.is_empty() {
        return 0.0;
    }
    1.0 / normalised_weights(particles)
        .iter()
        .map(|w| w * w)
        .sum::<f64>()
}

/// The Gaussian perturbation kernel: twice the kept particles' weighted
/// covariance (Beaumont et al. 2009's choice, which APMC keeps), through
/// its Cholesky factor.
struct Kernel {
    /// Lower-triangular factor L of the covariance, L Lᵀ = 2Σ.
    l: DMatrix<f64>,
    /// ln of the Gaussian's normalising constant.
    log_norm: f64,
}

impl Kernel {
    fn new(particles: &[Particle], d: usize) -> Self {
        let w = normalised_weights(particles);
        let mut mean = DVector::zeros(d);
        for (p, wi) in particles.iter().zip(&w) {
            mean += DVector::from_column_slice(&p.u) * *wi;
        }
        let mut cov = DMatrix::zeros(d, d);
        for (p, wi) in particles.iter().zip(&w) {
            let x = DVector::from_column_slice(&p.u) - &mean;
            cov += &x * x.transpose() * *wi;
        }
        cov *= 2.0;
        // Identical particles (or a parameter that stopped moving) make the
        // covariance singular: a tiny ridge, relative to each variance,
        // keeps the factor defined without changing a healthy kernel.
        for i in 0..d {
            let v = cov[(i, i)];
            cov[(i, i)] = v + (v.abs() * 1e-9).max(1e-12);
        }
        let l = match cov.clone().cholesky() {
            Some(c) => c.l(),
            // Not positive definite even so: the diagonal alone.
            None => DMatrix::from_diagonal(&cov.diagonal().map(f64::sqrt)),
        };
        let log_det: f64 = (0..d).map(|i| l[(i, i)].ln()).sum::<f64>() * 2.0;
        let log_norm = -0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + log_det);
        Self { l, log_norm }
    }

    /// A new point: a parent by weight, moved by the kernel, redrawn until
    /// it lies inside every parameter's bounds (100 tries; then the parent
    /// itself, which is inside).
    fn propose(
        &self,
        particles: &[Particle],
        weights: &[f64],
        priors: &[Bounded],
        rng: &mut crate::rng::Stream,
    ) -> Vec<f64> {
        let pick: f64 = rng.random();
        let mut cum = 0.0;
        let mut parent = particles.len() - 1;
        for (j, w) in weights.iter().enumerate() {
            cum += w;
            if pick < cum {
                parent = j;
                break;
            }
        }
        let from = DVector::from_column_slice(&particles[parent].u);
        for _ in 0..100 {
            let z = DVector::from_iterator(
                from.len(),
                (0..from.len()).map(|_| StandardNormal.sample(rng)),
            );
            let u = &from + &self.l * z;
            if priors.iter().zip(u.iter()).all(|(p, &x)| p.contains(x)) {
                return u.iter().copied().collect();
            }
        }
        from.iter().copied().collect()
    }

    /// ln of the proposal density at `u`: the kernel mixture over the
    /// parents with their weights (log-sum-exp, so no term underflows).
    fn log_mixture(&self, u: &[f64], particles: &[Particle], weights: &[f64]) -> f64 {
        let x = DVector::from_column_slice(u);
        let terms: Vec<f64> = particles
            .iter()
            .zip(weights)
            .map(|(p, w)| {
                let diff = &x - DVector::from_column_slice(&p.u);
                let y = self
                    .l
                    .solve_lower_triangular(&diff)
                    .unwrap_or_else(|| DVector::from_element(diff.len(), f64::INFINITY));
                w.ln() + self.log_norm - 0.5 * y.norm_squared()
            })
            .collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !max.is_finite() {
            return max;
        }
        max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::prior::Prior;

    /// A toy problem with a known posterior: θ ~ U(−5, 5), the "simulator"
    /// returns θ itself, the distance is |θ − 1| / 0.1. The kept particles
    /// must close in on 1, deterministically.
    #[test]
    fn sampler_closes_in_on_a_known_answer_and_is_deterministic() {
        let priors = [Bounded {
            prior: Prior::Uniform,
            min: -5.0,
            max: 5.0,
        }];
        let s = Settings {
            particles: 200,
            keep: 100,
            min_acceptance: 0.02,
            generations: 30,
            floor: 0.5,
        };
        let eval =
            |_t: u32, c: &[Vec<f64>]| Some(c.iter().map(|u| (u[0] - 1.0).abs() / 0.1).collect());
        let run = || {
            let mut st = start(&s, &priors, 3, &eval, 1).unwrap();
            while st.stopped.is_none() {
                st = step(&st, &s, &priors, 3, &eval, 1).unwrap();
            }
            st
        };
        // Equal but for the wall-clock seconds of each generation.
        let timeless = |mut st: State| {
            st.trace.iter_mut().for_each(|g| g.seconds = 0.0);
            st
        };
        let a = timeless(run());
        assert!(a == timeless(run()), "same seed, same state");
        // Stopped at the floor: every kept particle within 0.05 of 1.
        assert!(a.tolerance <= 0.5, "{:?}", a.stopped);
        assert!(a.particles.iter().all(|p| (p.u[0] - 1.0).abs() <= 0.05));
        // The kept particles spread over the accepted ball, not one point:
        // on U(0.95, 1.05) the sd is 0.029; at least a third of it.
        let m = a.particles.iter().map(|p| p.u[0]).sum::<f64>() / a.particles.len() as f64;
        let sd = (a
            .particles
            .iter()
            .map(|p| (p.u[0] - m).powi(2))
            .sum::<f64>()
            / a.particles.len() as f64)
            .sqrt();
        assert!(sd > 0.01, "collapsed: sd {sd}");
        assert!(a.trace.len() >= 3);
    }
}
