//! The discrete-event engine: an integer clock, a deterministic event queue and
//! the loop that dispatches events to a [`Model`] and calls its day-boundary
//! observer.
//!
//! The engine knows nothing about borders or queues. A model owns its state and
//! its random streams; it reaches the clock and the queue only through the
//! [`Scheduler`] handed to it, so nothing else can advance time or reorder
//! events. Things happen at their own times (a bus leaves at 14:37); the only
//! daily rhythm is the observer, which records metrics at each midnight after
//! every event strictly before it has been handled.

mod queue;

pub use queue::{EventQueue, MAX_TIME};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::metrics::DailySeries;

/// Simulated days finished by every replication of this process so far:
/// read by the progress bar of a small batch (a day counter that moves
/// while a long replication runs). Only ever added to; no result reads it.
static DAYS_SIMULATED: AtomicU64 = AtomicU64::new(0);

/// Simulated days finished in this process so far (see [`DAYS_SIMULATED`]).
pub fn days_simulated() -> u64 {
    DAYS_SIMULATED.load(Ordering::Relaxed)
}

/// Simulation time [s] since the scenario's start (00:00 of its first day).
///
/// An integer, not `f64`: sums of times stay exact, comparisons are total, and
/// the same schedule gives the same order on every machine. Seconds are fine
/// enough for every duration in the model (the shortest are port service times
/// of minutes) and `i64` covers far more than any accepted horizon.
pub type SimTime = i64;

/// Seconds in one simulated day [s].
pub const DAY: SimTime = 86_400;
/// Seconds in one hour [s].
pub const HOUR: SimTime = 3_600;
/// Seconds in one minute [s].
pub const MINUTE: SimTime = 60;

/// Converts a duration in days [d] (possibly fractional) to whole seconds,
/// rounding to the nearest second so that sampled durations stay unbiased.
#[inline]
pub fn days_to_time(days: f64) -> SimTime {
    (days * DAY as f64).round() as SimTime
}

/// An event type that can be scheduled.
///
/// The class breaks ties between events at the same second before insertion
/// order does; lower classes come out first. Models use it to say, e.g., that
/// a port closing at 00:00 is handled before arrivals at 00:00.
pub trait Event {
    /// Tie-break class for events at the same time [lower first, 0–255].
    fn class(&self) -> u8 {
        0
    }
}

/// The model side of a simulation: the state, its event handler and its
/// day-boundary observer.
pub trait Model {
    /// The typed events this model schedules; dispatched with `match`.
    type Event: Event;

    /// Schedules the initial events (first arrivals, timetables, policy changes).
    fn start(&mut self, sched: &mut Scheduler<Self::Event>);

    /// Handles one event at `sched.now()`; may schedule further events.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);

    /// A hint that `event` will be handled soon (a few events from now):
    /// the model may prefetch the memory it will touch. It must change
    /// nothing; the default does nothing.
    #[inline]
    fn prefetch(&self, _event: &Self::Event) {}

    /// Records the metrics of day `day` (0-based) into `row`. Called exactly
    /// once per day of the horizon at that day's end (`now` = (day + 1) ×
    /// [`DAY`]), after every event strictly before that instant.
    fn end_of_day(&mut self, day: u32, now: SimTime, row: &mut [f64]);

    /// Appends a description of every broken invariant of the state at `now`
    /// (people lost, a queue below zero, a closed port processing, a capacity
    /// exceeded). Called after every event and every day end when checking is
    /// on ([`simulate_checked`]); the default checks nothing.
    fn check_invariants(&self, _now: SimTime, _violations: &mut Vec<String>) {}
}

/// Most invariant violations kept per run: the first ones say what broke.
const MAX_VIOLATIONS: usize = 20;

/// How many events ahead of the one being handled [`Model::prefetch`] is
/// told about: far enough that a cache miss (~100 ns) is over when the event
/// comes due, near enough that the line is still in the cache.
const PREFETCH_AHEAD: usize = 8;

/// The only handle through which a model reads the clock and schedules events.
pub struct Scheduler<E> {
    now: SimTime,
    queue: EventQueue<E>,
    events_handled: u64,
}

impl<E: Event> Scheduler<E> {
    fn new() -> Self {
        Self {
            now: 0,
            queue: EventQueue::new(),
            events_handled: 0,
        }
    }

    /// The current simulation time [s].
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at absolute time `at` [s].
    ///
    /// # Panics
    /// If `at` is before the current time: the clock never goes back, and a
    /// model that asks for it has a bug (user input can never cause it, since
    /// validated durations are non-negative).
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        self.assert_not_past(at);
        self.queue.push(at, event.class(), event);
    }

    /// Panics if `at` [s] is before now (see [`Scheduler::schedule_at`]).
    #[inline]
    fn assert_not_past(&self, at: SimTime) {
        assert!(
            at >= self.now,
            "event scheduled in the past ({at} s < now {} s)",
            self.now
        );
    }

    /// [`Scheduler::schedule_at`] for one of a batch of events scheduled in
    /// nondecreasing time order (each class the same or higher at equal
    /// times): it then costs O(1) instead of O(log n) (see
    /// [`EventQueue::push_in_order`]). Out of order it is merely slower; the
    /// events come out in the same order either way.
    ///
    /// # Panics
    /// As [`Scheduler::schedule_at`].
    #[inline]
    pub fn schedule_at_in_order(&mut self, at: SimTime, event: E) {
        self.assert_not_past(at);
        self.queue.push_in_order(at, event.class(), event);
    }

    /// Schedules `event` after a delay `delay` [s] ≥ 0 from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule_at(self.now + delay, event);
    }
}

/// What one simulation run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Events handled by the model.
    pub events: u64,
    /// Events still queued past the horizon when the run stopped.
    pub pending_at_end: usize,
    /// Invariant violations found (only when checking), each with its time.
    pub violations: Vec<String>,
}

/// Runs `model` for `days` whole days, filling `series` (days × metrics) with
/// what the observer records. Events at or after the horizon stay unhandled.
/// Invariants are checked in debug builds only.
///
/// Cost: O(log n) per event for a queue of n pending events.
pub fn simulate<M: Model>(model: &mut M, days: u32, series: &mut DailySeries) -> RunStats {
    simulate_checked(model, days, series, cfg!(debug_assertions))
}

/// [`simulate`], checking the model's invariants after every event and day
/// end when `check` is true (slower: use it to test a model, or to trust a
/// new scenario). The run goes on after a violation so that the report
/// lists the first few.
pub fn simulate_checked<M: Model>(
    model: &mut M,
    days: u32,
    series: &mut DailySeries,
    check: bool,
) -> RunStats {
    // Without a stop flag the run always reaches its horizon.
    simulate_or_stop(model, days, series, check, None).unwrap_or_default()
}

/// [`simulate_checked`] that gives up, returning `None`, at the first day
/// boundary after `stop` is set (a Ctrl-C): the replication is abandoned,
/// so an interrupted batch waits for no replication in flight. The flag is
/// read once per simulated day, which costs nothing measurable.
pub fn simulate_or_stop<M: Model>(
    model: &mut M,
    days: u32,
    series: &mut DailySeries,
    check: bool,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Option<RunStats> {
    // Debug builds check every run.
    let check = check || cfg!(debug_assertions);
    let mut violations = Vec::new();
    let record = |model: &M, now: SimTime, violations: &mut Vec<String>| {
        if violations.len() < MAX_VIOLATIONS {
            let before = violations.len();
            model.check_invariants(now, violations);
            for v in &mut violations[before..] {
                *v = format!("t = {now} s (day {}): {v}", now / DAY);
            }
            violations.truncate(MAX_VIOLATIONS);
        }
    };
    debug_assert_eq!(series.days(), days as usize);
    let mut sched = Scheduler::<M::Event>::new();
    model.start(&mut sched);
    let mut day: u32 = 0;
    let mut day_end: SimTime = DAY;
    while day < days {
        match sched.queue.peek_time() {
            Some(t) if t < day_end => {
                let (t, event) = sched.queue.pop().expect("peeked event");
                debug_assert!(t >= sched.now, "clock went back");
                sched.now = t;
                sched.events_handled += 1;
                if let Some(soon) = sched.queue.run_ahead(PREFETCH_AHEAD) {
                    model.prefetch(soon);
                }
                model.handle(event, &mut sched);
                if check {
                    record(model, t, &mut violations);
                }
            }
            _ => {
                if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                    return None;
                }
                sched.now = day_end;
                model.end_of_day(day, day_end, series.row_mut(day as usize));
                if check {
                    record(model, day_end, &mut violations);
                }
                day += 1;
                day_end += DAY;
                DAYS_SIMULATED.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    Some(RunStats {
        events: sched.events_handled,
        pending_at_end: sched.queue.len(),
        violations,
    })
}
