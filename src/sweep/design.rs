//! Sweep designs: which parameter values each point takes.

use rand::RngExt;

pub use crate::results::sweep::Design;
use crate::results::sweep::Parameter;
use crate::rng::stream;

/// How many points [`points`] gives for `params` and `n`
/// samples, computed without building them, so that a design too large
/// is refused before anything is allocated for it.
pub fn count(design: Design, params: &[Parameter], n: usize) -> u128 {
    let values = |p: &Parameter| range_values(p).len() as u128;
    match design {
        Design::Grid => params.iter().map(values).product(),
        Design::Lhs => n as u128,
        Design::Oat => 1 + params.iter().map(values).sum::<u128>(),
        Design::Sobol => n as u128 * (params.len() as u128 + 2),
    }
}

/// The points (parameter values, in parameter order) and, for Sobol, the
/// base sample count N. Random designs draw from the stream
/// "sweep-design" of `seed`, so a sweep file always gives the same points.
/// Call it only for a design whose [`Design::count`] is within
/// [`super::MAX_POINTS`].
pub fn points(design: Design, params: &[Parameter], n: usize, seed: u64) -> (Vec<Vec<f64>>, usize) {
    let mut rng = stream(seed, 0, "sweep-design");
    let scale = |p: &Parameter, u: f64| p.min + u * (p.max - p.min);
    match design {
        Design::Grid => {
            let axes: Vec<Vec<f64>> = params.iter().map(range_values).collect();
            let mut points = vec![Vec::new()];
            for axis in &axes {
                points = points
                    .into_iter()
                    .flat_map(|p| {
                        axis.iter().map(move |v| {
                            let mut q = p.clone();
                            q.push(*v);
                            q
                        })
                    })
                    .collect();
            }
            (points, 0)
        }
        Design::Lhs => {
            let mut columns = Vec::new();
            for p in params {
                let mut strata: Vec<usize> = (0..n).collect();
                // Fisher–Yates with the design stream.
                for i in (1..n).rev() {
                    let j = rng.random_range(0..=i);
                    strata.swap(i, j);
                }
                columns.push(
                    strata
                        .iter()
                        .map(|&s| scale(p, (s as f64 + rng.random::<f64>()) / n as f64))
                        .collect::<Vec<_>>(),
                );
            }
            (
                (0..n)
                    .map(|i| columns.iter().map(|c| c[i]).collect())
                    .collect(),
                0,
            )
        }
        Design::Oat => {
            let base: Vec<f64> = params.iter().map(|p| p.base).collect();
            let mut points = vec![base.clone()];
            for (i, p) in params.iter().enumerate() {
                for v in range_values(p) {
                    let mut q = base.clone();
                    q[i] = v;
                    points.push(q);
                }
            }
            (points, 0)
        }
        Design::Sobol => {
            let unit = crate::sensitivity::saltelli_unit(n, params.len(), &mut rng);
            let points = unit
                .into_iter()
                .map(|row| row.iter().zip(params).map(|(u, p)| scale(p, *u)).collect())
                .collect();
            (points, n)
        }
    }
}

/// A parameter's explicit values, or `steps` evenly spaced values from `min`
/// to `max` (whole numbers, without repeats, for an integer parameter).
fn range_values(p: &Parameter) -> Vec<f64> {
    if !p.values.is_empty() {
        return p.values.clone();
    }
    let steps = p.steps.max(2);
    let mut v: Vec<f64> = (0..steps)
        .map(|i| p.min + (p.max - p.min) * i as f64 / (steps - 1) as f64)
        .map(|x| if p.integer { x.round() } else { x })
        .collect();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(values: Vec<f64>, steps: u32) -> Parameter {
        Parameter {
            path: "x".into(),
            label: String::new(),
            integer: false,
            values,
            min: 0.0,
            max: 1.0,
            steps,
            base: 0.5,
        }
    }

    /// `count` is the number of points `points` builds, for every design.
    #[test]
    fn count_matches_the_points_built() {
        let params = [param(vec![1.0, 2.0, 3.0], 0), param(Vec::new(), 4)];
        for design in [Design::Grid, Design::Lhs, Design::Oat, Design::Sobol] {
            let (points, _) = super::points(design, &params, 7, 1);
            assert_eq!(
                super::count(design, &params, 7),
                points.len() as u128,
                "{design:?}"
            );
        }
    }
}
