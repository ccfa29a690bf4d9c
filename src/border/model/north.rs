//! The northern border cities: CBP One registration and lottery, patience,
//! arranging a crossing, moving city.

use rand::RngExt;

use super::context::{Ctx, day_of, exp};
use super::daily::{self, Daily, Row};
use super::parties::{NONE32, Pid};
use super::policy::Policy;
use super::ports::Ports;
use super::pressure::Hysteresis;
use super::{BorderEvent, Step, level, outcome};
use crate::border::params::{Action, AsylumLimits, BorderParams, Region};
use crate::engine::{DAY, HOUR, Scheduler, SimTime};
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::Stream;

/// A rule's strength after one more day on, from `strength` the day
/// before, under national pressure `pressure` [apprehensions/day, 7-day
/// mean]: it relaxes with half-life `fade_days` toward the share of
/// crossers the rule can be applied to, min(1, `applied_per_day` /
/// pressure; no pressure: 1). Rules that do not learn
/// ([`AsylumLimits::learning_half_life`]) keep their closed form (see
/// [`North::shares_of`]) and are returned unchanged.
fn learned_strength(a: &AsylumLimits, strength: f64, pressure: f64) -> f64 {
    let Some(h) = a.learning_half_life() else {
        return strength;
    };
    let applied = (a.applied_per_day / pressure).min(1.0);
    applied + (strength - applied) * 0.5f64.powf(1.0 / h)
}

/// The northern cities and CBP One.
pub(super) struct North {
    /// CBP One registrants waiting for the lottery.
    pool: Vec<u32>,
    /// People registered with CBP One and waiting for a draw [persons].
    registered: u64,
    /// CBP One appointments offered per day in force [slots/day].
    slots: f64,
    /// Multiplier of the time to arrange a crossing in force [×].
    crossing_delay: f64,
    /// Daily hazard that Mexico detects a waiting party, under the
    /// enforcement in force [1/d] (0: no containment in the north).
    containment: f64,
    /// Rules limiting asylum in force by date [intervention indices].
    limits: Vec<usize>,
    /// Whether each intervention's pressure trigger has it on (indexed like
    /// the interventions; only rules limiting asylum with a trigger use it).
    limit_on: Vec<Hysteresis>,
    /// Strength of each rule limiting asylum that learns
    /// ([`AsylumLimits::learning_half_life`]) [0–1], indexed like the
    /// interventions: 1 when it starts, then relaxing each midnight the
    /// rule is on toward the share of crossers it can be applied to. The
    /// other rules' strength has a closed form and does not use it.
    strength: Vec<f64>,
    /// Today's shares of those about to cross who give up and who wait,
    /// by origin, single travellers then families [0–1]: the rules change
    /// only at midnight (by date, by trigger, by fading), so they are
    /// worked out then, not per crossing.
    limit_shares: Vec<[(f64, f64); 2]>,
    /// Patience, lottery, re-planning, moves and the decision a rule
    /// limiting asylum puts.
    rng: Stream,
}

impl North {
    /// Empty cities, no CBP One slots, no rule limiting asylum.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        Self {
            pool: Vec::new(),
            registered: 0,
            slots: 0.0,
            crossing_delay: 1.0,
            containment: 0.0,
            limits: Vec::new(),
            limit_on: vec![Hysteresis::default(); p.interventions.len()],
            strength: vec![1.0; p.interventions.len()],
            limit_shares: vec![[(0.0, 0.0); 2]; p.origins.len()],
            rng,
        }
    }

    /// Takes the CBP One slots, crossing delay and rules limiting asylum in
    /// force on day `today` (at its midnight).
    pub(super) fn apply_policy(&mut self, p: &BorderParams, policy: &Policy, today: i64) {
        self.slots = policy.cbp_one_slots;
        self.crossing_delay = policy.crossing_delay;
        self.containment = p.mexico.north_detection_per_day * policy.enforcement(p, Region::North);
        self.limits.clone_from(&policy.asylum_limits);
        self.update_limit_shares(p, today);
    }

    /// Midnight of day `today`: turns each triggered rule limiting asylum
    /// that is in force by date on or off by `pressure`, the 7-day mean of
    /// national USBP apprehensions [persons/day], moves the strength of
    /// each rule with a capacity, and works out the day's shares.
    pub(super) fn check_limits(&mut self, p: &BorderParams, today: i64, pressure: f64) {
        for &i in &self.limits {
            let iv = &p.interventions[i];
            let Action::AsylumLimits(a) = &iv.action else {
                continue;
            };
            if let Some(t) = a.trigger {
                self.limit_on[i].update(
                    pressure,
                    t.on_above_per_day,
                    t.off_below_per_day,
                    t.off_after_days,
                );
            }
            let on = a.trigger.is_none() || self.limit_on[i].on;
            if on && today > iv.from_day {
                self.strength[i] = learned_strength(a, self.strength[i], pressure);
            }
        }
        self.update_limit_shares(p, today);
    }

    /// Today's share of origin `o`'s parties about to cross between ports
    /// who go on, neither giving up nor waiting, under the rules limiting
    /// asylum in force [0–1]; its families' if `family`.
    pub(super) fn going_share(&self, o: usize, family: bool) -> f64 {
        let (leave, wait) = self.limit_shares[o][usize::from(family)];
        1.0 - leave - wait
    }

    /// Works out [`North::limit_shares`] for day `today`.
    fn update_limit_shares(&mut self, p: &BorderParams, today: i64) {
        for o in 0..self.limit_shares.len() {
            self.limit_shares[o] = [false, true].map(|family| self.shares_of(p, o, today, family));
        }
    }

    /// The shares of a party of origin `origin` about to cross between
    /// ports on day `today` that give up and that wait, under the rules
    /// limiting asylum that are on: each puts its decision, in list order,
    /// to those the ones before it let go on. A family meets each rule's
    /// shares times its `families_factor`.
    fn shares_of(&self, p: &BorderParams, origin: usize, today: i64, family: bool) -> (f64, f64) {
        let (mut leave, mut wait, mut going) = (0.0, 0.0, 1.0);
        for &i in &self.limits {
            let iv = &p.interventions[i];
            let Action::AsylumLimits(a) = &iv.action else {
                continue;
            };
            let on = a.trigger.is_none() || self.limit_on[i].on;
            if !on || !(a.origins.is_empty() || a.origins.contains(&origin)) {
                continue;
            }
            let strength = match (a.learning_half_life(), a.fade_days) {
                (Some(_), _) => self.strength[i],
                (None, Some(h)) => 0.5f64.powf((today - iv.from_day).max(0) as f64 / h),
                (None, None) => 1.0,
            };
            let (l, w) = if family {
                (a.leave * a.families_factor, a.wait * a.families_factor)
            } else {
                (a.leave, a.wait)
            };
            leave += going * strength * l;
            wait += going * strength * w;
            going *= 1.0 - strength * (l + w);
        }
        (leave, wait)
    }

    /// Whether the party in `slot`, about to cross between ports, goes on.
    /// Under a rule limiting asylum it may give up instead (final outcome
    /// `settled_in_mexico`: it stays in Mexico or goes home) or wait: it
    /// registers for CBP One, or, while CBP One offers no slots, waits to
    /// arrange a crossing and decides again. No draw is made when no rule is
    /// in force, so scenarios without one keep their random streams.
    pub(super) fn goes_on(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) -> bool {
        let family = ctx.parties.is_family(slot);
        let origin = ctx.parties[slot].origin as usize;
        let (leave, wait) = self.limit_shares[origin][usize::from(family)];
        if leave + wait <= 0.0 {
            return true;
        }
        let u = self.rng.random::<f64>();
        if u < leave {
            ctx.parties.finish(slot, outcome::SETTLED_IN_MEXICO);
        } else if u < leave + wait {
            if self.slots > 0.0 {
                self.register(ctx, sched, slot);
            } else {
                self.plan_crossing(ctx, sched, slot);
            }
        } else {
            return true;
        }
        false
    }

    /// Schedules the first CBP One lottery.
    pub(super) fn start(&self, p: &BorderParams, sched: &mut Scheduler<BorderEvent>) {
        sched.schedule_at(
            (p.cbp_one.draw_at_hour * HOUR as f64) as SimTime,
            BorderEvent::CbpOneDraw,
        );
    }

    /// Registers a party with CBP One for its city's port and starts its
    /// patience clock.
    pub(super) fn register(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        let p = ctx.p;
        let city = ctx.parties[slot].city as usize;
        let port = p.cities[city].cbp_one_port;
        let pid = ctx.parties.goto(slot, level::WAITING_NORTH);
        let pt = &mut ctx.parties[slot];
        pt.port = port as u16;
        pt.pool_idx = self.pool.len() as u32;
        self.registered += u64::from(pt.size);
        self.pool.push(slot);
        let wait = exp(&mut self.rng, p.cbp_one.patience_days_mean);
        self.wait_unless_detected(ctx, sched, pid, wait, Step::Patience);
    }

    /// Schedules `step` after `wait` [d] for a party waiting in a northern
    /// city, unless Mexico's containment there detects it first: a
    /// competing exponential time at the hazard in force when the wait
    /// starts (a policy change during the wait does not redraw it, as for
    /// a leg's checkpoints). No draw while there is no containment.
    fn wait_unless_detected(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        pid: Pid,
        wait: f64,
        step: Step,
    ) {
        if self.containment > 0.0 {
            let detected = exp(&mut self.rng, 1.0 / self.containment);
            if detected < wait {
                ctx.at(sched, detected, pid, Step::Detained);
                return;
            }
        }
        ctx.at(sched, wait, pid, step);
    }

    /// Removes a party from the CBP One pool in O(1) (swap-remove, fixing the
    /// moved party's index).
    pub(super) fn leave_pool(&mut self, ctx: &mut Ctx<'_>, slot: u32) {
        let pt = ctx.parties[slot];
        if pt.pool_idx == NONE32 {
            return;
        }
        self.registered -= u64::from(pt.size);
        let i = pt.pool_idx as usize;
        self.pool.swap_remove(i);
        if i < self.pool.len() {
            let moved = self.pool[i];
            ctx.parties[moved].pool_idx = i as u32;
        }
        ctx.parties[slot].pool_idx = NONE32;
    }

    /// A party arranges a crossing between ports, after a delay that
    /// interventions can stretch.
    pub(super) fn plan_crossing(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        let city = ctx.parties[slot].city as usize;
        let pid = ctx.parties.goto(slot, level::WAITING_NORTH);
        let wait = exp(
            &mut self.rng,
            ctx.p.cities[city].crossing_delay_days * self.crossing_delay,
        );
        self.wait_unless_detected(ctx, sched, pid, wait, Step::Cross);
    }

    /// A party moves by bus to another northern city, chosen at random.
    fn move_city(&mut self, ctx: &mut Ctx<'_>, sched: &mut Scheduler<BorderEvent>, slot: u32) {
        let here = ctx.parties[slot].city as usize;
        let n = ctx.p.cities.len();
        let next = if n > 1 {
            let k = self.rng.random_range(0..n - 1);
            if k >= here { k + 1 } else { k }
        } else {
            here
        };
        ctx.parties[slot].city = next as u16;
        let pid = ctx.parties.goto(slot, level::TRANSIT);
        ctx.at(sched, ctx.p.cbp_one.move_city_days, pid, Step::ReachCity);
    }

    /// A party whose port closed, or who has no open port, re-plans.
    pub(super) fn replan(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        if self.rng.random::<f64>() < ctx.p.between_ports.replan_cross_share {
            self.plan_crossing(ctx, sched, slot);
        } else {
            self.move_city(ctx, sched, slot);
        }
    }

    /// A registrant's patience runs out: it crosses between ports or moves
    /// city.
    pub(super) fn patience(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        self.leave_pool(ctx, slot);
        if self.rng.random::<f64>() < ctx.p.cbp_one.patience_cross_share {
            self.plan_crossing(ctx, sched, slot);
        } else {
            self.move_city(ctx, sched, slot);
        }
    }

    /// The daily CBP One lottery. Registrants anywhere in the north are
    /// drawn at random; a winner gets the port it asked for while that port
    /// has slots left that day, otherwise the port with most slots left (and
    /// travels there). Closed ports give no slots, partly open ones fewer.
    pub(super) fn cbp_one_draw(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        ports: &Ports,
    ) {
        let p = ctx.p;
        let slots = self.slots;
        let mut quota: Vec<i64> = (0..p.ports.len())
            .map(|k| {
                let q = slots * p.ports[k].cbp_one_share * ports.port_open(k);
                // Stochastic rounding keeps the mean exact.
                q.floor() as i64 + i64::from(self.rng.random::<f64>() < q.fract())
            })
            .collect();
        while !self.pool.is_empty() {
            let Some((best, &most)) = quota.iter().enumerate().max_by_key(|x| *x.1) else {
                break;
            };
            if most <= 0 {
                break;
            }
            let i = self.rng.random_range(0..self.pool.len());
            let slot = self.pool[i];
            self.leave_pool(ctx, slot);
            let asked = ctx.parties[slot].port as usize;
            let k = if quota[asked] > 0 { asked } else { best };
            quota[k] -= i64::from(ctx.parties.size(slot));
            let port = &p.ports[k];
            let pt = &mut ctx.parties[slot];
            pt.port = k as u16;
            pt.city = port.city as u16;
            let pid = ctx.parties.goto(slot, level::WAITING_NORTH);
            let hour = port.opens_at_hour + self.rng.random::<f64>() * port.hours_per_day;
            let day_start = (sched.now() / DAY) * DAY;
            let lead = p.cbp_one.appointment_lead_days.ceil().max(1.0) as SimTime;
            let at = day_start + lead * DAY + (hour * HOUR as f64) as SimTime;
            let delay = (at - sched.now()) as f64 / DAY as f64;
            ctx.at(sched, delay, pid, Step::Appointment);
        }
        let next = sched.now() + DAY;
        if day_of(next) < ctx.days as usize {
            sched.schedule_at(next, BorderEvent::CbpOneDraw);
        }
    }

    /// National CBP One metrics.
    fn daily() -> [Daily<North>; 2] {
        use MetricKind::Level;
        [
            Daily::new(
                "cbp_one_slots",
                Unit::Slots,
                Level,
                "CBP One appointments offered",
                |s, _| s.slots,
            ),
            Daily::new(
                "cbp_one_registered",
                Unit::Persons,
                Level,
                "Registered for CBP One",
                |s, _| s.registered as f64,
            ),
        ]
    }

    /// Declared metrics.
    pub(super) fn metrics() -> Vec<MetricSpec> {
        daily::national(&Self::daily())
    }

    /// Writes the day's metrics.
    pub(super) fn end_of_day(&self, row: &mut Row<'_>) {
        row.national(self, &Self::daily());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule giving everyone up, with half-life `h` [d] and capacity `k`
    /// [persons/day].
    fn rule(h: Option<f64>, k: f64) -> AsylumLimits {
        AsylumLimits {
            leave: 1.0,
            wait: 0.0,
            fade_days: h,
            applied_per_day: k,
            families_factor: 1.0,
            capacity_factor: 1.0,
            origins: Vec::new(),
            trigger: None,
            strength_of: None,
        }
    }

    /// Strength after `days` days on at a constant `pressure`, from 1.
    fn after(a: &AsylumLimits, days: u32, pressure: f64) -> f64 {
        (0..days).fold(1.0, |s, _| learned_strength(a, s, pressure))
    }

    #[test]
    fn a_rule_meeting_fewer_crossers_than_it_can_process_keeps_full_strength() {
        // The target is exactly 1 and 1 + (1 − 1)·x is exactly 1.
        assert_eq!(after(&rule(Some(14.0), 3000.0), 365, 2999.0), 1.0);
        assert_eq!(after(&rule(Some(14.0), 3000.0), 365, 0.0), 1.0);
    }

    #[test]
    fn a_swamped_rule_relaxes_toward_the_share_it_is_applied_to() {
        // Twice the capacity: the target is 1/2; after one half-life the
        // distance to it has halved (1 → 0.75), after many it is the target.
        // Tolerances: 14 products of 0.5^(1/14) round at ~1e-16 each.
        let a = rule(Some(14.0), 2000.0);
        assert!((after(&a, 14, 4000.0) - 0.75).abs() < 1e-12);
        assert!((after(&a, 14 * 60, 4000.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn rules_without_capacity_or_fading_are_left_to_the_closed_form() {
        assert_eq!(learned_strength(&rule(Some(14.0), 0.0), 0.3, 5000.0), 0.3);
        assert_eq!(learned_strength(&rule(None, 2000.0), 0.3, 5000.0), 0.3);
    }
}
