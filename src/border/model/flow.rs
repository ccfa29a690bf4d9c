//! The hand-offs between mechanisms: a party's step that ends in another
//! mechanism, and the policy changes that reach several.

use super::caravans::Onward;
use super::parties::{PLAN_CBP_ONE, PLAN_WALK_UP};
use super::policy::Policy;
use super::ports::WalkUp;
use super::transit::LegEnd;
use super::{BorderEvent, BorderModel, Step};
use crate::border::params::HomeDepartures;
use crate::engine::{DAY, Scheduler};

impl BorderModel<'_> {
    /// Something happens to the party in `slot` (its event is current).
    pub(super) fn party(&mut self, slot: u32, step: Step, sched: &mut Scheduler<BorderEvent>) {
        let ctx = &mut self.ctx;
        match step {
            Step::ReachHub => {
                if let Some(h) = self.hubs.reach_hub(ctx, sched, slot) {
                    self.caravans.check_triggers(ctx, sched, h, &self.hubs);
                }
            }
            Step::LeaveHub => {
                let place = ctx.p.hubs[ctx.parties[slot].hub as usize].place;
                self.transit.start_journey(ctx, sched, slot, place)
            }
            Step::LegDone => match self.transit.leg_done(ctx, slot) {
                LegEnd::City(city) => self.arrive_city(slot, city, sched),
                LegEnd::Through(leg) => {
                    if !self.stock.stops(ctx, slot, leg) {
                        self.transit.start_leg(ctx, sched, slot)
                    }
                }
            },
            Step::LeaveStock => {
                self.stock.leave(ctx, slot);
                self.transit.start_leg(ctx, sched, slot)
            }
            Step::Detained => {
                // Detected while registered for CBP One (containment in the
                // north): off the lottery first.
                self.north.leave_pool(ctx, slot);
                self.detention.detained(ctx, sched, slot)
            }
            Step::DetentionEnd => self
                .detention
                .detention_end(ctx, sched, slot, &mut self.transit),
            Step::Relocated => self.detention.relocated(ctx, sched, slot),
            Step::ReachCity => {
                let city = ctx.parties[slot].city as usize;
                self.arrive_city(slot, city, sched)
            }
            Step::Cross => {
                if self.north.goes_on(ctx, sched, slot) {
                    self.sectors.cross(ctx, sched, slot, &self.ports)
                }
            }
            Step::Patience => self.north.patience(ctx, sched, slot),
            Step::Appointment => {
                if !self.ports.appointment(ctx, sched, slot) {
                    // The port is closed and the appointment cancelled:
                    // register again.
                    self.north.register(ctx, sched, slot);
                }
            }
            Step::CustodyRelease => self.sectors.custody_release(ctx, sched, slot),
        }
    }

    /// A party of origin `o` arrives, crosses the river towards its hub or
    /// sets off from its start place, and the next one is scheduled.
    pub(super) fn arrival(&mut self, o: u16, sched: &mut Scheduler<BorderEvent>) {
        let ctx = &mut self.ctx;
        let slot = self.arrivals.arrive(ctx, o);
        let origin = &ctx.p.origins[o as usize];
        if let Some(c) = origin.crossing {
            self.hubs.cross_river(ctx, sched, slot, c);
        } else {
            let place = origin.start_place.unwrap_or(0);
            self.transit.start_journey(ctx, sched, slot, place);
        }
        self.arrivals.schedule_next(ctx, o, sched.now() + 1, sched);
    }

    /// A party reaches northern city `city` and follows its plan: CBP One,
    /// walk-up or a crossing between ports.
    fn arrive_city(&mut self, slot: u32, city: usize, sched: &mut Scheduler<BorderEvent>) {
        let ctx = &mut self.ctx;
        ctx.parties[slot].city = city as u16;
        match ctx.parties[slot].plan {
            PLAN_CBP_ONE => self.north.register(ctx, sched, slot),
            PLAN_WALK_UP => match self.ports.walk_up(ctx, sched, slot) {
                WalkUp::Queued => {}
                WalkUp::NoOpenPort => self.north.replan(ctx, sched, slot),
                WalkUp::CrossInstead => self.north.plan_crossing(ctx, sched, slot),
            },
            _ => self.north.plan_crossing(ctx, sched, slot),
        }
    }

    /// Reacts to a change of port `k`'s open fraction from `was` [0–1]: a
    /// closing port's queue re-plans; an open one resumes service.
    fn port_changed(&mut self, k: usize, was: f64, sched: &mut Scheduler<BorderEvent>) {
        let now = self.ports.port_open(k);
        if was > 0.0 && now <= 0.0 {
            for slot in self.ports.drain(k) {
                self.north.replan(&mut self.ctx, sched, slot);
            }
        } else if now > 0.0 {
            self.ports.kick(&mut self.ctx, sched, k);
        }
    }

    /// Works out the policy for `today` from the interventions in force and
    /// hands each mechanism its part; ports that close empty their queues.
    pub(super) fn apply_policies(&mut self, today: i64, sched: &mut Scheduler<BorderEvent>) {
        let p = self.ctx.p;
        let pol = Policy::in_force(p, today);
        self.transit.apply_policy(p, &pol);
        self.hubs.apply_policy(p, &pol);
        self.detention.apply_policy(&pol);
        self.caravans.apply_policy(p, &pol);
        self.north.apply_policy(p, &pol, today);
        self.sectors.apply_policy(&pol);
        self.ports.apply_policy(&pol);
        self.stock.apply_policy(&pol);
        for k in 0..p.ports.len() {
            let was = self.ports.port_open(k);
            self.ports
                .set_schedule(k, pol.port_open[k], pol.port_capacity[k]);
            self.port_changed(k, was, sched);
        }
        self.transit.update_route_weights(p, today.max(0) as usize);
    }

    /// The origins that leave from home learn the prospect of staying in
    /// the US under today's policy ([`HomeDepartures::prospect`] of the
    /// share going on under the rules limiting asylum and the shares
    /// returned and retrying), a family's if the flag says so (the same as a
    /// single traveller's without `families`); `first`: the first day,
    /// whose prospect is the reference.
    pub(super) fn learn_prospects(&mut self, first: bool) {
        let p = self.ctx.p;
        let (north, sectors) = (&self.north, &self.sectors);
        let prospect = |o: usize, family: bool| {
            let (returned, retry) = sectors.returned(p, o, family);
            HomeDepartures::prospect(north.going_share(o, family), returned, retry)
        };
        self.arrivals.learn_prospects(p, prospect, first);
    }

    /// Midnight: roll the sectors' daily apprehensions, turn triggered rules
    /// limiting asylum on or off by national pressure, open or close ports
    /// with a pressure trigger, and send the day's leavers out of the
    /// central stock.
    pub(super) fn pressure_check(&mut self, sched: &mut Scheduler<BorderEvent>) {
        let p = self.ctx.p;
        self.stock.release(&mut self.ctx, sched);
        self.sectors.roll_week();
        let national = (0..p.sectors.len()).map(|s| self.sectors.pressure(s)).sum();
        self.north.check_limits(p, sched.now() / DAY, national);
        self.learn_prospects(false);
        for (k, port) in p.ports.iter().enumerate() {
            if port.trigger.is_none() {
                continue;
            }
            let mean = self.sectors.pressure(p.cities[port.city].sector);
            let was = self.ports.port_open(k);
            self.ports.update_trigger(p, k, mean);
            self.port_changed(k, was, sched);
        }
        if self.ctx.has_tomorrow(sched.now()) {
            sched.schedule_at(sched.now() + DAY, BorderEvent::PressureCheck);
        }
    }

    /// Caravan `c` sets off, recruiting at its hub.
    pub(super) fn caravan_start(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
        let onward = Onward {
            transit: &mut self.transit,
            detention: &mut self.detention,
        };
        self.caravans
            .caravan_start(&mut self.ctx, sched, c, &mut self.hubs, onward);
    }

    /// Caravan `c`'s day.
    pub(super) fn caravan_day(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
        let onward = Onward {
            transit: &mut self.transit,
            detention: &mut self.detention,
        };
        self.caravans.caravan_day(&mut self.ctx, sched, c, onward);
    }
}
