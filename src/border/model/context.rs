//! What the mechanisms share, passed to each explicitly: the parameters, the
//! party slab and its ledger, the hourly timers of party events, and the
//! day's national counters.

use rand_distr::{Distribution, Exp1};

use super::daily::{Daily, Row};
use super::parties::{Parties, Pid};
use super::{BorderEvent, Step, level, outcome};
use crate::border::params::BorderParams;
use crate::engine::{DAY, HOUR, Scheduler, SimTime};
use crate::metrics::{MetricKind, Unit};
use crate::rng::Stream;

/// Width of a bucket of future party events [s] (see [`Ctx::at`]).
pub(super) const BUCKET: SimTime = HOUR;

/// Buckets in a day.
const BUCKETS_PER_DAY: usize = (DAY / BUCKET) as usize;

/// A party event waiting in a bucket: its time [s], party and step.
type Timer = (SimTime, Pid, Step);

/// People counted during the current day, all places together
/// [persons/day]; reset at the day's end.
#[derive(Debug, Default)]
pub(super) struct DayCounts {
    /// Arrivals into Mexico.
    pub(super) arrivals: u64,
    /// Detections by Mexico (one per person detected).
    pub(super) mx: u64,
    /// Border Patrol apprehensions between ports.
    pub(super) usbp: u64,
    /// Encounters (people processed) at ports of entry.
    pub(super) ofo: u64,
    /// Crossings between ports not detected.
    pub(super) gotaways: u64,
    /// Persons in families (parties of two or more) among `usbp` and
    /// `ofo`: CBP's family-unit (FMUA) encounters.
    pub(super) families: u64,
}

impl DayCounts {
    /// Counts an encounter (a Border Patrol apprehension or a port
    /// encounter) of a party of `size` persons toward the family units.
    pub(super) fn family_encounter(&mut self, size: u64) {
        if super::parties::is_family(size) {
            self.families += size;
        }
    }
}

/// The common ground of the mechanisms (see the module doc).
pub(super) struct Ctx<'p> {
    /// The validated parameters.
    pub(super) p: &'p BorderParams,
    /// Days simulated, spin-up included [d].
    pub(super) days: u32,
    /// Every party in the system and the ledger of people.
    pub(super) parties: Parties,
    /// National counts of the current day.
    pub(super) today: DayCounts,
    /// Party events of later days, by day (see [`Ctx::at`]).
    days_ahead: Vec<Vec<Timer>>,
    /// Party events of the later hours of day `dealt`, by hour of the day.
    hours: Vec<Vec<Timer>>,
    /// The day whose events have been dealt from `days_ahead` to `hours`.
    dealt: usize,
    /// Scratch of the bucket sort: events per second of the hour, then
    /// where each second's events start (see [`sort_by_second`]).
    second_counts: Vec<u32>,
    /// Scratch of the bucket sort: the released bucket in time order.
    sorted: Vec<Timer>,
}

impl<'p> Ctx<'p> {
    /// The shared state of a replication of `days` days [d].
    pub(super) fn new(p: &'p BorderParams, days: u32) -> Self {
        Self {
            p,
            days,
            parties: Parties::default(),
            today: DayCounts::default(),
            days_ahead: vec![Vec::new(); days as usize],
            hours: vec![Vec::new(); BUCKETS_PER_DAY],
            dealt: 0,
            second_counts: vec![0; BUCKET as usize + 1],
            sorted: Vec::new(),
        }
    }

    /// A stretch of `days` [d] that ends in `arrive`, unless the party is
    /// detected on the way (probability `p_detect`), at a uniformly drawn
    /// point of it. Both draws come from `rng`, the travelling mechanism's
    /// own stream, in this order.
    pub(super) fn travel(
        &mut self,
        sched: &mut Scheduler<BorderEvent>,
        rng: &mut Stream,
        p_detect: f64,
        days: f64,
        pid: Pid,
        arrive: Step,
    ) {
        use rand::RngExt;
        if rng.random::<f64>() < p_detect {
            let at = days * rng.random::<f64>();
            self.at(sched, at, pid, Step::Detained);
        } else {
            self.at(sched, days, pid, arrive);
        }
    }

    /// Schedules `step` for a party after `delay_days` [d]. Events beyond
    /// the current hour wait in an hourly bucket and enter the engine's queue
    /// at that hour's tick: the heap then holds about an hour of events (a
    /// few thousand) instead of every timer of the weeks ahead, so its sifts
    /// stay short and in cache (profiling showed the heap at about half the
    /// run time with day buckets). The ticks cost 24 events a day.
    ///
    /// Events of a later day wait first in that day's bucket and are dealt
    /// to its hours when the day comes ([`Ctx::deal`]): pushing to one of
    /// ~400 day buckets touches memory that stays in cache, where a push to
    /// one of ~10,000 hour buckets missed it nearly every time (the push
    /// was ~14% of a replication). Dealing keeps each hour's events in the
    /// order they were scheduled, which is all the bucket's sort relies on.
    pub(super) fn at(
        &mut self,
        sched: &mut Scheduler<BorderEvent>,
        delay_days: f64,
        pid: Pid,
        step: Step,
    ) {
        // Round half up by truncation (delays are ≥ 0): `f64::round` is a
        // libm call here and showed up at ~5% of the run time.
        let t = sched.now() + (delay_days.max(0.0) * DAY as f64 + 0.5) as SimTime;
        let bucket = (t / BUCKET) as usize;
        if bucket > (sched.now() / BUCKET) as usize {
            let (day, today) = (day_of(t), day_of(sched.now()));
            if day > today {
                if day < self.days_ahead.len() {
                    self.days_ahead[day].push((t, pid, step));
                }
                // Past the horizon: it would never be handled.
            } else {
                self.deal(today);
                self.hours[bucket % BUCKETS_PER_DAY].push((t, pid, step));
            }
        } else {
            sched.schedule_at(t, BorderEvent::Party(pid, step));
        }
    }

    /// Deals the events of day `today` from its day bucket to its hours,
    /// once, before anything else is put in those hours (so each hour keeps
    /// the order of scheduling); the day bucket's allocation goes to the
    /// next day's if that is smaller.
    fn deal(&mut self, today: usize) {
        if self.dealt >= today {
            return;
        }
        self.dealt = today;
        let mut day = std::mem::take(&mut self.days_ahead[today]);
        for &e in &day {
            self.hours[(e.0 / BUCKET) as usize % BUCKETS_PER_DAY].push(e);
        }
        day.clear();
        if let Some(next) = self.days_ahead.get_mut(today + 1)
            && next.capacity() < day.capacity()
        {
            day.append(next);
            *next = day;
        }
    }

    /// Bucket tick: moves this hour's bucket into the engine's queue.
    pub(super) fn release_bucket(&mut self, sched: &mut Scheduler<BorderEvent>) {
        let k = (sched.now() / BUCKET) as usize;
        self.deal(day_of(sched.now()));
        let mut bucket = std::mem::take(&mut self.hours[k % BUCKETS_PER_DAY]);
        for &(_, pid, _) in &bucket {
            self.parties.prefetch(pid.slot);
        }
        // In time order they join the queue's in-order run, O(1) each,
        // instead of its heap. The sort is stable, so events at the same
        // second keep the order they were scheduled in, as the heap's
        // insertion sequence kept it: the order handled is unchanged.
        let mut sorted = std::mem::take(&mut self.sorted);
        sort_by_second(
            &bucket,
            k as SimTime * BUCKET,
            &mut self.second_counts,
            &mut sorted,
        );
        for &(t, pid, step) in &sorted {
            sched.schedule_at_in_order(t, BorderEvent::Party(pid, step));
        }
        self.sorted = sorted;
        bucket.clear();
        // The hour's allocation serves the same hour tomorrow.
        self.hours[k % BUCKETS_PER_DAY] = bucket;
        if k + 1 < self.days_ahead.len() * BUCKETS_PER_DAY {
            sched.schedule_at((k as SimTime + 1) * BUCKET, BorderEvent::BucketTick);
        }
    }

    /// Whether `now` [s] plus one day is still within the horizon.
    pub(super) fn has_tomorrow(&self, now: SimTime) -> bool {
        day_of(now + DAY) < self.days as usize
    }

    /// Writes the national metrics and starts a new day's counts.
    pub(super) fn end_of_day(&mut self, row: &mut Row<'_>) {
        row.national(self, &national_metrics());
        self.today = DayCounts::default();
    }
}

/// Stable counting sort of one bucket's events by time into `out`: every
/// time lies in the bucket's [`BUCKET`] seconds from `start` [s], so a count
/// per second replaces comparisons (a comparison sort of the bucket took
/// ~12% of a baseline replication). `counts` has `BUCKET + 1` entries and
/// comes back zeroed.
fn sort_by_second(bucket: &[Timer], start: SimTime, counts: &mut [u32], out: &mut Vec<Timer>) {
    let second = |t: SimTime| (t - start) as usize;
    debug_assert!(bucket.iter().all(|e| second(e.0) < BUCKET as usize));
    for e in bucket {
        counts[second(e.0) + 1] += 1;
    }
    for s in 1..counts.len() {
        counts[s] += counts[s - 1];
    }
    out.clear();
    out.extend_from_slice(bucket);
    for &e in bucket {
        let at = &mut counts[second(e.0)];
        out[*at as usize] = e;
        *at += 1;
    }
    counts.fill(0);
}

/// An exponential draw with mean `mean`.
pub(super) fn exp(rng: &mut Stream, mean: f64) -> f64 {
    let e: f64 = Exp1.sample(rng);
    e * mean
}

/// Detection probability of one check with base probability `p0` under a
/// hazard factor `factor`: the hazard −ln(1 − p0) scales linearly.
pub(super) fn scaled(p0: f64, factor: f64) -> f64 {
    if p0 >= 1.0 {
        return if factor > 0.0 { 1.0 } else { 0.0 };
    }
    1.0 - (1.0 - p0).powf(factor)
}

/// Day index of time `now` [s].
pub(super) fn day_of(now: SimTime) -> usize {
    (now / DAY).max(0) as usize
}

/// People at level `l` [persons].
fn at_level(c: &Ctx<'_>, l: usize) -> f64 {
    c.parties.level[l] as f64
}

/// National metrics from the day's counts and the ledger, first in the
/// records' column order: flows of the day, where people are at its end, and
/// running totals.
pub(super) fn national_metrics<'p>() -> Vec<Daily<Ctx<'p>>> {
    let mut all = Vec::with_capacity(24);
    all.extend(day_count_metrics());
    all.extend(level_metrics());
    all.extend(ledger_metrics());
    all
}

/// The day's national counts.
fn day_count_metrics<'p>() -> [Daily<Ctx<'p>>; 6] {
    use MetricKind::Count;
    use Unit::Persons;
    let d = Daily::new;
    [
        d(
            "arrivals",
            Persons,
            Count,
            "Arrivals into Mexico",
            |c, _| c.today.arrivals as f64,
        ),
        d(
            "mx_detections",
            Persons,
            Count,
            "Detections by Mexico",
            |c, _| c.today.mx as f64,
        ),
        d(
            "usbp_apprehensions",
            Persons,
            Count,
            "USBP apprehensions",
            |c, _| c.today.usbp as f64,
        ),
        d(
            "ofo_encounters",
            Persons,
            Count,
            "OFO encounters at ports",
            |c, _| c.today.ofo as f64,
        ),
        d("gotaways", Persons, Count, "Got-aways", |c, _| {
            c.today.gotaways as f64
        }),
        d(
            "family_unit_encounters",
            Persons,
            Count,
            "Encounters of persons in families (USBP + OFO)",
            |c, _| c.today.families as f64,
        ),
    ]
}

/// People by where they are at the day's end.
fn level_metrics<'p>() -> [Daily<Ctx<'p>>; 12] {
    use MetricKind::Level;
    use Unit::Persons;
    let d = Daily::new;
    [
        d(
            "in_transit",
            Persons,
            Level,
            "In transit through Mexico",
            |c, _| {
                c.parties.level[level::TRANSIT..level::TRANSIT + 4]
                    .iter()
                    .sum::<u64>() as f64
            },
        ),
        d(
            "waiting_south",
            Persons,
            Level,
            "Waiting in the south",
            |c, _| at_level(c, level::WAITING_SOUTH),
        ),
        d(
            "waiting_north",
            Persons,
            Level,
            "Waiting in northern cities",
            |c, _| at_level(c, level::WAITING_NORTH),
        ),
        d("port_queue", Persons, Level, "Queued at ports", |c, _| {
            at_level(c, level::PORT_QUEUE)
        }),
        d("caravan_size", Persons, Level, "In caravans", |c, _| {
            at_level(c, level::CARAVAN)
        }),
        d(
            "in_transit:bus",
            Persons,
            Level,
            "In transit by bus",
            |c, _| at_level(c, level::TRANSIT),
        ),
        d(
            "in_transit:truck",
            Persons,
            Level,
            "In transit by truck",
            |c, _| at_level(c, level::TRANSIT + 1),
        ),
        d(
            "in_transit:train",
            Persons,
            Level,
            "In transit by train",
            |c, _| at_level(c, level::TRANSIT + 2),
        ),
        d(
            "in_transit:foot",
            Persons,
            Level,
            "In transit on foot",
            |c, _| at_level(c, level::TRANSIT + 3),
        ),
        d(
            "detained_mexico",
            Persons,
            Level,
            "Detained in Mexico",
            |c, _| at_level(c, level::DETAINED_MX),
        ),
        d("in_custody", Persons, Level, "In US custody", |c, _| {
            at_level(c, level::CUSTODY)
        }),
        d("in_system", Persons, Level, "In the system", |c, _| {
            c.parties.in_system() as f64
        }),
    ]
}

/// Running totals of the ledger, and its balance.
fn ledger_metrics<'p>() -> [Daily<Ctx<'p>>; 7] {
    use MetricKind::{Cumulative, Level};
    use Unit::Persons;
    let d = Daily::new;
    let total =
        |name, label, value: fn(&Ctx<'p>, usize) -> f64| d(name, Persons, Cumulative, label, value);
    [
        total("arrivals_cumulative", "Arrivals since start", |c, _| {
            c.parties.arrived as f64
        }),
        total("outcome:entered_port", "Entered at a port", |c, _| {
            c.parties.outcome[outcome::ENTERED_PORT] as f64
        }),
        total(
            "outcome:apprehended",
            "Apprehended between ports",
            |c, _| c.parties.outcome[outcome::APPREHENDED] as f64,
        ),
        total("outcome:got_away", "Got away", |c, _| {
            c.parties.outcome[outcome::GOT_AWAY] as f64
        }),
        total(
            "outcome:returned_by_mexico",
            "Returned by Mexico",
            |c, _| c.parties.outcome[outcome::RETURNED_BY_MEXICO] as f64,
        ),
        total("outcome:settled_in_mexico", "Settled in Mexico", |c, _| {
            c.parties.outcome[outcome::SETTLED_IN_MEXICO] as f64
        }),
        d(
            "conservation_error",
            Persons,
            Level,
            "Conservation error",
            |c, _| c.parties.conservation_error() as f64,
        )
        .internal(),
    ]
}

#[cfg(test)]
mod tests {
    use super::{BUCKET, Pid, Step, sort_by_second};

    #[test]
    fn the_bucket_sort_is_stable_by_time() {
        // Slots number the events in scheduling order; equal times must keep
        // it, as the queue's insertion sequence would.
        let start = 7 * BUCKET;
        let times = [
            start + 90,
            start + 5,
            start + 90,
            start + BUCKET - 1,
            start,
            start + 5,
        ];
        let bucket: Vec<_> = times
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                (
                    t,
                    Pid {
                        slot: i as u32,
                        generation: 0,
                    },
                    Step::Cross,
                )
            })
            .collect();
        let mut counts = vec![0; BUCKET as usize + 1];
        let mut out = Vec::new();
        sort_by_second(&bucket, start, &mut counts, &mut out);
        let slots: Vec<u32> = out.iter().map(|e| e.1.slot).collect();
        assert_eq!(slots, [4, 1, 5, 0, 2, 3]);
        assert!(counts.iter().all(|&c| c == 0), "scratch left zeroed");
    }
}
