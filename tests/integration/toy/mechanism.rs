//! The toy mechanism: an inspection that stops a quarter of arrivals at two
//! checkpoints, with its own random stream and a metric per checkpoint.

use borderflow::metrics::{MetricKind, MetricSpec, Unit};
use borderflow::rng::Stream;
use rand::RngExt;

use super::Mechanism;

/// Share of arrivals inspected.
const SHARE: f64 = 0.25;
/// Where inspections happen.
const CHECKPOINTS: [&str; 2] = ["North gate", "South gate"];

/// Inspections per checkpoint today.
#[derive(Default)]
pub struct Inspection {
    today: [u32; 2],
}

impl Mechanism for Inspection {
    fn metrics(&self) -> Vec<MetricSpec> {
        CHECKPOINTS
            .iter()
            .map(|at| {
                MetricSpec::new(
                    "toy_inspections",
                    Unit::Persons,
                    MetricKind::Count,
                    "Toy inspections",
                )
                .at(at)
            })
            .collect()
    }
    fn arrival(&mut self, rng: &mut Stream) {
        if rng.random::<f64>() < SHARE {
            let at = usize::from(rng.random::<bool>());
            self.today[at] += 1;
        }
    }
    fn end_of_day(&mut self, row: &mut [f64]) {
        for (v, n) in row.iter_mut().zip(&mut self.today) {
            *v = f64::from(*n);
            *n = 0;
        }
    }
    fn stream(&self) -> &'static str {
        "toy-inspection"
    }
}
