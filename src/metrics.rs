//! Daily metrics and KPIs of one replication: what a model declares it
//! measures (name, unit, kind, dimensions, label), and the days × metrics
//! table it fills.
//!
//! A model declares each metric once as a [`MetricSpec`] and each KPI once as
//! a [`KpiSpec`]. Everything downstream — records, `summary.json`, the report,
//! compare and sweep — selects by the spec's kind, unit and dimensions, never
//! by parsing a name. Adding a metric touches only the model file that
//! declares and fills it.

use serde::{Deserialize, Serialize};

/// What a daily value means over its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Events counted during the day (`usbp_apprehensions`); sums over days
    /// are meaningful.
    Count,
    /// A level at the day's end (`port_queue`); sums over days are not.
    Level,
    /// A time-weighted mean over the day (`queue_length`).
    Mean,
    /// A running total since the start of the simulation, spin-up included
    /// (`outcome:entered_port`); the difference of two days is a count.
    Cumulative,
}

/// The unit of a metric or KPI value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// People (migrants); whole numbers in a single replication.
    Persons,
    /// Customers of a queueing model.
    Customers,
    /// Appointments (CBP One slots).
    Slots,
    /// Minutes.
    Minutes,
    /// Kilometres.
    Kilometres,
    /// Customers per hour.
    PerHour,
    /// A share in [0, 1].
    Share,
    /// 1 when a state holds (a port open), 0 otherwise; a mean over
    /// replications is the probability.
    Flag,
}

impl Unit {
    /// The unit as written on an axis or in a table.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Persons => "persons",
            Unit::Customers => "customers",
            Unit::Slots => "slots",
            Unit::Minutes => "min",
            Unit::Kilometres => "km",
            Unit::PerHour => "per hour",
            Unit::Share => "share (0–1)",
            Unit::Flag => "share of replications",
        }
    }

    /// Whether one replication's values are whole numbers (people, slots),
    /// so a report rounds them.
    pub fn whole(self) -> bool {
        matches!(self, Unit::Persons | Unit::Customers | Unit::Slots)
    }
}

/// A metric's dimensions in words, appended to its name or label:
/// `{at}PLACE (ORIGIN)`, each part left out when absent. `at` is the word
/// before the place: `" at "`, or `" — "` after a label that already says
/// "at" ("OFO encounters at ports — Eagle Pass"). One rule for every table,
/// headline and report that names a series.
pub fn dimensions_text(place: Option<&str>, origin: Option<&str>, at: &str) -> String {
    let mut s = String::new();
    if let Some(p) = place.filter(|p| !p.is_empty()) {
        s.push_str(&format!("{at}{p}"));
    }
    if let Some(o) = origin.filter(|o| !o.is_empty()) {
        s.push_str(&format!(" ({o})"));
    }
    s
}

/// One daily metric, as the model declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricSpec {
    /// The measure (`usbp_apprehensions`), shared by all places and origins.
    pub name: String,
    /// The place it is measured at (a port, sector, hub or caravan), or none
    /// for a national total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The origin group it counts, or none for all origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The unit of one day's value.
    pub unit: Unit,
    /// What the value means over its day.
    pub kind: MetricKind,
    /// A human label without the place or origin ("USBP apprehensions").
    pub label: String,
    /// A check of the model's own bookkeeping (conservation), not a result:
    /// written to the records, left out of reports.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// In a comparison, the what-if whose difference from the baseline this
    /// column holds; none in a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

impl MetricSpec {
    /// A national metric.
    pub fn new(name: &str, unit: Unit, kind: MetricKind, label: &str) -> Self {
        Self {
            name: name.to_string(),
            place: None,
            origin: None,
            unit,
            kind,
            label: label.to_string(),
            internal: false,
            scenario: None,
        }
    }

    /// The same metric at `place`.
    pub fn at(mut self, place: &str) -> Self {
        self.place = Some(place.to_string());
        self
    }

    /// The same metric for origin group `origin`.
    pub fn of_origin(mut self, origin: &str) -> Self {
        self.origin = Some(origin.to_string());
        self
    }

    /// Marks a bookkeeping check (see [`MetricSpec::internal`]).
    pub fn internal(mut self) -> Self {
        self.internal = true;
        self
    }

    /// The one-string key of this column (`name`, `name:place`,
    /// `name:place:origin`, `name::origin`, and `whatif|…` in a comparison),
    /// unique within an experiment; used where a single name is needed.
    pub fn key(&self) -> String {
        let key = match (&self.place, &self.origin) {
            (None, None) => self.name.clone(),
            (Some(p), None) => format!("{}:{p}", self.name),
            (p, Some(o)) => format!("{}:{}:{o}", self.name, p.as_deref().unwrap_or("")),
        };
        match &self.scenario {
            Some(s) => format!("{s}|{key}"),
            None => key,
        }
    }

    /// The `metric` field of the records: the name, prefixed `whatif|` in
    /// a comparison (whose records hold one set of differences per what-if
    /// and have no column of their own for it).
    pub fn record_name(&self) -> String {
        match &self.scenario {
            Some(s) => format!("{s}|{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether this is metric `name` at no place and of all origins.
    pub fn is_national(&self, name: &str) -> bool {
        self.name == name && self.place.is_none() && self.origin.is_none()
    }
}

/// How a KPI reduces one replication's daily values over its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Sum over the window's days (counts).
    Sum,
    /// Mean over the window's days.
    Mean,
    /// Largest day in the window (a peak day).
    Max,
    /// The value on the window's last day (levels, cumulative counters).
    End,
    /// Computed by the model itself (e.g. a tally over customers), not from
    /// the daily table.
    Model,
}

/// One replication KPI, as the model declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiSpec {
    /// The KPI's unique name (`usbp_apprehensions:2023-12`), the key in
    /// `kpis.csv` and `summary.json`.
    pub name: String,
    /// The daily metric it reduces (its [`MetricSpec::name`]), when it is
    /// computed from the daily table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The metric's place, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The metric's origin group, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// First and last date of the window (inclusive, `YYYY-MM-DD`), when it
    /// has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<(String, String)>,
    /// How the window is reduced.
    pub aggregate: Aggregate,
    /// The unit of the value.
    pub unit: Unit,
    /// A human label ("USBP apprehensions, December 2023").
    pub label: String,
    /// Calendar month (`YYYY-MM`) when the window is exactly one month, so a
    /// report can build month tables without parsing names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// In a comparison, the what-if this KPI belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// In a comparison, which value of the pair it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<Contrast>,
}

/// The three values a comparison keeps per KPI and replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contrast {
    /// The baseline's value.
    Baseline,
    /// The what-if's value.
    Whatif,
    /// What-if minus baseline, in the same replication.
    Difference,
}

impl Contrast {
    /// All three, in record order.
    pub const ALL: [Contrast; 3] = [Contrast::Baseline, Contrast::Whatif, Contrast::Difference];

    /// Its name in KPI keys.
    pub fn name(self) -> &'static str {
        match self {
            Contrast::Baseline => "baseline",
            Contrast::Whatif => "whatif",
            Contrast::Difference => "difference",
        }
    }
}

impl KpiSpec {
    /// A KPI the model computes itself.
    pub fn model(name: &str, unit: Unit, label: &str) -> Self {
        Self {
            name: name.to_string(),
            metric: None,
            place: None,
            origin: None,
            window: None,
            aggregate: Aggregate::Model,
            unit,
            label: label.to_string(),
            month: None,
            scenario: None,
            contrast: None,
        }
    }

    /// A KPI reducing `metric` over days `window` with `aggregate`.
    pub fn of(name: String, metric: &MetricSpec, aggregate: Aggregate, label: String) -> Self {
        Self {
            name,
            metric: Some(metric.name.clone()),
            place: metric.place.clone(),
            origin: metric.origin.clone(),
            window: None,
            aggregate,
            unit: metric.unit,
            label,
            month: None,
            scenario: None,
            contrast: None,
        }
    }
}

/// Reduces metric column `column` of `daily` over days `from..to` (clamped to
/// the horizon; an empty window gives 0). A KPI the model computes itself
/// ([`Aggregate::Model`]) has no value in the table: NaN.
pub fn aggregate(
    daily: &DailySeries,
    column: usize,
    from: usize,
    to: usize,
    how: Aggregate,
) -> f64 {
    let to = to.min(daily.days());
    let from = from.min(to);
    if from == to {
        return 0.0;
    }
    match how {
        Aggregate::Sum => daily.sum(column, from, to),
        Aggregate::Mean => daily.sum(column, from, to) / (to - from) as f64,
        Aggregate::Max => (from..to)
            .map(|d| daily.get(d, column))
            .fold(f64::MIN, f64::max),
        Aggregate::End => daily.get(to - 1, column),
        // Not in the table: the model computes it.
        Aggregate::Model => f64::NAN,
    }
}

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
