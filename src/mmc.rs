//! An M/M/c queueing station: Poisson arrivals, `c` identical servers and
//! exponential service times. It proves the engine, because its answers are
//! known in closed form ([`erlang_c_wait`], Little's law), and it is the
//! smallest example of a [`Model`].
//!
//! ```text
//!   Poisson(λ) ──► [ FIFO queue ] ──► c servers, Exp(μ) each ──► out
//! ```

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;

use rand_distr::{Distribution, Exp};
use ron::Value;
use serde::Deserialize;

use crate::calendar::Calendar;
use crate::engine::{DAY, Event, HOUR, Model, Scheduler, SimTime, simulate_or_stop};
use crate::metrics::{DailySeries, KpiSpec, MetricKind, MetricSpec, Unit};
use crate::model::ModelKind;
use crate::montecarlo::{Experiment, Replication};
use crate::rng::{Stream, stream};
use crate::validate::Checks;

/// Validated parameters of the station.
#[derive(Debug, Clone, PartialEq)]
pub struct MmcParams {
    /// Mean arrival rate λ [customers/h].
    pub arrival_rate_per_hour: f64,
    /// Service rate of one server μ [customers/h].
    pub service_rate_per_hour: f64,
    /// Number of servers c.
    pub servers: u32,
    /// Days at the start left out of the KPIs, so they describe the steady
    /// state rather than the empty start [d].
    pub warmup_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMmc {
    arrival_rate_per_hour: f64,
    service_rate_per_hour: f64,
    servers: u32,
    #[serde(default)]
    warmup_days: u32,
}

/// Largest accepted arrival rate [customers/h]: far above any real station,
/// low enough that a typo cannot ask for billions of events.
const MAX_RATE_PER_HOUR: f64 = 1e6;

/// Most customers a station may be expected to hold waiting [customers]:
/// about 80 MB of queue.
pub const MAX_WAITING: u64 = 10_000_000;

impl MmcParams {
    /// Checks the `model` section of an M/M/c scenario.
    pub(crate) fn from_value(v: Value, cal: &Calendar, checks: &mut Checks) -> Option<Self> {
        checks.at("model", |c| Self::check(c, v, cal))
    }

    /// Checks the section at the current path (`model`).
    fn check(checks: &mut Checks, v: Value, cal: &Calendar) -> Option<Self> {
        let raw: RawMmc = checks.deserialize(v, "")?;
        let before = checks.problems.len();
        checks.positive_at_most(
            "arrival_rate_per_hour",
            raw.arrival_rate_per_hour,
            MAX_RATE_PER_HOUR,
        );
        checks.positive_at_most(
            "service_rate_per_hour",
            raw.service_rate_per_hour,
            MAX_RATE_PER_HOUR,
        );
        if raw.servers == 0 || raw.servers > 100_000 {
            checks.fail(
                "servers",
                format!("must be between 1 and 100000 (got {})", raw.servers),
            );
        }
        if raw.warmup_days >= cal.days {
            checks.fail(
                "warmup_days",
                format!(
                    "must be shorter than the horizon of {} days (got {})",
                    cal.days, raw.warmup_days
                ),
            );
        }
        // Resource guard: an overloaded station's queue grows by (λ − cμ) per
        // hour for the whole horizon; refuse before starting rather than run
        // out of memory at the end.
        let excess_per_hour =
            raw.arrival_rate_per_hour - f64::from(raw.servers) * raw.service_rate_per_hour;
        let growth = excess_per_hour * 24.0 * f64::from(cal.days);
        if checks.problems.len() == before && growth > MAX_WAITING as f64 {
            checks.fail(
                "",
                format!(
                    "the station is overloaded (λ = {}/h > cμ = {}/h): its queue would grow to about {:.0} customers \
                     over {} days, beyond the limit of {MAX_WAITING}; add servers or lower the arrival rate",
                    raw.arrival_rate_per_hour,
                    f64::from(raw.servers) * raw.service_rate_per_hour,
                    growth,
                    cal.days
                ),
            );
        }
        (checks.problems.len() == before).then_some(MmcParams {
            arrival_rate_per_hour: raw.arrival_rate_per_hour,
            service_rate_per_hour: raw.service_rate_per_hour,
            servers: raw.servers,
            warmup_days: raw.warmup_days,
        })
    }

    /// Offered load per server ρ = λ / (c μ).
    pub fn utilisation(&self) -> f64 {
        self.arrival_rate_per_hour / (self.servers as f64 * self.service_rate_per_hour)
    }
}

/// Mean wait in queue W_q of a stable M/M/c queue by the Erlang C formula, in
/// the time unit of the rates (rates per hour give hours). Infinite if λ ≥ cμ.
pub fn erlang_c_wait(lambda: f64, mu: f64, c: u32) -> f64 {
    let a = lambda / mu;
    let c_f = c as f64;
    if a >= c_f {
        return f64::INFINITY;
    }
    // Sum a^k/k! iteratively to stay finite for large c.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    // `term` is now a^c / c!.
    let tail = term * c_f / (c_f - a);
    let p_wait = tail / (sum + tail);
    p_wait / (c_f * mu - lambda)
}

/// Daily metrics of the station, in column order.
pub const METRICS: &[&str] = &[
    // Customers who arrived during the day.
    "arrivals",
    // Customers whose service ended during the day.
    "served",
    // Time-weighted mean number waiting (not in service) over the day [customers].
    "queue_length",
    // Time-weighted mean number of busy servers over the day.
    "busy_servers",
    // Mean wait in queue of customers who started service that day [min]; 0 if none did.
    "mean_wait_min",
];

/// Replication KPIs, measured after the warm-up, in order.
pub const KPIS: &[&str] = &[
    // Mean wait in queue W_q (tally over customers) [min].
    "mean_wait_min",
    // Time-weighted mean queue length L_q [customers].
    "mean_queue_length",
    // Observed arrival rate λ [customers/h].
    "arrival_rate_per_hour",
    // Mean fraction of servers busy [0–1].
    "utilisation",
    // Fraction of customers who had to wait [0–1].
    "p_wait",
];

/// The station's events. Departures come before arrivals at the same second,
/// so a server freed at t serves a customer arriving at t.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MmcEvent {
    /// A customer arrives.
    Arrival,
    /// A server finishes a service.
    Departure,
}

impl Event for MmcEvent {
    fn class(&self) -> u8 {
        match self {
            MmcEvent::Departure => 0,
            MmcEvent::Arrival => 1,
        }
    }
}

/// The station's state during one replication.
pub struct MmcModel {
    servers: u32,
    interarrival: Exp<f64>,
    service: Exp<f64>,
    arrivals_rng: Stream,
    service_rng: Stream,
    busy: u32,
    /// Arrival times of waiting customers, FIFO.
    waiting: VecDeque<SimTime>,
    measure_from: SimTime,
    /// Time of the last change of queue or busy count [s].
    last_change: SimTime,
    /// ∫ queue length dt since the start [customer·s]; integers keep it exact.
    area_queue: u64,
    /// ∫ busy servers dt since the start [server·s].
    area_busy: u64,
    area_queue_at_measure: u64,
    area_busy_at_measure: u64,
    area_queue_day_start: u64,
    area_busy_day_start: u64,
    /// KPI tallies after the warm-up.
    arrivals_measured: u64,
    waits_measured: u64,
    wait_sum_measured: u64,
    waited_measured: u64,
    /// Daily tallies.
    day_arrivals: u64,
    day_served: u64,
    day_wait_sum: u64,
    day_wait_n: u64,
    horizon: SimTime,
}

impl MmcModel {
    /// A fresh, empty station for replication `replication` under `seed`.
    pub fn new(p: &MmcParams, days: u32, seed: u64, replication: u64) -> Self {
        let per_second = |per_hour: f64| per_hour / HOUR as f64;
        Self {
            servers: p.servers,
            interarrival: Exp::new(per_second(p.arrival_rate_per_hour)).expect("validated rate"),
            service: Exp::new(per_second(p.service_rate_per_hour)).expect("validated rate"),
            arrivals_rng: stream(seed, replication, "arrivals"),
            service_rng: stream(seed, replication, "service"),
            busy: 0,
            waiting: VecDeque::new(),
            measure_from: SimTime::from(p.warmup_days) * DAY,
            last_change: 0,
            area_queue: 0,
            area_busy: 0,
            area_queue_at_measure: 0,
            area_busy_at_measure: 0,
            area_queue_day_start: 0,
            area_busy_day_start: 0,
            arrivals_measured: 0,
            waits_measured: 0,
            wait_sum_measured: 0,
            waited_measured: 0,
            day_arrivals: 0,
            day_served: 0,
            day_wait_sum: 0,
            day_wait_n: 0,
            horizon: SimTime::from(days) * DAY,
        }
    }

    /// Brings the time-weighted integrals up to `now`.
    #[inline]
    fn advance(&mut self, now: SimTime) {
        let dt = (now - self.last_change) as u64;
        self.area_queue += self.waiting.len() as u64 * dt;
        self.area_busy += u64::from(self.busy) * dt;
        self.last_change = now;
    }

    /// A duration drawn from `dist` [s], rounded to the nearest second.
    /// (`x + 0.5` truncated equals rounding for x ≥ 0 and, unlike
    /// `f64::round`, compiles to two instructions instead of a libm call.)
    #[inline]
    fn sample(dist: &Exp<f64>, rng: &mut Stream) -> SimTime {
        (dist.sample(rng) + 0.5) as SimTime
    }

    #[inline]
    fn start_service(&mut self, arrived: SimTime, sched: &mut Scheduler<MmcEvent>) {
        let now = sched.now();
        let wait = (now - arrived) as u64;
        self.busy += 1;
        self.day_wait_sum += wait;
        self.day_wait_n += 1;
        if arrived >= self.measure_from {
            self.waits_measured += 1;
            self.wait_sum_measured += wait;
            self.waited_measured += u64::from(wait > 0);
        }
        let s = Self::sample(&self.service, &mut self.service_rng);
        sched.schedule_in(s, MmcEvent::Departure);
    }

    /// The replication's KPIs in [`KPIS`] order.
    pub fn kpis(&self) -> Vec<f64> {
        let span = (self.horizon - self.measure_from) as f64;
        let n = self.waits_measured.max(1) as f64;
        vec![
            self.wait_sum_measured as f64 / n / 60.0,
            (self.area_queue - self.area_queue_at_measure) as f64 / span,
            self.arrivals_measured as f64 / (span / HOUR as f64),
            (self.area_busy - self.area_busy_at_measure) as f64 / span / self.servers as f64,
            self.waited_measured as f64 / n,
        ]
    }
}

impl Model for MmcModel {
    type Event = MmcEvent;

    fn start(&mut self, sched: &mut Scheduler<MmcEvent>) {
        let t = Self::sample(&self.interarrival, &mut self.arrivals_rng);
        sched.schedule_at(t, MmcEvent::Arrival);
    }

    #[inline]
    fn handle(&mut self, event: MmcEvent, sched: &mut Scheduler<MmcEvent>) {
        let now = sched.now();
        self.advance(now);
        match event {
            MmcEvent::Arrival => {
                self.day_arrivals += 1;
                if now >= self.measure_from {
                    self.arrivals_measured += 1;
                }
                if self.busy < self.servers {
                    self.start_service(now, sched);
                } else {
                    self.waiting.push_back(now);
                }
                let t = Self::sample(&self.interarrival, &mut self.arrivals_rng);
                sched.schedule_in(t, MmcEvent::Arrival);
            }
            MmcEvent::Departure => {
                self.busy -= 1;
                self.day_served += 1;
                if let Some(arrived) = self.waiting.pop_front() {
                    self.start_service(arrived, sched);
                }
            }
        }
    }

    fn end_of_day(&mut self, _day: u32, now: SimTime, row: &mut [f64]) {
        self.advance(now);
        if now == self.measure_from {
            self.area_queue_at_measure = self.area_queue;
            self.area_busy_at_measure = self.area_busy;
        }
        let day = DAY as f64;
        row[0] = self.day_arrivals as f64;
        row[1] = self.day_served as f64;
        row[2] = (self.area_queue - self.area_queue_day_start) as f64 / day;
        row[3] = (self.area_busy - self.area_busy_day_start) as f64 / day;
        row[4] = if self.day_wait_n > 0 {
            self.day_wait_sum as f64 / self.day_wait_n as f64 / 60.0
        } else {
            0.0
        };
        self.area_queue_day_start = self.area_queue;
        self.area_busy_day_start = self.area_busy;
        self.day_arrivals = 0;
        self.day_served = 0;
        self.day_wait_sum = 0;
        self.day_wait_n = 0;
    }

    fn check_invariants(&self, now: SimTime, violations: &mut Vec<String>) {
        if self.busy > self.servers {
            violations.push(format!("{} servers busy of {}", self.busy, self.servers));
        }
        if !self.waiting.is_empty() && self.busy < self.servers {
            violations.push(format!(
                "{} customers wait while {} of {} servers are idle",
                self.waiting.len(),
                self.servers - self.busy,
                self.servers
            ));
        }
        if self.waiting.front().is_some_and(|&t| t > now) {
            violations.push("a waiting customer arrived in the future".into());
        }
    }
}

/// The M/M/c station as a scenario `kind`.
pub struct Mmc;

impl ModelKind for Mmc {
    const KIND: &'static str = "mmc";
    type Params = MmcParams;

    fn validate(model: Value, calendar: &Calendar, checks: &mut Checks) -> Option<MmcParams> {
        MmcParams::from_value(model, calendar, checks)
    }

    fn experiment(params: MmcParams, calendar: Calendar) -> Box<dyn Experiment> {
        Box::new(MmcExperiment::new(params, calendar))
    }
}

/// Runs replications of an M/M/c station.
pub struct MmcExperiment {
    params: MmcParams,
    calendar: Calendar,
}

impl MmcExperiment {
    /// An experiment over `calendar` with `params`.
    pub fn new(params: MmcParams, calendar: Calendar) -> Self {
        Self { params, calendar }
    }
}

impl Experiment for MmcExperiment {
    fn metrics(&self) -> Vec<MetricSpec> {
        use MetricKind::{Count, Mean};
        let specs = [
            ("arrivals", Unit::Customers, Count, "Arrivals"),
            ("served", Unit::Customers, Count, "Customers served"),
            ("queue_length", Unit::Customers, Mean, "Customers waiting"),
            ("busy_servers", Unit::Customers, Mean, "Busy servers"),
            ("mean_wait_min", Unit::Minutes, Mean, "Mean wait in queue"),
        ];
        debug_assert!(specs.iter().map(|s| s.0).eq(METRICS.iter().copied()));
        specs
            .iter()
            .map(|&(name, unit, kind, label)| MetricSpec::new(name, unit, kind, label))
            .collect()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        let specs = [
            ("mean_wait_min", Unit::Minutes, "Mean wait in queue W_q"),
            (
                "mean_queue_length",
                Unit::Customers,
                "Mean queue length L_q",
            ),
            (
                "arrival_rate_per_hour",
                Unit::PerHour,
                "Observed arrival rate",
            ),
            ("utilisation", Unit::Share, "Server utilisation"),
            ("p_wait", Unit::Share, "Share of customers who waited"),
        ];
        debug_assert!(specs.iter().map(|s| s.0).eq(KPIS.iter().copied()));
        specs
            .iter()
            .map(|&(name, unit, label)| KpiSpec::model(name, unit, label))
            .collect()
    }

    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let days = self.calendar.days;
        let mut model = MmcModel::new(&self.params, days, seed, replication);
        let mut daily = DailySeries::new(days as usize, METRICS.len());
        let stats = simulate_or_stop(&mut model, days, &mut daily, check, stop)?;
        Some(Replication {
            daily,
            kpis: model.kpis(),
            events: stats.events,
            violations: stats.violations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_values() {
        // M/M/1: W_q = ρ / (μ − λ).
        let w = erlang_c_wait(0.5, 1.0, 1);
        assert!((w - 1.0).abs() < 1e-12, "{w}");
        // M/M/2 with λ = 1, μ = 1: P_wait = 1/3, W_q = (1/3) / (2 − 1).
        let w = erlang_c_wait(1.0, 1.0, 2);
        assert!((w - 1.0 / 3.0).abs() < 1e-12, "{w}");
        assert!(erlang_c_wait(3.0, 1.0, 2).is_infinite());
    }
}
