//! The border model's state and its event handlers: travel parties in a slab
//! of reusable slots, the places they wait in, and one handler per event.
//!
//! A party is one slot of `Party`; events about it carry its slot and the
//! generation it had when the event was scheduled ([`Pid`]). Every change of
//! a party's place bumps the generation, so an event that was overtaken (a
//! CBP One patience timer of a party that won the lottery) is recognised as
//! stale and dropped in O(1), without searching the queue. A slot freed by a
//! final outcome goes on a free list and is reused, so memory follows the
//! people in the system, not everyone who ever arrived.

mod arrivals;
mod caravans;
mod detention;
mod hubs;
mod north;
mod policy;
mod ports;
mod sectors;
mod transit;

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::params::{Action, BorderParams, DetentionOutcomes, Region, WhenFull};
use crate::engine::{DAY, Event, HOUR, Model, Scheduler, SimTime, days_to_time};
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::{Stream, stream};

/// Levels (places a person can be in), indices of the model's head counts.
pub mod level {
    /// Travelling by bus, truck, train or foot (or waiting for a departure):
    /// indices 0–3 in [`crate::border::params::MODE_NAMES`] order.
    pub const TRANSIT: usize = 0;
    /// Waiting at a southern hub (for papers, resting, after a relocation).
    pub const WAITING_SOUTH: usize = 4;
    /// Walking in a caravan.
    pub const CARAVAN: usize = 5;
    /// Held by Mexico's immigration agency or bused back south.
    pub const DETAINED_MX: usize = 6;
    /// Waiting in a northern border city (CBP One, arranging a crossing).
    pub const WAITING_NORTH: usize = 7;
    /// In a port of entry's appointment or walk-up queue.
    pub const PORT_QUEUE: usize = 8;
    /// In Border Patrol custody.
    pub const CUSTODY: usize = 9;
    /// Number of levels.
    pub const N: usize = 10;
}

/// Final outcomes, indices of the model's cumulative outcome counts.
pub mod outcome {
    /// Processed at a port of entry.
    pub const ENTERED_PORT: usize = 0;
    /// Apprehended between ports and not returned to try again.
    pub const APPREHENDED: usize = 1;
    /// Crossed between ports undetected.
    pub const GOT_AWAY: usize = 2;
    /// Deported or returned by Mexico.
    pub const RETURNED_BY_MEXICO: usize = 3;
    /// Gave up and settled in Mexico.
    pub const SETTLED_IN_MEXICO: usize = 4;
    /// Names in index order (`outcome:<name>` metrics).
    pub const NAMES: [&str; 5] = [
        "entered_port",
        "apprehended",
        "got_away",
        "returned_by_mexico",
        "settled_in_mexico",
    ];
}

const NONE16: u16 = u16::MAX;
/// Width of a bucket of future party events [s] (see [`BorderModel::at`]).
const BUCKET: SimTime = HOUR;
const NONE32: u32 = u32::MAX;

/// A travel party: one to a few people who move and decide together.
#[derive(Debug, Clone, Copy)]
struct Party {
    /// Generation, bumped at every change of place (stale-event guard).
    generation: u32,
    /// People in the party [persons].
    size: u32,
    /// Origin group index.
    origin: u16,
    /// Current level (see [`level`]); `u8::MAX` when the slot is free.
    level: u8,
    /// Holds papers (transit document) from the hub or a release.
    papers: bool,
    /// Current route, or `NONE16` before choosing one.
    route: u16,
    /// Leg index within the route.
    leg: u8,
    /// Mode of the current leg.
    mode: u8,
    /// Hub it last waited at.
    hub: u16,
    /// Northern city, or `NONE16`.
    city: u16,
    /// Port of its queue or appointment.
    port: u16,
    /// Index in its CBP One pool, or `NONE32`.
    pool_idx: u32,
    /// Caravan it walks with, or `NONE16`.
    caravan: u16,
    /// What it means to do at the border: [`PLAN_CBP_ONE`], [`PLAN_WALK_UP`]
    /// or [`PLAN_CROSS`], drawn on arrival from its origin's shares.
    plan: u8,
}

/// Plan: register with CBP One and wait for an appointment.
const PLAN_CBP_ONE: u8 = 0;
/// Plan: walk up to a port without an appointment.
const PLAN_WALK_UP: u8 = 1;
/// Plan: cross between ports.
const PLAN_CROSS: u8 = 2;

/// A party id in an event: slot and generation when scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pid {
    slot: u32,
    generation: u32,
}

/// What happens next to one party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reaches its southern hub after crossing the river.
    ReachHub,
    /// Leaves the hub northward without papers (after resting).
    LeaveHub,
    /// Completes its current leg.
    LegDone,
    /// Is detected by Mexican enforcement on a leg.
    Detained,
    /// Its detention ends with an outcome.
    DetentionEnd,
    /// Arrives back at the southern hub after a relocation.
    Relocated,
    /// Reaches its northern city.
    ReachCity,
    /// Attempts a crossing between ports.
    Cross,
    /// Its CBP One patience runs out.
    Patience,
    /// Shows up for its CBP One appointment.
    Appointment,
    /// Is released from Border Patrol custody.
    CustodyRelease,
}

/// The model's events. Class: policy changes first at a given second, then
/// timetabled services, then parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BorderEvent {
    /// An intervention starts or ends (at 00:00): recompute the policy state.
    Policy,
    /// Top of the hour: the hour's bucket of party events enters the queue.
    BucketTick,
    /// Daily check, at midnight, of between-ports pressure for triggered port closures.
    PressureCheck,
    /// Daily CBP One lottery.
    CbpOneDraw,
    /// A port's processing position frees up (or the port opens for the day).
    PortServe(u16),
    /// A bus or train leaves the start of a leg.
    Departure {
        /// Leg index.
        leg: u16,
        /// Mode index.
        mode: u8,
    },
    /// The papers office of a hub finishes a party.
    PapersDone(u16, Pid),
    /// A caravan sets off.
    CaravanStart(u16),
    /// A caravan's daily march (or rest).
    CaravanDay(u16),
    /// The next party of an origin group arrives.
    Arrival(u16),
    /// Something happens to a party.
    Party(Pid, Step),
}

impl Event for BorderEvent {
    fn class(&self) -> u8 {
        match self {
            BorderEvent::Policy => 0,
            BorderEvent::BucketTick | BorderEvent::PressureCheck => 1,
            BorderEvent::CbpOneDraw
            | BorderEvent::PortServe(_)
            | BorderEvent::Departure { .. }
            | BorderEvent::PapersDone(..)
            | BorderEvent::CaravanStart(_)
            | BorderEvent::CaravanDay(_) => 2,
            BorderEvent::Arrival(_) | BorderEvent::Party(..) => 3,
        }
    }
}

/// A port of entry's live state.
#[derive(Debug, Default)]
struct PortState {
    appointments: VecDeque<u32>,
    walkups: VecDeque<u32>,
    queued: u64,
    /// A `PortServe` is pending (at most one at a time).
    pending: bool,
    /// Scheduled capacity fraction from interventions [0–1].
    scheduled: f64,
    /// Capacity multiplier from interventions (officers added) [×].
    capacity_mult: f64,
    /// Closed by the pressure trigger.
    triggered_closed: bool,
    /// Days the sector pressure has been below the reopening threshold.
    calm_days: u32,
    ofo_today: u64,
    /// People served while the port was closed: must stay 0 (invariant).
    served_while_closed: u64,
}

/// A caravan's live state.
#[derive(Debug, Default)]
struct CaravanState {
    started: bool,
    active: bool,
    members: Vec<u32>,
    persons: u64,
    km: f64,
    days: u32,
    halted: bool,
}

/// The policy state in force, recomputed when an intervention starts or ends.
#[derive(Debug, Clone)]
struct Policy {
    title42: bool,
    cbp_one_slots: f64,
    /// Enforcement multiplier [×] in the south and in transit.
    enforcement: [f64; 2],
    suspended: [bool; 4],
    outcomes: DetentionOutcomes,
    /// Multiplier of the time to arrange a crossing between ports [×].
    crossing_delay: f64,
}

/// One replication of the border model.
pub struct BorderModel<'p> {
    p: &'p BorderParams,
    days: u32,
    parties: Vec<Party>,
    free: Vec<u32>,
    /// People per level [persons].
    level: [u64; level::N],
    /// People per final outcome, cumulative [persons].
    outcome: [u64; 5],
    /// People who ever arrived, cumulative [persons].
    arrived: u64,
    /// Arrival rate by origin and day, with surges [parties/s].
    party_rates: Vec<Vec<f64>>,
    family_cum: Vec<f64>,
    policy: Policy,
    hub_queue: Vec<VecDeque<u32>>,
    hub_queue_persons: Vec<u64>,
    hub_busy: Vec<bool>,
    /// Station queues per (leg, mode) for scheduled modes.
    station: Vec<[VecDeque<u32>; 4]>,
    station_persons: Vec<[u64; 4]>,
    /// Probability of detection over a whole leg, by leg, mode and papers
    /// (0 without, 1 with), under the enforcement in force [0–1]; recomputed
    /// when a policy changes, since `powf` per trip would dominate the cost.
    leg_detection: Vec<[[f64; 2]; 4]>,
    /// Detection probability at each southern crossing now [0–1].
    crossing_detection: Vec<f64>,
    /// Cumulative route weights per start place, recomputed daily.
    /// Indexed [place][plan]: plan 0 uses a port (and avoids cities whose
    /// ports were heard closed), plan 1 crosses between ports (and does not care).
    route_cum: Vec<[Vec<(u16, f64)>; 2]>,
    /// Open fraction of each city's ports, one entry per day (news history).
    city_open_history: Vec<Vec<f64>>,
    ports: Vec<PortState>,
    /// CBP One registrants waiting for the lottery.
    pool: Vec<u32>,
    /// People registered with CBP One and waiting for a draw [persons].
    registered: u64,
    custody: Vec<u64>,
    sector_today: Vec<u64>,
    sector_history: Vec<VecDeque<u64>>,
    caravans: Vec<CaravanState>,
    /// Party events of later hours, by hour (see [`BorderModel::at`]).
    buckets: Vec<Vec<(SimTime, Pid, Step)>>,
    rng_arrivals: Stream,
    rng_south: Stream,
    rng_travel: Stream,
    rng_caravans: Stream,
    rng_north: Stream,
    rng_ports: Stream,
    rng_border: Stream,
    // Day counters.
    d_arrivals: u64,
    d_mx: u64,
    d_usbp: u64,
    d_ofo: u64,
    d_gotaways: u64,
    d_usbp_sector: Vec<u64>,
}

impl<'p> BorderModel<'p> {
    /// A fresh model for replication `replication` under `seed`.
    pub fn new(p: &'p BorderParams, days: u32, seed: u64, replication: u64) -> Self {
        let mean_family: f64 = p
            .family_size_weights
            .iter()
            .enumerate()
            .map(|(i, w)| (i + 2) as f64 * w)
            .sum();
        let mut family_cum = Vec::new();
        let mut acc = 0.0;
        for w in &p.family_size_weights {
            acc += w;
            family_cum.push(acc);
        }
        let party_rates = p
            .origins
            .iter()
            .enumerate()
            .map(|(o, origin)| {
                let mean_size = 1.0 + origin.family_share * (mean_family - 1.0);
                (0..days as usize)
                    .map(|d| {
                        let mut x = p.daily_rates[o][d];
                        for iv in &p.interventions {
                            if let Action::ArrivalSurge {
                                origins: ref who,
                                multiplier,
                            } = iv.action
                                && (who.is_empty() || who.contains(&o))
                                && (iv.from_day..iv.until_day).contains(&(d as i64))
                            {
                                x *= multiplier;
                            }
                        }
                        x / mean_size / DAY as f64
                    })
                    .collect()
            })
            .collect();
        let s = |name| stream(seed, replication, name);
        Self {
            p,
            days,
            parties: Vec::new(),
            free: Vec::new(),
            level: [0; level::N],
            outcome: [0; 5],
            arrived: 0,
            party_rates,
            family_cum,
            policy: Policy {
                title42: false,
                cbp_one_slots: 0.0,
                enforcement: [1.0; 2],
                suspended: [false; 4],
                outcomes: p.mexico.outcomes,
                crossing_delay: 1.0,
            },
            hub_queue: vec![VecDeque::new(); p.hubs.len()],
            hub_queue_persons: vec![0; p.hubs.len()],
            hub_busy: vec![false; p.hubs.len()],
            station: (0..p.legs.len()).map(|_| Default::default()).collect(),
            station_persons: vec![[0; 4]; p.legs.len()],
            route_cum: vec![Default::default(); p.places.len()],
            leg_detection: vec![[[0.0; 2]; 4]; p.legs.len()],
            crossing_detection: vec![0.0; p.crossings.len()],
            city_open_history: vec![Vec::new(); p.cities.len()],
            ports: (0..p.ports.len())
                .map(|_| PortState {
                    scheduled: 1.0,
                    capacity_mult: 1.0,
                    ..Default::default()
                })
                .collect(),
            pool: Vec::new(),
            registered: 0,
            custody: vec![0; p.sectors.len()],
            sector_today: vec![0; p.sectors.len()],
            sector_history: vec![VecDeque::new(); p.sectors.len()],
            caravans: (0..p.caravans.len()).map(|_| Default::default()).collect(),
            buckets: vec![Vec::new(); days as usize * (DAY / BUCKET) as usize],
            rng_arrivals: s("arrivals"),
            rng_south: s("south"),
            rng_travel: s("travel"),
            rng_caravans: s("caravans"),
            rng_north: s("north"),
            rng_ports: s("ports"),
            rng_border: s("border"),
            d_arrivals: 0,
            d_mx: 0,
            d_usbp: 0,
            d_ofo: 0,
            d_gotaways: 0,
            d_usbp_sector: vec![0; p.sectors.len()],
        }
    }

    // ------------------------------------------------------------ bookkeeping

    /// People in the system now [persons].
    pub fn in_system(&self) -> u64 {
        self.level.iter().sum()
    }

    /// Arrivals minus (in system + final outcomes): zero when nothing is lost.
    pub fn conservation_error(&self) -> i64 {
        self.arrived as i64 - self.in_system() as i64 - self.outcome.iter().sum::<u64>() as i64
    }

    /// Takes a slot (a freed one first) for a new party and draws its plan at
    /// the border.
    pub(super) fn new_party(&mut self, origin: u16, size: u32, lvl: usize) -> u32 {
        let o = &self.p.origins[origin as usize];
        let u: f64 = self.rng_arrivals.random();
        let plan = if u < o.cbp_one_share {
            PLAN_CBP_ONE
        } else if u < o.cbp_one_share + o.walkup_share {
            PLAN_WALK_UP
        } else {
            PLAN_CROSS
        };
        let party = Party {
            plan,
            generation: 0,
            size,
            origin,
            level: lvl as u8,
            papers: false,
            route: NONE16,
            leg: 0,
            mode: 0,
            hub: 0,
            city: NONE16,
            port: NONE16,
            pool_idx: NONE32,
            caravan: NONE16,
        };
        self.level[lvl] += u64::from(size);
        self.arrived += u64::from(size);
        match self.free.pop() {
            Some(slot) => {
                let generation = self.parties[slot as usize].generation.wrapping_add(1);
                self.parties[slot as usize] = Party {
                    generation,
                    ..party
                };
                slot
            }
            None => {
                self.parties.push(party);
                (self.parties.len() - 1) as u32
            }
        }
    }

    /// Moves a party to level `lvl` and returns its new id (older events
    /// about it become stale).
    pub(super) fn goto(&mut self, slot: u32, lvl: usize) -> Pid {
        let pt = &mut self.parties[slot as usize];
        self.level[pt.level as usize] -= u64::from(pt.size);
        self.level[lvl] += u64::from(pt.size);
        pt.level = lvl as u8;
        pt.generation = pt.generation.wrapping_add(1);
        Pid {
            slot,
            generation: pt.generation,
        }
    }

    /// Ends a party in final outcome `o` and frees its slot.
    pub(super) fn finish(&mut self, slot: u32, o: usize) {
        let pt = &mut self.parties[slot as usize];
        self.level[pt.level as usize] -= u64::from(pt.size);
        self.outcome[o] += u64::from(pt.size);
        pt.level = u8::MAX;
        pt.generation = pt.generation.wrapping_add(1);
        self.free.push(slot);
    }

    /// People in the party in `slot` [persons].
    pub(super) fn size(&self, slot: u32) -> u32 {
        self.parties[slot as usize].size
    }

    /// Schedules `step` for a party after `delay_days` [d]. Events beyond
    /// the current hour wait in an hourly bucket and enter the engine's queue
    /// at that hour's tick: the heap then holds about an hour of events (a
    /// few thousand) instead of every timer of the weeks ahead, so its sifts
    /// stay short and in cache (profiling showed the heap at about half the
    /// run time with day buckets). The ticks cost 24 events a day.
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
            if bucket < self.buckets.len() {
                self.buckets[bucket].push((t, pid, step));
            }
            // Past the horizon: it would never be handled.
        } else {
            sched.schedule_at(t, BorderEvent::Party(pid, step));
        }
    }

    /// Bucket tick: moves this hour's bucket into the engine's queue.
    pub(super) fn release_bucket(&mut self, sched: &mut Scheduler<BorderEvent>) {
        let k = (sched.now() / BUCKET) as usize;
        let mut bucket = std::mem::take(&mut self.buckets[k]);
        for (t, pid, step) in bucket.drain(..) {
            sched.schedule_at(t, BorderEvent::Party(pid, step));
        }
        // Hand the allocation to a later bucket so allocations are reused.
        if let Some(next) = self.buckets.get_mut(k + 1)
            && next.capacity() < bucket.capacity()
        {
            bucket.append(next);
            *next = bucket;
        }
        if k + 1 < self.buckets.len() {
            sched.schedule_at((k as SimTime + 1) * BUCKET, BorderEvent::BucketTick);
        }
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

    /// Enforcement multiplier in `region`: deployed over reference personnel,
    /// times the interventions in force [×].
    pub(super) fn enforcement(&self, region: Region) -> f64 {
        let base = self.p.mexico.enforcement_personnel / self.p.mexico.reference_personnel;
        base * match region {
            Region::South => self.policy.enforcement[0],
            Region::Transit => self.policy.enforcement[1],
        }
    }

    /// Day index of time `now` [s].
    pub(super) fn day_of(now: SimTime) -> usize {
        (now / DAY).max(0) as usize
    }

    /// Open fraction of port `k` now [0–1].
    pub(super) fn port_open(&self, k: usize) -> f64 {
        if self.ports[k].triggered_closed {
            0.0
        } else {
            self.ports[k].scheduled
        }
    }

    /// Mean open fraction of the ports of city `c` [0–1] (1 for a city without
    /// ports).
    pub(super) fn city_open(&self, c: usize) -> f64 {
        let city = &self.p.cities[c];
        if city.ports.is_empty() {
            return 1.0;
        }
        city.ports.iter().map(|&k| self.port_open(k)).sum::<f64>() / city.ports.len() as f64
    }
}

/// National metrics before the per-place ones, in column order: name, unit,
/// kind, label. `end_of_day` fills them in this order.
const FIXED_METRICS: [(&str, Unit, MetricKind, &str); 26] = {
    use MetricKind::{Count, Cumulative, Level};
    use Unit::{Persons, Slots};
    [
        ("arrivals", Persons, Count, "Arrivals into Mexico"),
        ("mx_detections", Persons, Count, "Detections by Mexico"),
        ("usbp_apprehensions", Persons, Count, "USBP apprehensions"),
        ("ofo_encounters", Persons, Count, "OFO encounters at ports"),
        ("gotaways", Persons, Count, "Got-aways"),
        ("in_transit", Persons, Level, "In transit through Mexico"),
        ("waiting_south", Persons, Level, "Waiting in the south"),
        (
            "waiting_north",
            Persons,
            Level,
            "Waiting in northern cities",
        ),
        ("port_queue", Persons, Level, "Queued at ports"),
        ("caravan_size", Persons, Level, "In caravans"),
        ("in_transit:bus", Persons, Level, "In transit by bus"),
        ("in_transit:truck", Persons, Level, "In transit by truck"),
        ("in_transit:train", Persons, Level, "In transit by train"),
        ("in_transit:foot", Persons, Level, "In transit on foot"),
        ("detained_mexico", Persons, Level, "Detained in Mexico"),
        ("in_custody", Persons, Level, "In US custody"),
        ("in_system", Persons, Level, "In the system"),
        (
            "arrivals_cumulative",
            Persons,
            Cumulative,
            "Arrivals since start",
        ),
        (
            "outcome:entered_port",
            Persons,
            Cumulative,
            "Entered at a port",
        ),
        (
            "outcome:apprehended",
            Persons,
            Cumulative,
            "Apprehended between ports",
        ),
        ("outcome:got_away", Persons, Cumulative, "Got away"),
        (
            "outcome:returned_by_mexico",
            Persons,
            Cumulative,
            "Returned by Mexico",
        ),
        (
            "outcome:settled_in_mexico",
            Persons,
            Cumulative,
            "Settled in Mexico",
        ),
        ("conservation_error", Persons, Level, "Conservation error"),
        (
            "cbp_one_slots",
            Slots,
            Level,
            "CBP One appointments offered",
        ),
        (
            "cbp_one_registered",
            Persons,
            Level,
            "Registered for CBP One",
        ),
    ]
};

impl Model for BorderModel<'_> {
    type Event = BorderEvent;

    fn start(&mut self, sched: &mut Scheduler<BorderEvent>) {
        self.apply_policies(0, sched);
        for (d, iv) in self.p.interventions.iter().enumerate() {
            let _ = d;
            for day in [iv.from_day, iv.until_day] {
                if day > 0 && day < i64::from(self.days) {
                    sched.schedule_at(day * DAY, BorderEvent::Policy);
                }
            }
        }
        for o in 0..self.p.origins.len() {
            self.schedule_arrival(o as u16, 0, sched);
        }
        for (leg, l) in self.p.legs.iter().enumerate() {
            for (mode, md) in self.p.modes.iter().enumerate() {
                if l.modes[mode] && md.departures_per_day > 0.0 {
                    let gap = DAY as f64 / md.departures_per_day;
                    let phase = (self.rng_travel.random::<f64>() * gap) as SimTime;
                    sched.schedule_at(
                        phase,
                        BorderEvent::Departure {
                            leg: leg as u16,
                            mode: mode as u8,
                        },
                    );
                }
            }
        }
        sched.schedule_at(
            (self.p.cbp_one.draw_at_hour * HOUR as f64) as SimTime,
            BorderEvent::CbpOneDraw,
        );
        sched.schedule_at(BUCKET, BorderEvent::BucketTick);
        if self.days > 1 {
            sched.schedule_at(DAY, BorderEvent::PressureCheck);
        }
        for (c, cv) in self.p.caravans.iter().enumerate() {
            if let Some(d) = cv.start_day
                && d >= 0
                && d < i64::from(self.days)
            {
                sched.schedule_at(d * DAY + 6 * HOUR, BorderEvent::CaravanStart(c as u16));
            }
        }
    }

    fn handle(&mut self, event: BorderEvent, sched: &mut Scheduler<BorderEvent>) {
        match event {
            BorderEvent::Policy => {
                let today = sched.now() / DAY;
                self.apply_policies(today, sched);
            }
            BorderEvent::BucketTick => self.release_bucket(sched),
            BorderEvent::PressureCheck => self.pressure_check(sched),
            BorderEvent::CbpOneDraw => self.cbp_one_draw(sched),
            BorderEvent::PortServe(k) => self.port_serve(k as usize, sched),
            BorderEvent::Departure { leg, mode } => {
                self.departure(leg as usize, mode as usize, sched)
            }
            BorderEvent::PapersDone(h, pid) => self.papers_done(h as usize, pid, sched),
            BorderEvent::CaravanStart(c) => self.caravan_start(c as usize, sched),
            BorderEvent::CaravanDay(c) => self.caravan_day(c as usize, sched),
            BorderEvent::Arrival(o) => self.arrival(o, sched),
            BorderEvent::Party(pid, step) => {
                if self.parties[pid.slot as usize].generation != pid.generation {
                    return; // overtaken by a later change
                }
                let slot = pid.slot;
                match step {
                    Step::ReachHub => self.reach_hub(slot, sched),
                    Step::LeaveHub => {
                        let h = self.parties[slot as usize].hub as usize;
                        self.start_journey(slot, self.p.hubs[h].place, sched)
                    }
                    Step::LegDone => self.leg_done(slot, sched),
                    Step::Detained => self.detained(slot, sched),
                    Step::DetentionEnd => self.detention_end(slot, sched),
                    Step::Relocated => self.relocated(slot, sched),
                    Step::ReachCity => {
                        let c = self.parties[slot as usize].city as usize;
                        self.arrive_city(slot, c, sched)
                    }
                    Step::Cross => self.cross(slot, sched),
                    Step::Patience => self.patience(slot, sched),
                    Step::Appointment => self.appointment(slot, sched),
                    Step::CustodyRelease => self.custody_release(slot, sched),
                }
            }
        }
    }

    /// Conservation of people; no counter wrapped below zero (every level and
    /// queue at most everyone who ever arrived); no port served anyone while
    /// closed; custody within capacity when full custody releases people.
    fn check_invariants(&self, _now: SimTime, violations: &mut Vec<String>) {
        let err = self.conservation_error();
        if err != 0 {
            violations.push(format!(
                "conservation: {} arrived, {} in the system, {} in final outcomes (off by {err})",
                self.arrived,
                self.in_system(),
                self.outcome.iter().sum::<u64>()
            ));
        }
        if let Some(l) = self.level.iter().position(|&n| n > self.arrived) {
            violations.push(format!(
                "level {l} holds {} people, more than ever arrived",
                self.level[l]
            ));
        }
        for (k, port) in self.ports.iter().enumerate() {
            let name = &self.p.ports[k].name;
            if port.queued > self.arrived {
                violations.push(format!(
                    "port {name}: queue of {} is negative or impossible",
                    port.queued
                ));
            }
            if port.served_while_closed > 0 {
                violations.push(format!(
                    "port {name} served {} people while closed",
                    port.served_while_closed
                ));
            }
        }
        if self.p.between_ports.custody_when_full == WhenFull::Release {
            for (s, sector) in self.p.sectors.iter().enumerate() {
                if self.custody[s] as f64 > sector.custody_capacity {
                    violations.push(format!(
                        "sector {}: {} in custody, capacity {}",
                        sector.name, self.custody[s], sector.custody_capacity
                    ));
                }
            }
        }
    }

    fn end_of_day(&mut self, day: u32, _now: SimTime, row: &mut [f64]) {
        debug_assert_eq!(
            self.conservation_error(),
            0,
            "conservation broken on day {day}"
        );
        let l = &self.level;
        let in_transit: u64 = l[0..4].iter().sum();
        let fixed = [
            self.d_arrivals as f64,
            self.d_mx as f64,
            self.d_usbp as f64,
            self.d_ofo as f64,
            self.d_gotaways as f64,
            in_transit as f64,
            l[level::WAITING_SOUTH] as f64,
            l[level::WAITING_NORTH] as f64,
            l[level::PORT_QUEUE] as f64,
            l[level::CARAVAN] as f64,
            l[0] as f64,
            l[1] as f64,
            l[2] as f64,
            l[3] as f64,
            l[level::DETAINED_MX] as f64,
            l[level::CUSTODY] as f64,
            self.in_system() as f64,
            self.arrived as f64,
            self.outcome[0] as f64,
            self.outcome[1] as f64,
            self.outcome[2] as f64,
            self.outcome[3] as f64,
            self.outcome[4] as f64,
            self.conservation_error() as f64,
            self.policy.cbp_one_slots,
            self.registered as f64,
        ];
        row[..fixed.len()].copy_from_slice(&fixed);
        let mut i = fixed.len();
        for k in 0..self.p.ports.len() {
            row[i] = self.ports[k].ofo_today as f64;
            row[i + 1] = self.ports[k].queued as f64;
            row[i + 2] = self.port_open(k);
            self.ports[k].ofo_today = 0;
            i += 3;
        }
        for s in 0..self.p.sectors.len() {
            row[i] = self.d_usbp_sector[s] as f64;
            self.d_usbp_sector[s] = 0;
            i += 1;
        }
        for c in 0..self.p.caravans.len() {
            let st = &self.caravans[c];
            row[i] = if st.active { st.persons as f64 } else { 0.0 };
            row[i + 1] = if st.active { st.km } else { 0.0 };
            i += 2;
        }
        for c in 0..self.p.cities.len() {
            let open = self.city_open(c);
            self.city_open_history[c].push(open);
        }
        self.d_arrivals = 0;
        self.d_mx = 0;
        self.d_usbp = 0;
        self.d_ofo = 0;
        self.d_gotaways = 0;
    }
}

/// The daily metrics in column order.
pub(crate) fn metric_specs(p: &BorderParams) -> Vec<MetricSpec> {
    use MetricKind::{Count, Level};
    let mut specs: Vec<MetricSpec> = FIXED_METRICS
        .iter()
        .map(|&(name, unit, kind, label)| {
            let spec = MetricSpec::new(name, unit, kind, label);
            if name == "conservation_error" {
                spec.internal()
            } else {
                spec
            }
        })
        .collect();
    let persons = |name, kind, label| MetricSpec::new(name, Unit::Persons, kind, label);
    for port in &p.ports {
        let at = port.name.as_str();
        specs.push(persons("ofo_encounters", Count, "OFO encounters at ports").at(at));
        specs.push(persons("port_queue", Level, "Queued at ports").at(at));
        specs.push(MetricSpec::new("port_open", Unit::Flag, Level, "Port open").at(at));
    }
    for s in &p.sectors {
        specs.push(persons("usbp_apprehensions", Count, "USBP apprehensions").at(&s.name));
    }
    for c in &p.caravans {
        specs.push(persons("caravan_size", Level, "In caravans").at(&c.name));
        let km = MetricSpec::new("caravan_km", Unit::Kilometres, Level, "Caravan distance");
        specs.push(km.at(&c.name));
    }
    specs
}
