//! Ports of entry: appointment and walk-up queues served by lanes within
//! opening hours; scheduled and pressure-triggered closures.

use std::collections::VecDeque;

use rand::RngExt;

use super::context::{Ctx, exp};
use super::daily::{self, ByOrigin, Daily, Row};
use super::policy::Policy;
use super::pressure::Hysteresis;
use super::{BorderEvent, level, outcome};
use crate::border::params::{BorderParams, OriginGroups};
use crate::engine::{DAY, HOUR, Scheduler, SimTime};
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::Stream;

/// A port of entry's live state.
#[derive(Debug)]
struct PortState {
    /// Parties with a CBP One appointment, in arrival order.
    appointments: VecDeque<u32>,
    /// Parties without one, in arrival order (served after appointments).
    walkups: VecDeque<u32>,
    /// People in both queues [persons].
    queued: u64,
    /// A `PortServe` is pending (at most one at a time).
    pending: bool,
    /// Scheduled capacity fraction from interventions [0–1].
    scheduled: f64,
    /// Capacity multiplier from interventions (officers added) [×].
    capacity_mult: f64,
    /// Closed by the pressure trigger (with its days of calm).
    triggered: Hysteresis,
    /// People processed today [persons].
    ofo_today: u64,
    /// People served while the port was closed: must stay 0 (invariant).
    served_while_closed: u64,
}

/// What became of a party that walked up to a port.
pub(super) enum WalkUp {
    /// It joined the walk-up queue.
    Queued,
    /// Its city has no open port: it re-plans.
    NoOpenPort,
    /// Turned back under Title 42 or put off by the queue: it crosses
    /// between ports instead.
    CrossInstead,
}

/// The ports of entry and the walk-up decisions in front of them.
pub(super) struct Ports {
    /// Each port of the scenario, in its order.
    ports: Vec<PortState>,
    /// People processed today by origin group [persons].
    by_origin: ByOrigin,
    /// Title 42 in force: walk-ups are mostly turned back.
    title42: bool,
    /// Walk-up decisions.
    rng: Stream,
}

impl Ports {
    /// Open ports with empty queues.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        let port = || PortState {
            appointments: VecDeque::new(),
            walkups: VecDeque::new(),
            queued: 0,
            pending: false,
            scheduled: 1.0,
            capacity_mult: 1.0,
            triggered: Hysteresis::default(),
            ofo_today: 0,
            served_while_closed: 0,
        };
        Self {
            ports: (0..p.ports.len()).map(|_| port()).collect(),
            by_origin: ByOrigin::new(p),
            title42: false,
            rng,
        }
    }

    /// Takes Title 42 from the policy in force (the ports' schedules are
    /// set one by one with [`Ports::set_schedule`]).
    pub(super) fn apply_policy(&mut self, policy: &Policy) {
        self.title42 = policy.title42;
    }

    /// Sets port `k`'s scheduled open fraction [0–1] and capacity
    /// multiplier [×].
    pub(super) fn set_schedule(&mut self, k: usize, open: f64, capacity: f64) {
        self.ports[k].scheduled = open;
        self.ports[k].capacity_mult = capacity;
    }

    /// Open fraction of port `k` now [0–1].
    pub(super) fn port_open(&self, k: usize) -> f64 {
        if self.ports[k].triggered.on {
            0.0
        } else {
            self.ports[k].scheduled
        }
    }

    /// Mean open fraction of the ports of city `c` [0–1] (1 for a city without
    /// ports).
    pub(super) fn city_open(&self, p: &BorderParams, c: usize) -> f64 {
        let city = &p.cities[c];
        if city.ports.is_empty() {
            return 1.0;
        }
        city.ports.iter().map(|&k| self.port_open(k)).sum::<f64>() / city.ports.len() as f64
    }

    /// Updates port `k`'s pressure trigger, if it has one, with the mean
    /// daily apprehensions in its sector over the last week [persons/day].
    pub(super) fn update_trigger(&mut self, p: &BorderParams, k: usize, mean: f64) {
        let Some(t) = p.ports[k].trigger else {
            return;
        };
        self.ports[k].triggered.update(
            mean,
            t.close_above_per_day,
            t.reopen_below_per_day,
            t.reopen_after_days,
        );
    }

    /// Starts service at port `k` if no service event is pending.
    pub(super) fn kick(&mut self, ctx: &mut Ctx<'_>, sched: &mut Scheduler<BorderEvent>, k: usize) {
        if !self.ports[k].pending {
            self.serve(ctx, sched, k);
        }
    }

    /// Serves the next party at port `k` if it is open and within its hours;
    /// otherwise waits for the opening hour.
    pub(super) fn serve(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        k: usize,
    ) {
        self.ports[k].pending = false;
        let open = self.port_open(k);
        if open <= 0.0 || self.ports[k].queued == 0 {
            return;
        }
        let port = &ctx.p.ports[k];
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
        let st = &mut self.ports[k];
        let slot = match st.appointments.pop_front() {
            Some(s) => s,
            None => match st.walkups.pop_front() {
                Some(s) => s,
                None => return,
            },
        };
        let size = ctx.parties.size(slot);
        if self.port_open(k) <= 0.0 {
            self.ports[k].served_while_closed += u64::from(size);
        }
        let st = &mut self.ports[k];
        st.queued -= u64::from(size);
        ctx.today.ofo += u64::from(size);
        ctx.today.family_encounter(u64::from(size));
        st.ofo_today += u64::from(size);
        self.by_origin
            .add(ctx.parties[slot].origin, u64::from(size));
        ctx.parties.finish(slot, outcome::ENTERED_PORT);
        let minutes = f64::from(size) * port.service_minutes
            / (port.lanes * open * st.capacity_mult.max(1e-9));
        st.pending = true;
        sched.schedule_in(
            ((minutes * 60.0).round() as SimTime).max(1),
            BorderEvent::PortServe(k as u16),
        );
    }

    /// Empties port `k`, which just closed, and returns its queue (appointments
    /// first) to re-plan.
    pub(super) fn drain(&mut self, k: usize) -> Vec<u32> {
        let mut out: Vec<u32> = self.ports[k].appointments.drain(..).collect();
        out.extend(self.ports[k].walkups.drain(..));
        self.ports[k].queued = 0;
        out
    }

    /// A CBP One winner shows up at its port and joins the appointment
    /// queue; false if the port is closed (the appointment is cancelled).
    pub(super) fn appointment(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) -> bool {
        let k = ctx.parties[slot].port as usize;
        if self.port_open(k) <= 0.0 {
            return false;
        }
        ctx.parties.goto(slot, level::PORT_QUEUE);
        self.ports[k].appointments.push_back(slot);
        self.ports[k].queued += u64::from(ctx.parties.size(slot));
        self.kick(ctx, sched, k);
        true
    }

    /// A party walks up to the best open port of its city, unless turned back
    /// under Title 42 or put off by the queue.
    pub(super) fn walk_up(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) -> WalkUp {
        let p = ctx.p;
        let city = ctx.parties[slot].city as usize;
        // The open port with the most capacity in the city.
        let best = p.cities[city]
            .ports
            .iter()
            .map(|&k| {
                let cap = p.ports[k].capacity_per_day() * self.ports[k].capacity_mult;
                (k, cap * self.port_open(k))
            })
            .filter(|x| x.1 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let Some((k, cap)) = best else {
            return WalkUp::NoOpenPort;
        };
        let bp = &p.between_ports;
        if self.title42 && self.rng.random::<f64>() >= bp.title42_walkup_accept {
            return WalkUp::CrossInstead;
        }
        let expected = self.ports[k].queued as f64 / cap;
        let patience = exp(&mut self.rng, bp.walkup_patience_days_mean);
        if expected > patience {
            return WalkUp::CrossInstead;
        }
        ctx.parties[slot].port = k as u16;
        ctx.parties.goto(slot, level::PORT_QUEUE);
        self.ports[k].walkups.push_back(slot);
        self.ports[k].queued += u64::from(ctx.parties.size(slot));
        self.kick(ctx, sched, k);
        WalkUp::Queued
    }

    /// Per-port daily metrics.
    fn daily() -> [Daily<Ports>; 3] {
        use MetricKind::{Count, Level};
        [
            Daily::new(
                "ofo_encounters",
                Unit::Persons,
                Count,
                "OFO encounters at ports",
                |s, k| s.ports[k].ofo_today as f64,
            ),
            Daily::new(
                "port_queue",
                Unit::Persons,
                Level,
                "Queued at ports",
                |s, k| s.ports[k].queued as f64,
            ),
            Daily::new("port_open", Unit::Flag, Level, "Port open", |s, k| {
                s.port_open(k)
            }),
        ]
    }

    /// Per-origin-group daily metrics.
    fn daily_by_origin() -> [Daily<Ports>; 1] {
        [Daily::new(
            "ofo_encounters",
            Unit::Persons,
            MetricKind::Count,
            "OFO encounters at ports",
            |s, g| s.by_origin.get(g),
        )]
    }

    /// People processed on the day just ended (by [`Ports::end_of_day`])
    /// in origin group `g` [persons].
    pub(super) fn ofo_of_group(&self, g: usize) -> f64 {
        self.by_origin.closed(g)
    }

    /// Declared metrics, port by port, then origin group by origin group.
    pub(super) fn metrics(p: &BorderParams) -> Vec<MetricSpec> {
        let mut specs = daily::per_place(&Self::daily(), p.ports.iter().map(|x| x.name.as_str()));
        let groups = OriginGroups::of(&p.origins);
        specs.extend(daily::per_origin(
            &Self::daily_by_origin(),
            groups.names.iter().map(String::as_str),
        ));
        specs
    }

    /// Writes the day's metrics and starts a new day's counts.
    pub(super) fn end_of_day(&mut self, row: &mut Row<'_>) {
        row.per_place(self, self.ports.len(), &Self::daily());
        row.per_origin(self, self.by_origin.len(), &Self::daily_by_origin());
        for st in &mut self.ports {
            st.ofo_today = 0;
        }
        self.by_origin.close_day();
    }

    /// No queue impossibly long (a counter wrapped below zero) and no one
    /// served while closed.
    pub(super) fn check(&self, p: &BorderParams, arrived: u64, violations: &mut Vec<String>) {
        for (k, port) in self.ports.iter().enumerate() {
            let name = &p.ports[k].name;
            if port.queued > arrived {
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
    }
}
