//! A small test model built only from borderflow's public API, to show what
//! adding to a model costs: its mechanisms are a list, each declares the
//! daily metrics it fills, and everything downstream (records,
//! `summary.json`, the report) follows from those declarations. The toy
//! metric lives in `metric.rs` and the toy mechanism in `mechanism.rs`, one
//! file each; this file never names either of them except in the one list
//! [`mechanisms`].

mod mechanism;
mod metric;

use std::sync::atomic::AtomicBool;

use borderflow::engine::{DAY, Event, Model, Scheduler, simulate_or_stop};
use borderflow::metrics::{DailySeries, KpiSpec, MetricKind, MetricSpec, Unit};
use borderflow::montecarlo::{Experiment, Replication};
use borderflow::rng::{Stream, stream};
use rand::RngExt;

/// Arrivals per day of the toy model [persons/day].
pub const ARRIVALS_PER_DAY: u32 = 40;

/// Something the toy model does to each arrival, with the daily metrics it
/// owns.
pub trait Mechanism: Send {
    /// The metrics it fills, in order.
    fn metrics(&self) -> Vec<MetricSpec>;
    /// One person arrives; `rng` is the mechanism's own stream.
    fn arrival(&mut self, rng: &mut Stream);
    /// Writes its metrics for the day just ended into `row` (its columns
    /// only), then starts a new day.
    fn end_of_day(&mut self, row: &mut [f64]);
    /// Its random stream's name.
    fn stream(&self) -> &'static str;
}

/// The toy model's mechanisms: the core (counting arrivals) plus the toy
/// ones. Adding a mechanism is one file and one line here.
pub fn mechanisms() -> Vec<Box<dyn Mechanism>> {
    vec![
        Box::new(Arrivals::default()),
        Box::new(metric::Cumulative::default()),
        Box::new(mechanism::Inspection::default()),
    ]
}

/// The core mechanism: counts the day's arrivals.
#[derive(Default)]
struct Arrivals {
    today: u32,
}

impl Mechanism for Arrivals {
    fn metrics(&self) -> Vec<MetricSpec> {
        vec![MetricSpec::new(
            "arrivals",
            Unit::Persons,
            MetricKind::Count,
            "Arrivals",
        )]
    }
    fn arrival(&mut self, _rng: &mut Stream) {
        self.today += 1;
    }
    fn end_of_day(&mut self, row: &mut [f64]) {
        row[0] = f64::from(self.today);
        self.today = 0;
    }
    fn stream(&self) -> &'static str {
        "toy-arrivals"
    }
}

#[derive(Clone, Copy)]
struct Arrive;

impl Event for Arrive {}

struct ToyModel {
    mechanisms: Vec<(Box<dyn Mechanism>, Stream)>,
    clock: Stream,
}

impl Model for ToyModel {
    type Event = Arrive;

    fn start(&mut self, sched: &mut Scheduler<Arrive>) {
        sched.schedule_at(0, Arrive);
    }

    fn handle(&mut self, _: Arrive, sched: &mut Scheduler<Arrive>) {
        for (m, rng) in &mut self.mechanisms {
            m.arrival(rng);
        }
        // Exponential gaps with the toy rate, at least one second.
        let mean = DAY as f64 / f64::from(ARRIVALS_PER_DAY);
        let gap = -mean * (1.0 - self.clock.random::<f64>()).ln();
        sched.schedule_in((gap as i64).max(1), Arrive);
    }

    fn end_of_day(&mut self, _day: u32, _now: i64, row: &mut [f64]) {
        let mut at = 0;
        for (m, _) in &mut self.mechanisms {
            let width = m.metrics().len();
            m.end_of_day(&mut row[at..at + width]);
            at += width;
        }
    }
}

/// The toy model as an experiment over `days` days.
pub struct Toy {
    pub days: u32,
}

impl Experiment for Toy {
    fn metrics(&self) -> Vec<MetricSpec> {
        mechanisms().iter().flat_map(|m| m.metrics()).collect()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        vec![KpiSpec::model(
            "arrivals_total",
            Unit::Persons,
            "Arrivals in all",
        )]
    }

    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let mechanisms = mechanisms()
            .into_iter()
            .map(|m| {
                let rng = stream(seed, replication, m.stream());
                (m, rng)
            })
            .collect();
        let mut model = ToyModel {
            mechanisms,
            clock: stream(seed, replication, "toy-clock"),
        };
        let mut daily = DailySeries::new(self.days as usize, self.metrics().len());
        let stats = simulate_or_stop(&mut model, self.days, &mut daily, check, stop)?;
        let total = daily.sum(0, 0, self.days as usize);
        Some(Replication {
            daily,
            kpis: vec![total],
            events: stats.events,
            violations: stats.violations,
        })
    }
}

/// The toy metric and the toy mechanism, each declared in its own file, reach
/// `summary.json` (with unit, kind, place and label), the tidy records
/// (`metric,place,origin` columns) and the report (a chart titled with the
/// declared label, its unit on the axis), with nothing else changed.
#[test]
fn a_metric_and_a_mechanism_in_one_file_each_reach_every_output() {
    use borderflow::results::run::{JobKind, RunHeader};
    use borderflow::runner::{Job, RunOptions, run_job};

    let toy = Toy { days: 20 };
    let tmp = tempfile::tempdir().unwrap();
    let header = RunHeader {
        kind: JobKind::Run,
        borderflow_version: env!("CARGO_PKG_VERSION").into(),
        scenario: "toy".into(),
        description: "a toy model".into(),
        scenario_hash: "toy".into(),
        seed: 3,
        replications: 4,
        start: "2024-03-01".into(),
        end: "2024-03-20".into(),
        days: toy.days,
        metrics: toy.metrics(),
        kpi_specs: toy.kpis(),
        format: borderflow::output::Format::Csv,
        records: borderflow::output::Detail::Daily,
        posterior: None,
    };
    let job = Job::new(&toy, header, Vec::new());
    let opts = RunOptions {
        out: Some(tmp.path().join("toy")),
        charts: Some(borderflow::report::draw),
        ..RunOptions::default()
    };
    let outcome = run_job(&job, &opts, None).unwrap();
    let dir = outcome.out_dir;

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let metrics = summary["metrics"].as_array().unwrap();
    let find = |name: &str, place: Option<&str>| {
        metrics
            .iter()
            .find(|m| m["name"] == name && m["place"].as_str() == place)
            .unwrap_or_else(|| panic!("{name} {place:?} not in summary.json: {metrics:?}"))
    };
    let so_far = find("toy_arrivals_so_far", None);
    assert_eq!(so_far["kind"], "cumulative");
    assert_eq!(so_far["unit"], "persons");
    assert_eq!(so_far["label"], "Toy arrivals so far");
    let north = find("toy_inspections", Some("North gate"));
    assert_eq!(north["kind"], "count");

    // Records: the place in its own column; the values add up (a quarter of
    // ~40 arrivals a day inspected, split between two gates; the running
    // total on the last day equals the sum of daily arrivals).
    let daily = std::fs::read_to_string(dir.join("daily.csv")).unwrap();
    assert!(daily.starts_with("replication,date,metric,place,origin,value\n"));
    let rows: Vec<Vec<&str>> = daily
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let sum = |metric: &str, place: &str| -> f64 {
        rows.iter()
            .filter(|r| r[0] == "0" && r[2] == metric && r[3] == place)
            .map(|r| r[5].parse::<f64>().unwrap())
            .sum()
    };
    let arrivals = sum("arrivals", "");
    let inspected = sum("toy_inspections", "North gate") + sum("toy_inspections", "South gate");
    let last = rows
        .iter()
        .rfind(|r| r[0] == "0" && r[2] == "toy_arrivals_so_far")
        .map(|r| r[5].parse::<f64>().unwrap())
        .unwrap();
    assert_eq!(last, arrivals, "the running total is the sum of the days");
    // 20 days × 40 a day = 800 expected arrivals; inspected ≈ 25% of them.
    // The bounds are 5 standard deviations of a Poisson / binomial count.
    assert!((arrivals - 800.0).abs() < 5.0 * 800f64.sqrt(), "{arrivals}");
    let share = inspected / arrivals;
    assert!(
        (share - 0.25).abs() < 5.0 * (0.25 * 0.75 / arrivals).sqrt(),
        "{share}"
    );

    // The report: a chart per toy metric, titled by its declared label, the
    // unit from the declaration.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("Toy arrivals so far"),
        "report lacks the toy metric"
    );
    assert!(
        html.contains("Toy inspections, North gate"),
        "report lacks the toy mechanism"
    );
    let svg = std::fs::read_to_string(dir.join("metric_toy_arrivals_so_far.svg")).unwrap();
    assert!(
        svg.contains("persons since"),
        "the axis unit comes from the declaration"
    );
}
