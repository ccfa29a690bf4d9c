//! Caravans: formation at a hub (by date or trigger), daily marches,
//! shedding, detection, dissolution.

use rand::RngExt;

use super::context::{Ctx, day_of, exp, scaled};
use super::daily::{self, Daily, Row};
use super::detention::Detention;
use super::hubs::Hubs;
use super::parties::NONE16;
use super::policy::Policy;
use super::transit::Transit;
use super::{BorderEvent, Step, level};
use crate::border::params::{BorderParams, Region};
use crate::engine::{DAY, HOUR, Scheduler};
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::Stream;

/// A caravan's live state.
#[derive(Debug, Default)]
struct CaravanState {
    /// It has been set off (by date or trigger); a caravan starts once.
    started: bool,
    /// It is on the road (started and not dissolved).
    active: bool,
    /// Parties walking with it.
    members: Vec<u32>,
    /// People walking with it [persons].
    persons: u64,
    /// Distance walked [km].
    km: f64,
    /// Days on the road [d].
    days: u32,
    /// Stopped at its halting distance.
    halted: bool,
}

/// The caravans of the scenario.
pub(super) struct Caravans {
    /// Each caravan of the scenario, in its order.
    caravans: Vec<CaravanState>,
    /// Enforcement multiplier in the south in force [×].
    enforcement: f64,
    /// Marches, shedding, detection and dissolution.
    rng: Stream,
}

/// What happens to the parties of the caravans, handed to the mechanisms
/// they leave for.
pub(super) struct Onward<'m> {
    /// Where members that go on alone choose a route.
    pub(super) transit: &'m mut Transit,
    /// Where detected members are held.
    pub(super) detention: &'m mut Detention,
}

impl Caravans {
    /// Caravans not yet formed.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        Self {
            caravans: (0..p.caravans.len()).map(|_| Default::default()).collect(),
            enforcement: 1.0,
            rng,
        }
    }

    /// Takes the southern enforcement in force.
    pub(super) fn apply_policy(&mut self, p: &BorderParams, policy: &Policy) {
        self.enforcement = policy.enforcement(p, Region::South);
    }

    /// Schedules the caravans set off by date (at 06:00 of their day).
    pub(super) fn start(&self, ctx: &Ctx<'_>, sched: &mut Scheduler<BorderEvent>) {
        for (c, cv) in ctx.p.caravans.iter().enumerate() {
            if let Some(d) = cv.start_day
                && d >= 0
                && d < i64::from(ctx.days)
            {
                sched.schedule_at(d * DAY + 6 * HOUR, BorderEvent::CaravanStart(c as u16));
            }
        }
    }

    /// Starts any caravan of hub `h` whose waiting trigger is now exceeded
    /// (once per caravan).
    pub(super) fn check_triggers(
        &mut self,
        ctx: &Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        h: usize,
        hubs: &Hubs,
    ) {
        // Triggers are armed from the scenario's start, not in the spin-up.
        if day_of(sched.now()) < ctx.p.spinup_days as usize {
            return;
        }
        for (c, cv) in ctx.p.caravans.iter().enumerate() {
            if let Some(t) = cv.trigger_waiting_above
                && cv.hub == h
                && !self.caravans[c].started
                && hubs.waiting(h) as f64 > t
            {
                self.caravans[c].started = true;
                sched.schedule_in(0, BorderEvent::CaravanStart(c as u16));
            }
        }
    }

    /// A caravan sets off: it recruits the most recent arrivals waiting for
    /// papers at its hub up to its target size [persons].
    pub(super) fn caravan_start(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        c: usize,
        hubs: &mut Hubs,
        onward: Onward<'_>,
    ) {
        let cv = &ctx.p.caravans[c];
        let st = &mut self.caravans[c];
        st.started = true;
        st.active = true;
        let mut persons = 0u64;
        while (persons as f64) < cv.target_size {
            let Some(slot) = hubs.take_latest(ctx, cv.hub) else {
                break;
            };
            persons += u64::from(ctx.parties.size(slot));
            ctx.parties.goto(slot, level::CARAVAN);
            ctx.parties[slot].caravan = c as u16;
            st.members.push(slot);
        }
        st.persons = persons;
        self.caravan_day(ctx, sched, c, onward);
    }

    /// One caravan day at 06:00: dissolve if due; otherwise walk (or rest),
    /// then members leave or are detected.
    pub(super) fn caravan_day(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        c: usize,
        onward: Onward<'_>,
    ) {
        let p = ctx.p;
        let cv = &p.caravans[c];
        let today = day_of(sched.now()) as i64;
        let st = &mut self.caravans[c];
        if !st.active {
            return;
        }
        let dissolve = cv.dissolve_day.is_some_and(|d| today >= d)
            || cv.dissolve_after_days.is_some_and(|n| st.days >= n)
            || cv.dissolve_at_km.is_some_and(|km| st.km >= km)
            || st.members.is_empty();
        if dissolve {
            self.dissolve(ctx, sched, c, onward.transit);
            return;
        }
        st.days += 1;
        if !st.halted && self.rng.random::<f64>() < cv.walk_day_share {
            st.km += self.rng.random_range(cv.walk_km_min..=cv.walk_km_max);
            if let Some(h) = cv.halt_at_km
                && st.km >= h
            {
                st.km = h;
                st.halted = true;
            }
        }
        // Members leave (shedding) or are detected, each independently.
        let p_det = scaled(
            p.legs.first().map_or(0.0, |l| l.checkpoint_detection),
            cv.detection_factor * self.enforcement,
        );
        let members = std::mem::take(&mut self.caravans[c].members);
        let mut kept = Vec::with_capacity(members.len());
        for slot in members {
            let u: f64 = self.rng.random();
            if u < cv.shed_share_per_day {
                self.leave_caravan(ctx, slot);
                Self::go_on_alone(ctx, sched, slot, onward.transit);
            } else if u < cv.shed_share_per_day + p_det {
                self.leave_caravan(ctx, slot);
                onward.detention.detained(ctx, sched, slot);
            } else {
                kept.push(slot);
            }
        }
        self.caravans[c].members = kept;
        sched.schedule_in(DAY, BorderEvent::CaravanDay(c as u16));
    }

    /// Removes a member from its caravan's head count.
    fn leave_caravan(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        let c = ctx.parties[slot].caravan as usize;
        self.caravans[c].persons -= u64::from(ctx.parties.size(slot));
        ctx.parties[slot].caravan = NONE16;
    }

    /// A former caravan member sets off north as an ordinary party from the hub.
    fn go_on_alone(
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
        transit: &mut Transit,
    ) {
        let h = ctx.parties[slot].hub as usize;
        ctx.parties[slot].route = NONE16;
        let place = ctx.p.hubs[h].place;
        transit.start_journey(ctx, sched, slot, place);
    }

    /// The authorities dissolve a caravan: members take papers and a bus back
    /// south, or go on as ordinary parties.
    fn dissolve(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        c: usize,
        transit: &mut Transit,
    ) {
        let p = ctx.p;
        let share = p.caravans[c].papers_bus_south_share;
        self.caravans[c].active = false;
        let members = std::mem::take(&mut self.caravans[c].members);
        for slot in members {
            self.leave_caravan(ctx, slot);
            if self.rng.random::<f64>() < share {
                // Papers and a bus back south; they set off again from the hub.
                ctx.parties[slot].papers = true;
                let pid = ctx.parties.goto(slot, level::WAITING_SOUTH);
                let h = ctx.parties[slot].hub as usize;
                let rest = exp(&mut self.rng, p.hubs[h].rest_days_mean);
                ctx.at(sched, rest + p.mexico.relocation_days, pid, Step::LeaveHub);
            } else {
                Self::go_on_alone(ctx, sched, slot, transit);
            }
        }
        self.caravans[c].km = 0.0;
    }

    /// Per-caravan daily metrics (zero when not on the road).
    fn daily() -> [Daily<Caravans>; 2] {
        [
            Daily::new(
                "caravan_size",
                Unit::Persons,
                MetricKind::Level,
                "In caravans",
                |s, c| {
                    if s.caravans[c].active {
                        s.caravans[c].persons as f64
                    } else {
                        0.0
                    }
                },
            ),
            Daily::new(
                "caravan_km",
                Unit::Kilometres,
                MetricKind::Level,
                "Caravan distance",
                |s, c| {
                    if s.caravans[c].active {
                        s.caravans[c].km
                    } else {
                        0.0
                    }
                },
            ),
        ]
    }

    /// Declared metrics, caravan by caravan.
    pub(super) fn metrics(p: &BorderParams) -> Vec<MetricSpec> {
        daily::per_place(&Self::daily(), p.caravans.iter().map(|c| c.name.as_str()))
    }

    /// Writes the day's metrics.
    pub(super) fn end_of_day(&self, row: &mut Row<'_>) {
        row.per_place(self, self.caravans.len(), &Self::daily());
    }
}
