//! Daily metrics of one replication: a days × metrics table of numbers.
//!
//! A model declares its metric names once; the engine's day-boundary observer
//! fills one row per day. Counts of events during a day (`usbp_apprehensions`)
//! and levels at the day's end (`port_queue`) or averaged over it are the
//! model's choice and are stated in each metric's documentation.

/// The values of every metric on every day of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct DailySeries {
    metrics: usize,
    days: usize,
    /// Row-major: day `d`, metric `m` at `d * metrics + m`.
    values: Vec<f64>,
}

impl DailySeries {
    /// A table of zeros for `days` days and `metrics` metrics.
    pub fn new(days: usize, metrics: usize) -> Self {
        Self {
            metrics,
            days,
            values: vec![0.0; days * metrics],
        }
    }

    /// Number of days.
    pub fn days(&self) -> usize {
        self.days
    }

    /// Number of metrics.
    pub fn metrics(&self) -> usize {
        self.metrics
    }

    /// The row of day `day`.
    pub fn row(&self, day: usize) -> &[f64] {
        &self.values[day * self.metrics..(day + 1) * self.metrics]
    }

    /// The row of day `day`, for writing.
    pub fn row_mut(&mut self, day: usize) -> &mut [f64] {
        &mut self.values[day * self.metrics..(day + 1) * self.metrics]
    }

    /// Value of metric `metric` on day `day`.
    pub fn get(&self, day: usize, metric: usize) -> f64 {
        self.values[day * self.metrics + metric]
    }

    /// Sum of metric `metric` over days `from..to` (clamped to the horizon).
    pub fn sum(&self, metric: usize, from: usize, to: usize) -> f64 {
        (from.min(self.days)..to.min(self.days))
            .map(|d| self.get(d, metric))
            .sum()
    }
}
