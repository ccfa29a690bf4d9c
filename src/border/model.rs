//! The border model's state and its event handlers: travel parties in a slab
//! of reusable slots, the places they wait in, and one handler per event.
//!
//! A party is one slot of [`Party`]; events about it carry its slot and the
//! generation it had when the event was scheduled ([`Pid`]). Every change of
//! a party's place bumps the generation, so an event that was overtaken (a
//! CBP One patience timer of a party that won the lottery) is recognised as
//! stale and dropped in O(1), without searching the queue. A slot freed by a
//! final outcome goes on a free list and is reused, so memory follows the
//! people in the system, not everyone who ever arrived.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::params::{Action, BorderParams, DetentionOutcomes, Region, WhenFull};
use crate::engine::{DAY, Event, HOUR, Model, Scheduler, SimTime, days_to_time};
use crate::rng::{Stream, stream};

/// Levels (places a person can be in), indices into [`BorderModel::level`].
pub mod level {
    /// Travelling by bus, truck, train or foot (or waiting for a departure):
    /// indices 0–3 in [`super::MODE_NAMES`] order.
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

/// Final outcomes, indices into [`BorderModel::outcome`].
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
    /// Midnight: the day's bucket of party events enters the queue.
    Midnight,
    /// Midnight check of between-ports pressure for triggered port closures.
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
            BorderEvent::Midnight | BorderEvent::PressureCheck => 1,
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
    /// Party events of later days, by day (see [`BorderModel::at`]).
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
            buckets: vec![Vec::new(); days as usize],
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

    fn new_party(&mut self, origin: u16, size: u32, lvl: usize) -> u32 {
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
    fn goto(&mut self, slot: u32, lvl: usize) -> Pid {
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
    fn finish(&mut self, slot: u32, o: usize) {
        let pt = &mut self.parties[slot as usize];
        self.level[pt.level as usize] -= u64::from(pt.size);
        self.outcome[o] += u64::from(pt.size);
        pt.level = u8::MAX;
        pt.generation = pt.generation.wrapping_add(1);
        self.free.push(slot);
    }

    fn size(&self, slot: u32) -> u32 {
        self.parties[slot as usize].size
    }

    /// Schedules `step` for a party after `delay_days` [d]. Events beyond
    /// the current day wait in a day bucket and enter the engine's queue at
    /// that day's midnight: the heap then holds about one day of events, not
    /// every patience timer of the months ahead, which keeps it in cache.
    fn at(&mut self, sched: &mut Scheduler<BorderEvent>, delay_days: f64, pid: Pid, step: Step) {
        let t = sched.now() + days_to_time(delay_days.max(0.0));
        let day = Self::day_of(t);
        if day > Self::day_of(sched.now()) {
            if day < self.buckets.len() {
                self.buckets[day].push((t, pid, step));
            }
            // Past the horizon: it would never be handled.
        } else {
            sched.schedule_at(t, BorderEvent::Party(pid, step));
        }
    }

    /// Midnight: moves the day's bucket into the engine's queue.
    fn release_bucket(&mut self, sched: &mut Scheduler<BorderEvent>) {
        let day = Self::day_of(sched.now());
        let mut bucket = std::mem::take(&mut self.buckets[day]);
        for (t, pid, step) in bucket.drain(..) {
            sched.schedule_at(t, BorderEvent::Party(pid, step));
        }
        // Hand the allocation to a later day so buckets are reused.
        if let Some(next) = self.buckets.get_mut(day + 1)
            && next.capacity() < bucket.capacity()
        {
            bucket.append(next);
            *next = bucket;
        }
        if day + 1 < self.days as usize {
            sched.schedule_at((day as SimTime + 1) * DAY, BorderEvent::Midnight);
        }
    }

    fn exp(rng: &mut Stream, mean: f64) -> f64 {
        let e: f64 = Exp1.sample(rng);
        e * mean
    }

    /// Detection probability of one check with base probability `p0` under a
    /// hazard factor `factor`: the hazard −ln(1 − p0) scales linearly.
    fn scaled(p0: f64, factor: f64) -> f64 {
        if p0 >= 1.0 {
            return if factor > 0.0 { 1.0 } else { 0.0 };
        }
        1.0 - (1.0 - p0).powf(factor)
    }

    fn enforcement(&self, region: Region) -> f64 {
        let base = self.p.mexico.enforcement_personnel / self.p.mexico.reference_personnel;
        base * match region {
            Region::South => self.policy.enforcement[0],
            Region::Transit => self.policy.enforcement[1],
        }
    }

    fn day_of(now: SimTime) -> usize {
        (now / DAY).max(0) as usize
    }

    /// Open fraction of port `k` now [0–1].
    fn port_open(&self, k: usize) -> f64 {
        if self.ports[k].triggered_closed {
            0.0
        } else {
            self.ports[k].scheduled
        }
    }

    fn city_open(&self, c: usize) -> f64 {
        let city = &self.p.cities[c];
        if city.ports.is_empty() {
            return 1.0;
        }
        city.ports.iter().map(|&k| self.port_open(k)).sum::<f64>() / city.ports.len() as f64
    }

    // --------------------------------------------------------------- arrivals

    fn schedule_arrival(&mut self, origin: u16, from: SimTime, sched: &mut Scheduler<BorderEvent>) {
        let mut t0 = from;
        loop {
            let day = Self::day_of(t0);
            if day >= self.days as usize {
                return;
            }
            let rate = self.party_rates[origin as usize][day];
            let day_end = (day as SimTime + 1) * DAY;
            if rate > 0.0 {
                let e: f64 = Exp1.sample(&mut self.rng_arrivals);
                let t = t0 + (e / rate).ceil() as SimTime;
                if t < day_end {
                    sched.schedule_at(t.max(sched.now()), BorderEvent::Arrival(origin));
                    return;
                }
            }
            // Memoryless: restart at the next day with that day's rate.
            t0 = day_end;
        }
    }

    fn arrival(&mut self, o: u16, sched: &mut Scheduler<BorderEvent>) {
        let origin = &self.p.origins[o as usize];
        let size = if self.rng_arrivals.random::<f64>() < origin.family_share {
            let u: f64 = self.rng_arrivals.random();
            2 + self.family_cum.iter().position(|&c| u < c).unwrap_or(0) as u32
        } else {
            1
        };
        self.d_arrivals += u64::from(size);
        if let Some(c) = origin.crossing {
            let crossing = &self.p.crossings[c];
            let slot = self.new_party(o, size, level::TRANSIT + 3);
            self.parties[slot as usize].hub = crossing.hub as u16;
            let pid = self.goto(slot, level::TRANSIT + 3);
            let p_det = self.crossing_detection[c];
            let foot = &self.p.modes[3];
            let speed = self
                .rng_south
                .random_range(foot.km_per_day_min..=foot.km_per_day_max);
            let walk = crossing.km_to_hub / speed;
            if self.rng_south.random::<f64>() < p_det {
                let at = walk * self.rng_south.random::<f64>();
                self.at(sched, at, pid, Step::Detained);
            } else {
                self.at(sched, walk, pid, Step::ReachHub);
            }
        } else {
            let place = origin.start_place.unwrap_or(0);
            let slot = self.new_party(o, size, level::WAITING_SOUTH);
            self.start_journey(slot, place, sched);
        }
        self.schedule_arrival(o, sched.now() + 1, sched);
    }

    // ------------------------------------------------------------------- hubs

    fn reach_hub(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let h = self.parties[slot as usize].hub as usize;
        let hub = &self.p.hubs[h];
        let origin = &self.p.origins[self.parties[slot as usize].origin as usize];
        let wants_papers = !self.parties[slot as usize].papers
            && hub.papers_capacity_per_day > 0.0
            && self.rng_south.random::<f64>() < origin.wait_for_papers_share;
        if wants_papers {
            let expected_wait = self.hub_queue_persons[h] as f64 / hub.papers_capacity_per_day;
            let patience = Self::exp(&mut self.rng_south, hub.papers_patience_days);
            if expected_wait <= patience {
                self.goto(slot, level::WAITING_SOUTH);
                self.hub_queue[h].push_back(slot);
                self.hub_queue_persons[h] += u64::from(self.size(slot));
                self.serve_papers(h, sched);
                self.check_caravan_triggers(h, sched);
                return;
            }
        }
        let pid = self.goto(slot, level::WAITING_SOUTH);
        let rest = Self::exp(&mut self.rng_south, hub.rest_days_mean);
        self.at(sched, rest, pid, Step::LeaveHub);
    }

    fn serve_papers(&mut self, h: usize, sched: &mut Scheduler<BorderEvent>) {
        if self.hub_busy[h] {
            return;
        }
        if let Some(slot) = self.hub_queue[h].pop_front() {
            let size = self.size(slot);
            self.hub_queue_persons[h] -= u64::from(size);
            self.hub_busy[h] = true;
            let days = f64::from(size) / self.p.hubs[h].papers_capacity_per_day;
            let generation = self.parties[slot as usize].generation;
            sched.schedule_in(
                days_to_time(days).max(1),
                BorderEvent::PapersDone(h as u16, Pid { slot, generation }),
            );
        }
    }

    fn papers_done(&mut self, h: usize, pid: Pid, sched: &mut Scheduler<BorderEvent>) {
        self.hub_busy[h] = false;
        if self.parties[pid.slot as usize].generation == pid.generation {
            self.parties[pid.slot as usize].papers = true;
            let place = self.p.hubs[h].place;
            self.start_journey(pid.slot, place, sched);
        }
        self.serve_papers(h, sched);
    }

    // ---------------------------------------------------------------- transit

    /// Recomputes the cumulative route weights from each start place, with the
    /// port states heard `info_delay_days` ago.
    fn update_route_weights(&mut self, today: usize) {
        let rc = &self.p.route_choice;
        let transit = self.enforcement(Region::Transit);
        for lists in &mut self.route_cum {
            lists[0].clear();
            lists[1].clear();
        }
        for (r, route) in self.p.routes.iter().enumerate() {
            let hist = &self.city_open_history[route.city];
            let heard = if hist.is_empty() {
                1.0
            } else {
                let idx = today
                    .saturating_sub(rc.info_delay_days as usize)
                    .min(hist.len() - 1);
                hist[idx]
            };
            let utility = -rc.km_cost_per_1000 * route.km / 1000.0
                - rc.checkpoint_cost * route.checkpoints as f64 * transit;
            let w = route.weight * utility.exp();
            let avoid = 1.0 - rc.closed_port_aversion * (1.0 - heard);
            for (plan, w) in [(0, w * avoid), (1, w)] {
                let list = &mut self.route_cum[route.from][plan];
                let acc = list.last().map_or(0.0, |x| x.1) + w.max(0.0);
                list.push((r as u16, acc));
            }
        }
    }

    fn start_journey(&mut self, slot: u32, place: usize, sched: &mut Scheduler<BorderEvent>) {
        let plan = usize::from(self.parties[slot as usize].plan == PLAN_CROSS);
        let list = &self.route_cum[place][plan];
        let total = list.last().map_or(0.0, |x| x.1);
        let route = if total > 0.0 {
            let u = self.rng_travel.random::<f64>() * total;
            list.iter()
                .find(|x| u < x.1)
                .unwrap_or(&list[list.len() - 1])
                .0
        } else {
            // Every route weighs zero: take the first from here.
            list.first().map_or(0, |x| x.0)
        };
        let pt = &mut self.parties[slot as usize];
        pt.route = route;
        pt.leg = 0;
        self.start_leg(slot, sched);
    }

    fn choose_mode(&mut self, slot: u32, leg: usize) -> usize {
        let pt = self.parties[slot as usize];
        let legal = pt.papers || self.p.origins[pt.origin as usize].mexican;
        let mut w = [0.0; 4];
        for (k, md) in self.p.modes.iter().enumerate() {
            if !self.p.legs[leg].modes[k] || self.policy.suspended[k] {
                continue;
            }
            // A scheduled mode whose station holds more than a day of seats is
            // skipped: people do not wait days for a bus while trucks leave.
            if md.departures_per_day > 0.0
                && self.station_persons[leg][k] as f64 > md.seats * md.departures_per_day
            {
                continue;
            }
            w[k] = if legal {
                md.weight_papers
            } else {
                md.weight_irregular
            };
        }
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            // Nothing else left: walk (always allowed on foot/truck legs).
            return if self.p.legs[leg].modes[3] { 3 } else { 1 };
        }
        let mut u = self.rng_travel.random::<f64>() * total;
        for (k, wk) in w.iter().enumerate() {
            if u < *wk {
                return k;
            }
            u -= wk;
        }
        3
    }

    fn start_leg(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let pt = self.parties[slot as usize];
        let leg = self.p.routes[pt.route as usize].legs[pt.leg as usize];
        let mode = self.choose_mode(slot, leg);
        self.parties[slot as usize].mode = mode as u8;
        self.goto(slot, level::TRANSIT + mode);
        if self.p.modes[mode].departures_per_day > 0.0 {
            self.station[leg][mode].push_back(slot);
            self.station_persons[leg][mode] += u64::from(pt.size);
        } else {
            self.travel(slot, leg, mode, sched);
        }
    }

    /// Sets a party moving along `leg` by `mode` now: it reaches the end or is
    /// detected at a checkpoint on the way.
    fn travel(&mut self, slot: u32, leg: usize, mode: usize, sched: &mut Scheduler<BorderEvent>) {
        let pt = self.parties[slot as usize];
        let l = &self.p.legs[leg];
        let md = &self.p.modes[mode];
        let speed = self
            .rng_travel
            .random_range(md.km_per_day_min..=md.km_per_day_max);
        let days = l.km / speed;
        let pid = self.goto(slot, level::TRANSIT + mode);
        let p_leg = if self.p.origins[pt.origin as usize].mexican {
            0.0
        } else {
            self.leg_detection[leg][mode][usize::from(pt.papers)]
        };
        if self.rng_travel.random::<f64>() < p_leg {
            let at = days * self.rng_travel.random::<f64>();
            self.at(sched, at, pid, Step::Detained);
        } else {
            self.at(sched, days, pid, Step::LegDone);
        }
    }

    fn departure(&mut self, leg: usize, mode: usize, sched: &mut Scheduler<BorderEvent>) {
        let md = &self.p.modes[mode];
        if self.policy.suspended[mode] {
            // Riders waiting for a suspended service choose another mode.
            let waiting: Vec<u32> = self.station[leg][mode].drain(..).collect();
            self.station_persons[leg][mode] = 0;
            for slot in waiting {
                self.start_leg(slot, sched);
            }
        } else {
            let mut seats = md.seats;
            while seats > 0.0 {
                let Some(slot) = self.station[leg][mode].pop_front() else {
                    break;
                };
                let size = self.size(slot);
                self.station_persons[leg][mode] -= u64::from(size);
                seats -= f64::from(size);
                self.travel(slot, leg, mode, sched);
            }
        }
        let gap = 1.0 / md.departures_per_day;
        if Self::day_of(sched.now() + days_to_time(gap)) < self.days as usize {
            sched.schedule_in(
                days_to_time(gap).max(1),
                BorderEvent::Departure {
                    leg: leg as u16,
                    mode: mode as u8,
                },
            );
        }
    }

    fn leg_done(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let pt = &mut self.parties[slot as usize];
        pt.leg += 1;
        let route = &self.p.routes[pt.route as usize];
        if pt.leg as usize >= route.legs.len() {
            let city = route.city;
            self.arrive_city(slot, city, sched);
        } else {
            self.start_leg(slot, sched);
        }
    }

    // ------------------------------------------------------ Mexican detention

    fn detained(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        self.d_mx += u64::from(self.size(slot));
        let pid = self.goto(slot, level::DETAINED_MX);
        self.at(sched, self.p.mexico.detention_days, pid, Step::DetentionEnd);
    }

    fn detention_end(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let o = self.policy.outcomes;
        let u: f64 = self.rng_south.random();
        if u < o.relocate {
            let pid = self.goto(slot, level::DETAINED_MX);
            self.at(sched, self.p.mexico.relocation_days, pid, Step::Relocated);
        } else if u < o.relocate + o.papers {
            let pt = &mut self.parties[slot as usize];
            pt.papers = true;
            if pt.route == NONE16 {
                let place = self.p.hubs[pt.hub as usize].place;
                self.start_journey(slot, place, sched);
            } else {
                self.start_leg(slot, sched);
            }
        } else if u < o.relocate + o.papers + o.deport {
            self.finish(slot, outcome::RETURNED_BY_MEXICO);
        } else {
            self.finish(slot, outcome::SETTLED_IN_MEXICO);
        }
    }

    fn relocated(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let pt = &mut self.parties[slot as usize];
        pt.route = NONE16;
        let pid = self.goto(slot, level::WAITING_SOUTH);
        let rest = Self::exp(&mut self.rng_south, self.p.mexico.retry_rest_days);
        self.at(sched, rest, pid, Step::LeaveHub);
    }

    // ------------------------------------------------------------------ north

    fn arrive_city(&mut self, slot: u32, city: usize, sched: &mut Scheduler<BorderEvent>) {
        let pt = &mut self.parties[slot as usize];
        pt.city = city as u16;
        match pt.plan {
            PLAN_CBP_ONE => self.register(slot, sched),
            PLAN_WALK_UP => self.walk_up(slot, sched),
            _ => self.plan_crossing(slot, sched),
        }
    }

    fn register(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let port = self.p.cities[city].cbp_one_port;
        let pid = self.goto(slot, level::WAITING_NORTH);
        let pool = &mut self.pool;
        let pt = &mut self.parties[slot as usize];
        pt.port = port as u16;
        pt.pool_idx = pool.len() as u32;
        self.registered += u64::from(pt.size);
        pool.push(slot);
        let wait = Self::exp(&mut self.rng_north, self.p.cbp_one.patience_days_mean);
        self.at(sched, wait, pid, Step::Patience);
    }

    fn leave_pool(&mut self, slot: u32) {
        let pt = self.parties[slot as usize];
        if pt.pool_idx == NONE32 {
            return;
        }
        self.registered -= u64::from(pt.size);
        let pool = &mut self.pool;
        let i = pt.pool_idx as usize;
        pool.swap_remove(i);
        if i < pool.len() {
            let moved = pool[i];
            self.parties[moved as usize].pool_idx = i as u32;
        }
        self.parties[slot as usize].pool_idx = NONE32;
    }

    fn plan_crossing(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let pid = self.goto(slot, level::WAITING_NORTH);
        let wait = Self::exp(
            &mut self.rng_north,
            self.p.cities[city].crossing_delay_days * self.policy.crossing_delay,
        );
        self.at(sched, wait, pid, Step::Cross);
    }

    fn move_city(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let here = self.parties[slot as usize].city as usize;
        let n = self.p.cities.len();
        let next = if n > 1 {
            let k = self.rng_north.random_range(0..n - 1);
            if k >= here { k + 1 } else { k }
        } else {
            here
        };
        self.parties[slot as usize].city = next as u16;
        let pid = self.goto(slot, level::TRANSIT);
        self.at(sched, self.p.cbp_one.move_city_days, pid, Step::ReachCity);
    }

    /// A party whose port closed, or who has no open port, re-plans.
    fn replan(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        if self.rng_north.random::<f64>() < self.p.between_ports.replan_cross_share {
            self.plan_crossing(slot, sched);
        } else {
            self.move_city(slot, sched);
        }
    }

    fn patience(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        self.leave_pool(slot);
        if self.rng_north.random::<f64>() < self.p.cbp_one.patience_cross_share {
            self.plan_crossing(slot, sched);
        } else {
            self.move_city(slot, sched);
        }
    }

    /// The daily CBP One lottery. Registrants anywhere in the north are
    /// drawn at random; a winner gets the port it asked for while that port
    /// has slots left that day, otherwise the port with most slots left (and
    /// travels there). Closed ports give no slots, partly open ones fewer.
    fn cbp_one_draw(&mut self, sched: &mut Scheduler<BorderEvent>) {
        let slots = self.policy.cbp_one_slots;
        let mut quota: Vec<i64> = (0..self.p.ports.len())
            .map(|k| {
                let q = slots * self.p.ports[k].cbp_one_share * self.port_open(k);
                // Stochastic rounding keeps the mean exact.
                q.floor() as i64 + i64::from(self.rng_north.random::<f64>() < q.fract())
            })
            .collect();
        while !self.pool.is_empty() {
            let Some((best, &most)) = quota.iter().enumerate().max_by_key(|x| *x.1) else {
                break;
            };
            if most <= 0 {
                break;
            }
            let i = self.rng_north.random_range(0..self.pool.len());
            let slot = self.pool[i];
            self.leave_pool(slot);
            let asked = self.parties[slot as usize].port as usize;
            let k = if quota[asked] > 0 { asked } else { best };
            quota[k] -= i64::from(self.size(slot));
            let port = &self.p.ports[k];
            let pt = &mut self.parties[slot as usize];
            pt.port = k as u16;
            pt.city = port.city as u16;
            let pid = self.goto(slot, level::WAITING_NORTH);
            let port = &self.p.ports[k];
            let hour = port.opens_at_hour + self.rng_north.random::<f64>() * port.hours_per_day;
            let day_start = (sched.now() / DAY) * DAY;
            let lead = self.p.cbp_one.appointment_lead_days.ceil().max(1.0) as SimTime;
            let at = day_start + lead * DAY + (hour * HOUR as f64) as SimTime;
            let delay = (at - sched.now()) as f64 / DAY as f64;
            self.at(sched, delay, pid, Step::Appointment);
        }
        let next = sched.now() + DAY;
        if Self::day_of(next) < self.days as usize {
            sched.schedule_at(next, BorderEvent::CbpOneDraw);
        }
    }

    fn appointment(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let k = self.parties[slot as usize].port as usize;
        if self.port_open(k) > 0.0 {
            self.goto(slot, level::PORT_QUEUE);
            self.ports[k].appointments.push_back(slot);
            self.ports[k].queued += u64::from(self.size(slot));
            self.kick_port(k, sched);
        } else {
            // The appointment is cancelled: register again.
            self.register(slot, sched);
        }
    }

    fn walk_up(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        // The open port with the most capacity in the city.
        let best = self.p.cities[city]
            .ports
            .iter()
            .map(|&k| {
                let cap = self.p.ports[k].capacity_per_day() * self.ports[k].capacity_mult;
                (k, cap * self.port_open(k))
            })
            .filter(|x| x.1 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, cap)) = best else {
            self.replan(slot, sched);
            return;
        };
        let bp = &self.p.between_ports;
        if self.policy.title42 && self.rng_ports.random::<f64>() >= bp.title42_walkup_accept {
            // Turned back under Title 42.
            self.plan_crossing(slot, sched);
            return;
        }
        let expected = self.ports[k].queued as f64 / cap;
        let patience = Self::exp(&mut self.rng_ports, bp.walkup_patience_days_mean);
        if expected > patience {
            self.plan_crossing(slot, sched);
            return;
        }
        self.parties[slot as usize].port = k as u16;
        self.goto(slot, level::PORT_QUEUE);
        self.ports[k].walkups.push_back(slot);
        self.ports[k].queued += u64::from(self.size(slot));
        self.kick_port(k, sched);
    }

    // ------------------------------------------------------------------ ports

    fn kick_port(&mut self, k: usize, sched: &mut Scheduler<BorderEvent>) {
        if !self.ports[k].pending {
            self.port_serve(k, sched);
        }
    }

    /// Serves the next party at port `k` if it is open and within its hours;
    /// otherwise waits for the opening hour.
    fn port_serve(&mut self, k: usize, sched: &mut Scheduler<BorderEvent>) {
        self.ports[k].pending = false;
        let open = self.port_open(k);
        if open <= 0.0 || self.ports[k].queued == 0 {
            return;
        }
        let port = &self.p.ports[k];
        if port.lanes <= 0.0 || port.hours_per_day <= 0.0 {
            return;
        }
        let now = sched.now();
        let tod = (now % DAY) as f64 / HOUR as f64;
        let opens = port.opens_at_hour;
        let closes = opens + port.hours_per_day;
        if port.hours_per_day < 24.0 && (tod < opens || tod >= closes) {
            let day_start = (now / DAY) * DAY;
            let mut at = day_start + (opens * HOUR as f64) as SimTime;
            if at <= now {
                at += DAY;
            }
            self.ports[k].pending = true;
            sched.schedule_at(at, BorderEvent::PortServe(k as u16));
            return;
        }
        let slot = match self.ports[k].appointments.pop_front() {
            Some(s) => s,
            None => match self.ports[k].walkups.pop_front() {
                Some(s) => s,
                None => return,
            },
        };
        let size = self.size(slot);
        self.ports[k].queued -= u64::from(size);
        self.d_ofo += u64::from(size);
        self.ports[k].ofo_today += u64::from(size);
        self.finish(slot, outcome::ENTERED_PORT);
        let minutes = f64::from(size) * port.service_minutes
            / (port.lanes * open * self.ports[k].capacity_mult.max(1e-9));
        self.ports[k].pending = true;
        sched.schedule_in(
            ((minutes * 60.0).round() as SimTime).max(1),
            BorderEvent::PortServe(k as u16),
        );
    }

    /// Empties a port that just closed: its queue re-plans.
    fn drain_port(&mut self, k: usize, sched: &mut Scheduler<BorderEvent>) {
        let mut out: Vec<u32> = self.ports[k].appointments.drain(..).collect();
        out.extend(self.ports[k].walkups.drain(..));
        self.ports[k].queued = 0;
        for slot in out {
            self.replan(slot, sched);
        }
    }

    // ---------------------------------------------------------- between ports

    fn cross(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let s = self.p.cities[city].sector;
        let sector = &self.p.sectors[s];
        // Officers of closed ports in the sector's cities reinforce it.
        let closed: f64 = self
            .p
            .cities
            .iter()
            .filter(|c| c.sector == s)
            .flat_map(|c| c.ports.iter())
            .map(|&k| 1.0 - self.port_open(k))
            .sum();
        let p_app =
            (sector.apprehension_prob + sector.officers_boost_per_closed_port * closed).min(1.0);
        let size = u64::from(self.size(slot));
        if self.rng_border.random::<f64>() < p_app {
            self.d_usbp += size;
            self.d_usbp_sector[s] += size;
            self.sector_today[s] += size;
            let occupancy = self.custody[s] as f64;
            let full = occupancy + size as f64 > sector.custody_capacity;
            if full && self.p.between_ports.custody_when_full == WhenFull::Release {
                self.after_custody(slot, sched);
                return;
            }
            let slow = if full {
                (occupancy + size as f64) / sector.custody_capacity.max(1.0)
            } else {
                1.0
            };
            self.custody[s] += size;
            let pid = self.goto(slot, level::CUSTODY);
            self.at(
                sched,
                sector.processing_hours / 24.0 * slow,
                pid,
                Step::CustodyRelease,
            );
        } else {
            self.d_gotaways += size;
            self.finish(slot, outcome::GOT_AWAY);
        }
    }

    fn custody_release(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let s = self.p.cities[city].sector;
        self.custody[s] -= u64::from(self.size(slot));
        self.after_custody(slot, sched);
    }

    /// After processing: expelled or removed to Mexico (and maybe retry), or
    /// the final outcome "apprehended".
    fn after_custody(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let origin = &self.p.origins[self.parties[slot as usize].origin as usize];
        let bp = &self.p.between_ports;
        let (returned, retry) = if self.policy.title42 {
            (origin.expelled_under_title42, bp.retry_after_expulsion)
        } else {
            (origin.removed_under_title8, bp.retry_after_removal)
        };
        if self.rng_border.random::<f64>() < returned * retry {
            let pid = self.goto(slot, level::WAITING_NORTH);
            let wait = Self::exp(&mut self.rng_border, bp.retry_delay_days);
            self.at(sched, wait, pid, Step::Cross);
        } else {
            self.finish(slot, outcome::APPREHENDED);
        }
    }

    // --------------------------------------------------------------- caravans

    fn check_caravan_triggers(&mut self, h: usize, sched: &mut Scheduler<BorderEvent>) {
        for (c, cv) in self.p.caravans.iter().enumerate() {
            if let Some(t) = cv.trigger_waiting_above
                && cv.hub == h
                && !self.caravans[c].started
                && self.hub_queue_persons[h] as f64 > t
            {
                self.caravans[c].started = true;
                sched.schedule_in(0, BorderEvent::CaravanStart(c as u16));
            }
        }
    }

    fn caravan_start(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
        let cv = &self.p.caravans[c];
        let h = cv.hub;
        self.caravans[c].started = true;
        self.caravans[c].active = true;
        let mut persons = 0u64;
        while (persons as f64) < cv.target_size {
            let Some(slot) = self.hub_queue[h].pop_back() else {
                break;
            };
            let size = u64::from(self.size(slot));
            self.hub_queue_persons[h] -= size;
            persons += size;
            self.goto(slot, level::CARAVAN);
            self.parties[slot as usize].caravan = c as u16;
            self.caravans[c].members.push(slot);
        }
        self.caravans[c].persons = persons;
        self.caravan_day(c, sched);
    }

    fn caravan_day(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
        let cv = &self.p.caravans[c];
        let today = Self::day_of(sched.now()) as i64;
        let st = &mut self.caravans[c];
        if !st.active {
            return;
        }
        let dissolve = cv.dissolve_day.is_some_and(|d| today >= d)
            || cv.dissolve_after_days.is_some_and(|n| st.days >= n)
            || cv.dissolve_at_km.is_some_and(|km| st.km >= km)
            || st.members.is_empty();
        if dissolve {
            self.dissolve(c, sched);
            return;
        }
        st.days += 1;
        if !st.halted && self.rng_caravans.random::<f64>() < cv.walk_day_share {
            st.km += self
                .rng_caravans
                .random_range(cv.walk_km_min..=cv.walk_km_max);
            if let Some(h) = cv.halt_at_km
                && st.km >= h
            {
                st.km = h;
                st.halted = true;
            }
        }
        // Members leave (shedding) or are detected, each independently.
        let p_det = Self::scaled(
            self.p.legs.first().map_or(0.0, |l| l.checkpoint_detection),
            cv.detection_factor * self.enforcement(Region::South),
        );
        let members = std::mem::take(&mut self.caravans[c].members);
        let mut kept = Vec::with_capacity(members.len());
        for slot in members {
            let u: f64 = self.rng_caravans.random();
            if u < cv.shed_share_per_day {
                self.leave_caravan(slot);
                self.go_on_alone(slot, sched);
            } else if u < cv.shed_share_per_day + p_det {
                self.leave_caravan(slot);
                self.detained(slot, sched);
            } else {
                kept.push(slot);
            }
        }
        self.caravans[c].members = kept;
        sched.schedule_in(DAY, BorderEvent::CaravanDay(c as u16));
    }

    fn leave_caravan(&mut self, slot: u32) {
        let c = self.parties[slot as usize].caravan as usize;
        self.caravans[c].persons -= u64::from(self.size(slot));
        self.parties[slot as usize].caravan = NONE16;
    }

    /// A former caravan member sets off north as an ordinary party from the hub.
    fn go_on_alone(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let h = self.parties[slot as usize].hub as usize;
        self.parties[slot as usize].route = NONE16;
        let place = self.p.hubs[h].place;
        self.start_journey(slot, place, sched);
    }

    fn dissolve(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
        let share = self.p.caravans[c].papers_bus_south_share;
        self.caravans[c].active = false;
        let members = std::mem::take(&mut self.caravans[c].members);
        for slot in members {
            self.leave_caravan(slot);
            if self.rng_caravans.random::<f64>() < share {
                // Papers and a bus back south; they set off again from the hub.
                self.parties[slot as usize].papers = true;
                let pid = self.goto(slot, level::WAITING_SOUTH);
                let h = self.parties[slot as usize].hub as usize;
                let rest = Self::exp(&mut self.rng_caravans, self.p.hubs[h].rest_days_mean);
                self.at(
                    sched,
                    rest + self.p.mexico.relocation_days,
                    pid,
                    Step::LeaveHub,
                );
            } else {
                self.go_on_alone(slot, sched);
            }
        }
        self.caravans[c].km = 0.0;
    }

    // --------------------------------------------------------------- policies

    /// Recomputes the policy state for `today` from the interventions in force
    /// and applies the consequences (ports that close empty their queues).
    fn apply_policies(&mut self, today: i64, sched: &mut Scheduler<BorderEvent>) {
        let mut pol = Policy {
            title42: false,
            cbp_one_slots: 0.0,
            enforcement: [1.0; 2],
            suspended: [false; 4],
            outcomes: self.p.mexico.outcomes,
            crossing_delay: 1.0,
        };
        let mut slot_mult = 1.0;
        let mut fractions = vec![1.0; self.p.ports.len()];
        let mut mults = vec![1.0; self.p.ports.len()];
        for iv in &self.p.interventions {
            if !(iv.from_day..iv.until_day).contains(&today) {
                continue;
            }
            match iv.action {
                Action::Title42 => pol.title42 = true,
                Action::CbpOneSlots(s) => pol.cbp_one_slots = s,
                Action::CbpOneMultiplier(x) => slot_mult *= x,
                Action::PortState { port, fraction } => match port {
                    Some(k) => fractions[k] = fraction,
                    None => fractions.iter_mut().for_each(|f| *f = fraction),
                },
                Action::PortCapacity { port, multiplier } => match port {
                    Some(k) => mults[k] *= multiplier,
                    None => mults.iter_mut().for_each(|m| *m *= multiplier),
                },
                Action::MexicoEnforcement { region, multiplier } => match region {
                    Some(Region::South) => pol.enforcement[0] *= multiplier,
                    Some(Region::Transit) => pol.enforcement[1] *= multiplier,
                    None => pol.enforcement.iter_mut().for_each(|e| *e *= multiplier),
                },
                Action::ModeSuspension(m) => pol.suspended[m] = true,
                Action::DetentionOutcomes(o) => pol.outcomes = o,
                Action::CrossingDelay(x) => pol.crossing_delay *= x,
                Action::ArrivalSurge { .. } => {}
            }
        }
        pol.cbp_one_slots *= slot_mult;
        self.policy = pol;
        for (leg, l) in self.p.legs.iter().enumerate() {
            let enforcement = self.enforcement(l.region);
            for (mode, md) in self.p.modes.iter().enumerate() {
                for papers in 0..2 {
                    let mut factor = md.detection_factor * enforcement;
                    if papers == 1 {
                        factor *= self.p.mexico.papers_detection_factor;
                    }
                    let p_cp = Self::scaled(l.checkpoint_detection, factor);
                    self.leg_detection[leg][mode][papers] =
                        1.0 - (1.0 - p_cp).powi(l.checkpoints as i32);
                }
            }
        }
        for (c, crossing) in self.p.crossings.iter().enumerate() {
            self.crossing_detection[c] =
                Self::scaled(crossing.detection_prob, self.enforcement(Region::South));
        }
        for (k, f) in fractions.into_iter().enumerate() {
            let was = self.port_open(k);
            self.ports[k].scheduled = f;
            self.ports[k].capacity_mult = mults[k];
            self.port_changed(k, was, sched);
        }
        self.update_route_weights(today.max(0) as usize);
    }

    fn port_changed(&mut self, k: usize, was: f64, sched: &mut Scheduler<BorderEvent>) {
        let now = self.port_open(k);
        if was > 0.0 && now <= 0.0 {
            self.drain_port(k, sched);
        } else if now > 0.0 {
            self.kick_port(k, sched);
        }
    }

    /// Midnight: roll the sectors' daily apprehensions and open or close
    /// ports with a pressure trigger.
    fn pressure_check(&mut self, sched: &mut Scheduler<BorderEvent>) {
        for s in 0..self.p.sectors.len() {
            let h = &mut self.sector_history[s];
            h.push_back(self.sector_today[s]);
            if h.len() > 7 {
                h.pop_front();
            }
            self.sector_today[s] = 0;
        }
        for k in 0..self.p.ports.len() {
            let Some(t) = self.p.ports[k].trigger else {
                continue;
            };
            let s = self.p.cities[self.p.ports[k].city].sector;
            let h = &self.sector_history[s];
            let mean = h.iter().sum::<u64>() as f64 / h.len().max(1) as f64;
            let was = self.port_open(k);
            let st = &mut self.ports[k];
            if !st.triggered_closed && mean > t.close_above_per_day {
                st.triggered_closed = true;
                st.calm_days = 0;
            } else if st.triggered_closed {
                if mean < t.reopen_below_per_day {
                    st.calm_days += 1;
                } else {
                    st.calm_days = 0;
                }
                if st.calm_days >= t.reopen_after_days {
                    st.triggered_closed = false;
                }
            }
            self.port_changed(k, was, sched);
        }
        let next = sched.now() + DAY;
        if Self::day_of(next) < self.days as usize {
            sched.schedule_at(next, BorderEvent::PressureCheck);
        }
    }
}

/// Column layout of the daily metrics (see [`super::experiment`]).
pub(crate) struct Columns {
    pub ports: usize,
    pub sectors: usize,
    pub caravans: usize,
}

/// Fixed metric names before the per-place ones, in column order.
pub const FIXED_METRICS: &[&str] = &[
    "arrivals",
    "mx_detections",
    "usbp_apprehensions",
    "ofo_encounters",
    "gotaways",
    "in_transit",
    "waiting_south",
    "waiting_north",
    "port_queue",
    "caravan_size",
    "in_transit:bus",
    "in_transit:truck",
    "in_transit:train",
    "in_transit:foot",
    "detained_mexico",
    "in_custody",
    "in_system",
    "arrivals_cumulative",
    "outcome:entered_port",
    "outcome:apprehended",
    "outcome:got_away",
    "outcome:returned_by_mexico",
    "outcome:settled_in_mexico",
    "conservation_error",
    "cbp_one_slots",
    "cbp_one_registered",
];

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
        if self.days > 1 {
            sched.schedule_at(DAY, BorderEvent::PressureCheck);
            sched.schedule_at(DAY, BorderEvent::Midnight);
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
            BorderEvent::Midnight => self.release_bucket(sched),
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

impl Columns {
    /// Number of columns.
    pub fn len(&self) -> usize {
        FIXED_METRICS.len() + 3 * self.ports + self.sectors + 2 * self.caravans
    }
}

/// Metric names in column order.
pub(crate) fn metric_names(p: &BorderParams) -> Vec<String> {
    let mut names: Vec<String> = FIXED_METRICS.iter().map(|s| s.to_string()).collect();
    for port in &p.ports {
        names.push(format!("ofo_encounters:{}", port.name));
        names.push(format!("port_queue:{}", port.name));
        names.push(format!("port_open:{}", port.name));
    }
    for s in &p.sectors {
        names.push(format!("usbp_apprehensions:{}", s.name));
    }
    for c in &p.caravans {
        names.push(format!("caravan_size:{}", c.name));
        names.push(format!("caravan_km:{}", c.name));
    }
    names
}
