//! The toy metric: arrivals since the start, a cumulative count. Declared
//! and filled here only.

use borderflow::metrics::{MetricKind, MetricSpec, Unit};
use borderflow::rng::Stream;

use super::Mechanism;

/// Counts every arrival since the start.
#[derive(Default)]
pub struct Cumulative {
    total: u64,
}

impl Mechanism for Cumulative {
    fn metrics(&self) -> Vec<MetricSpec> {
        vec![MetricSpec::new(
            "toy_arrivals_so_far",
            Unit::Persons,
            MetricKind::Cumulative,
            "Toy arrivals so far",
        )]
    }
    fn arrival(&mut self, _rng: &mut Stream) {
        self.total += 1;
    }
    fn end_of_day(&mut self, row: &mut [f64]) {
        row[0] = self.total as f64;
    }
    fn stream(&self) -> &'static str {
        "toy-cumulative"
    }
}
