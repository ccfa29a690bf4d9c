//! The border model: its events, the mechanisms that own its state, and the
//! replication that runs them.
//!
//! ```text
//!  origins ──(arrivals)──> river crossing ──(hubs)──> southern hub: papers, rest
//!                                                          │
//!  detention by Mexico <── checkpoints, caravans ── transit across Mexico
//!        (detention)            (transit, caravans)        │
//!                                                          v
//!                                  northern city (north: CBP One, plans)
//!                                     │                          │
//!                        port of entry (ports)        between ports (sectors)
//!
//!  policy: the interventions in force, handed to each mechanism when one
//!  starts or ends; pressure-triggered port closures
//! ```
//!
//! Each mechanism is a struct in its own file that owns its state, its
//! random stream and the daily metrics it declares. What they share is the
//! party slab with its ledger and a small context (`context::Ctx`: the
//! parameters, the hourly timers, the day's national counters), passed to
//! each call explicitly. A step that ends in another mechanism hands the
//! party on in `flow`; mechanisms that always hand on to the same one take
//! it as an argument. Dispatch is static throughout, and each mechanism keeps
//! its state as vectors indexed by place.
//!
//! Random streams, one per mechanism, so a draw added to one does not shift
//! another's common random numbers: `arrivals`, `hubs`, `detention`,
//! `travel` (transit), `caravans`, `north`, `ports`, `border` (sectors) and
//! `stock`.

mod arrivals;
mod caravans;
mod context;
mod daily;
mod detention;
mod flow;
mod hubs;
mod north;
mod parties;
mod policy;
mod ports;
mod pressure;
mod sectors;
mod stock;
mod transit;

use arrivals::Arrivals;
use caravans::Caravans;
use context::{BUCKET, Ctx};
use daily::Row;
use detention::Detention;
use hubs::Hubs;
use north::North;
use ports::Ports;
use sectors::Sectors;
use stock::Stock;
use transit::Transit;

pub use parties::Pid;

use super::params::BorderParams;
use crate::engine::{DAY, Event, Model, Scheduler, SimTime};
use crate::metrics::MetricSpec;
use crate::rng::stream;

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
    /// Waiting in central Mexico on the way north (the central stock).
    pub const WAITING_CENTRAL: usize = 10;
    /// Number of levels.
    pub const N: usize = 11;
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
    /// Leaves the stock in central Mexico for the rest of its route.
    LeaveStock,
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

/// One replication of the border model.
pub struct BorderModel<'p> {
    /// What the mechanisms share.
    ctx: Ctx<'p>,
    /// Parties arriving by origin group.
    arrivals: Arrivals,
    /// The river crossings and the papers offices of the southern hubs.
    hubs: Hubs,
    /// Detention by Mexico.
    detention: Detention,
    /// Routes, modes, stations and checkpoints across Mexico.
    transit: Transit,
    /// Caravans from the hubs.
    caravans: Caravans,
    /// The northern cities and CBP One.
    north: North,
    /// Ports of entry.
    ports: Ports,
    /// Border Patrol sectors between ports.
    sectors: Sectors,
    /// The people waiting in central Mexico.
    stock: Stock,
}

impl<'p> BorderModel<'p> {
    /// A fresh model of `days` days [d] for replication `replication` under
    /// `seed`.
    pub fn new(p: &'p BorderParams, days: u32, seed: u64, replication: u64) -> Self {
        let s = |name| stream(seed, replication, name);
        Self {
            ctx: Ctx::new(p, days),
            arrivals: Arrivals::new(p, days, s("arrivals")),
            hubs: Hubs::new(p, s("hubs")),
            detention: Detention::new(p, s("detention")),
            transit: Transit::new(p, s("travel")),
            caravans: Caravans::new(p, s("caravans")),
            north: North::new(p, s("north")),
            ports: Ports::new(p, s("ports")),
            sectors: Sectors::new(p, s("border")),
            stock: Stock::new(s("stock")),
        }
    }

    /// People in the system now [persons].
    pub fn in_system(&self) -> u64 {
        self.ctx.parties.in_system()
    }

    /// Arrivals minus (in system + final outcomes): zero when nothing is lost.
    pub fn conservation_error(&self) -> i64 {
        self.ctx.parties.conservation_error()
    }
}

impl Model for BorderModel<'_> {
    type Event = BorderEvent;

    fn start(&mut self, sched: &mut Scheduler<BorderEvent>) {
        let p = self.ctx.p;
        self.apply_policies(0, sched);
        self.learn_prospects(true);
        for iv in &p.interventions {
            for day in [iv.from_day, iv.until_day] {
                if day > 0 && day < i64::from(self.ctx.days) {
                    sched.schedule_at(day * DAY, BorderEvent::Policy);
                }
            }
        }
        for o in 0..p.origins.len() {
            self.arrivals.schedule_next(&self.ctx, o as u16, 0, sched);
        }
        self.transit.start(p, sched);
        self.north.start(p, sched);
        sched.schedule_at(BUCKET, BorderEvent::BucketTick);
        if self.ctx.days > 1 {
            sched.schedule_at(DAY, BorderEvent::PressureCheck);
        }
        self.caravans.start(&self.ctx, sched);
    }

    fn handle(&mut self, event: BorderEvent, sched: &mut Scheduler<BorderEvent>) {
        let ctx = &mut self.ctx;
        match event {
            BorderEvent::Policy => self.apply_policies(sched.now() / DAY, sched),
            BorderEvent::BucketTick => ctx.release_bucket(sched),
            BorderEvent::PressureCheck => self.pressure_check(sched),
            BorderEvent::CbpOneDraw => self.north.cbp_one_draw(ctx, sched, &self.ports),
            BorderEvent::PortServe(k) => self.ports.serve(ctx, sched, k as usize),
            BorderEvent::Departure { leg, mode } => {
                self.transit
                    .departure(ctx, sched, leg as usize, mode as usize)
            }
            BorderEvent::PapersDone(h, pid) => {
                self.hubs
                    .papers_done(ctx, sched, h as usize, pid, &mut self.transit)
            }
            BorderEvent::CaravanStart(c) => self.caravan_start(c as usize, sched),
            BorderEvent::CaravanDay(c) => self.caravan_day(c as usize, sched),
            BorderEvent::Arrival(o) => self.arrival(o, sched),
            BorderEvent::Party(pid, step) => {
                if ctx.parties.is_current(pid) {
                    self.party(pid.slot, step, sched);
                }
                // Otherwise overtaken by a later change: dropped.
            }
        }
    }

    /// A party event coming due: its slot is read first thing (the
    /// generation check), so start loading it now.
    #[inline]
    fn prefetch(&self, event: &BorderEvent) {
        if let BorderEvent::Party(pid, _) = event {
            self.ctx.parties.prefetch(pid.slot);
        }
    }

    /// Conservation of people; no counter wrapped below zero (every level and
    /// queue at most everyone who ever arrived); no port served anyone while
    /// closed; custody within capacity when full custody releases people.
    fn check_invariants(&self, _now: SimTime, violations: &mut Vec<String>) {
        let parties = &self.ctx.parties;
        let err = parties.conservation_error();
        if err != 0 {
            violations.push(format!(
                "conservation: {} arrived, {} in the system, {} in final outcomes (off by {err})",
                parties.arrived,
                parties.in_system(),
                parties.outcome.iter().sum::<u64>()
            ));
        }
        if let Some(l) = parties.level.iter().position(|&n| n > parties.arrived) {
            violations.push(format!(
                "level {l} holds {} people, more than ever arrived",
                parties.level[l]
            ));
        }
        let p = self.ctx.p;
        self.ports.check(p, parties.arrived, violations);
        self.sectors.check(p, violations);
    }

    /// Each mechanism writes the metrics it declared, in the order of
    /// `metric_specs`, and starts its new day.
    fn end_of_day(&mut self, day: u32, _now: SimTime, row: &mut [f64]) {
        debug_assert_eq!(
            self.conservation_error(),
            0,
            "conservation broken on day {day}"
        );
        let mut row = Row::new(row);
        self.ctx.end_of_day(&mut row);
        self.north.end_of_day(&mut row);
        self.ports.end_of_day(&mut row);
        self.sectors.end_of_day(&mut row, &self.ports);
        self.detention.end_of_day(&mut row);
        self.caravans.end_of_day(&mut row);
        self.stock.end_of_day(&self.ctx, &mut row);
        assert_eq!(
            row.filled(),
            row.width(),
            "metrics declared but not written"
        );
        self.transit.record_news(self.ctx.p, &self.ports);
    }
}

/// The daily metrics in column order: each mechanism's declarations, in the
/// order `end_of_day` writes them.
pub(crate) fn metric_specs(p: &BorderParams) -> Vec<MetricSpec> {
    let mut specs = daily::national(&context::national_metrics());
    specs.extend(North::metrics());
    specs.extend(Ports::metrics(p));
    specs.extend(Sectors::metrics(p));
    specs.extend(Detention::metrics(p));
    specs.extend(Caravans::metrics(p));
    specs.extend(Stock::metrics(p));
    specs
}
