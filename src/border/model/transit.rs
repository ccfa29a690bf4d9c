//! Transit across Mexico: route and mode choice, bus and train departures,
//! legs and checkpoints, and the news of the ports that steers route choice.

use std::collections::VecDeque;

use rand::RngExt;

use super::context::{Ctx, day_of, scaled};
use super::parties::PLAN_CROSS;
use super::policy::Policy;
use super::ports::Ports;
use super::{BorderEvent, Step, level};
use crate::border::params::{BorderParams, Mode, Region};
use crate::engine::{DAY, Scheduler, SimTime, days_to_time};
use crate::rng::Stream;

/// How many riders behind the one boarding a departure prefetches
/// (see `Parties::prefetch`).
const BOARDING_AHEAD: usize = 8;

/// Routes, stations and the checkpoints on the way.
pub(super) struct Transit {
    /// Station queues per (leg, mode) for scheduled modes.
    station: Vec<[VecDeque<u32>; 4]>,
    /// People at each station queue [persons].
    station_persons: Vec<[u64; 4]>,
    /// Probability of detection over a whole leg, by leg, mode and papers
    /// (0 without, 1 with), under the enforcement in force [0–1]; recomputed
    /// when a policy changes, since `powf` per trip would dominate the cost.
    leg_detection: Vec<[[f64; 2]; 4]>,
    /// Cumulative route weights per start place, recomputed when a policy
    /// changes. Indexed [place][plan]: plan 0 uses a port (and avoids cities
    /// whose ports were heard closed), plan 1 crosses between ports (and does
    /// not care).
    route_cum: Vec<[Vec<(u16, f64)>; 2]>,
    /// Open fraction of each city's ports, one entry per day (news history)
    /// [0–1].
    city_open_history: Vec<Vec<f64>>,
    /// Persons each leave-at-will mode with a `capacity_per_day` has taken
    /// from each leg start today, by leg and mode.
    taken: Vec<[DayCapacity; 4]>,
    /// Whether a release of the waiting riders of a capacity-limited mode
    /// is scheduled for the next day start, by leg and mode.
    release_pending: Vec<[bool; 4]>,
    /// Modes suspended by the policy in force.
    suspended: [bool; 4],
    /// Enforcement multiplier in transit in force [×].
    enforcement: f64,
    /// Departure phases, routes, modes, speeds and checkpoints.
    rng: Stream,
}

impl Transit {
    /// Empty routes and stations.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        Self {
            station: (0..p.legs.len()).map(|_| Default::default()).collect(),
            station_persons: vec![[0; 4]; p.legs.len()],
            leg_detection: vec![[[0.0; 2]; 4]; p.legs.len()],
            route_cum: vec![Default::default(); p.places.len()],
            city_open_history: vec![Vec::new(); p.cities.len()],
            taken: vec![[DayCapacity::default(); 4]; p.legs.len()],
            release_pending: vec![[false; 4]; p.legs.len()],
            suspended: [false; 4],
            enforcement: 1.0,
            rng,
        }
    }

    /// Schedules the first departure of every scheduled mode on every leg,
    /// at a random phase within its headway.
    pub(super) fn start(&mut self, p: &BorderParams, sched: &mut Scheduler<BorderEvent>) {
        for (leg, l) in p.legs.iter().enumerate() {
            for (mode, md) in p.modes.iter().enumerate() {
                if l.modes[mode] && md.departures_per_day > 0.0 {
                    let gap = DAY as f64 / md.departures_per_day;
                    let phase = (self.rng.random::<f64>() * gap) as SimTime;
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
    }

    /// Takes the suspensions and enforcement in force and recomputes the
    /// detection over each leg.
    pub(super) fn apply_policy(&mut self, p: &BorderParams, policy: &Policy) {
        self.suspended = policy.suspended;
        self.enforcement = policy.enforcement(p, Region::Transit);
        for (leg, l) in p.legs.iter().enumerate() {
            let enforcement = policy.enforcement(p, l.region);
            for (mode, md) in p.modes.iter().enumerate() {
                for papers in 0..2 {
                    let mut factor = md.detection_factor * enforcement;
                    if papers == 1 {
                        factor *= p.mexico.papers_detection_factor;
                    }
                    let p_cp = scaled(l.checkpoint_detection, factor);
                    self.leg_detection[leg][mode][papers] =
                        1.0 - (1.0 - p_cp).powi(l.checkpoints as i32);
                }
            }
        }
    }

    /// The day's news: how open each city's ports were at its end.
    pub(super) fn record_news(&mut self, p: &BorderParams, ports: &Ports) {
        for c in 0..p.cities.len() {
            let open = ports.city_open(p, c);
            self.city_open_history[c].push(open);
        }
    }

    /// Recomputes the cumulative route weights from each start place, with the
    /// port states heard `info_delay_days` ago.
    pub(super) fn update_route_weights(&mut self, p: &BorderParams, today: usize) {
        let rc = &p.route_choice;
        let transit = self.enforcement;
        for lists in &mut self.route_cum {
            lists[0].clear();
            lists[1].clear();
        }
        for (r, route) in p.routes.iter().enumerate() {
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

    /// Chooses a route from `place` with the current weights (by plan) and
    /// starts its first leg.
    pub(super) fn start_journey(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
        place: usize,
    ) {
        let plan = usize::from(ctx.parties[slot].plan == PLAN_CROSS);
        let list = &self.route_cum[place][plan];
        let total = list.last().map_or(0.0, |x| x.1);
        let route = if total > 0.0 {
            let u = self.rng.random::<f64>() * total;
            list.iter()
                .find(|x| u < x.1)
                .unwrap_or(&list[list.len() - 1])
                .0
        } else {
            // Every route weighs zero: take the first from here.
            list.first().map_or(0, |x| x.0)
        };
        let pt = &mut ctx.parties[slot];
        pt.route = route;
        pt.leg = 0;
        self.start_leg(ctx, sched, slot);
    }

    /// Chooses the mode of `leg` for a party: weights by papers, lowered by
    /// price, skipping suspended modes and full stations.
    fn choose_mode(&mut self, ctx: &Ctx<'_>, slot: u32, leg: usize) -> usize {
        let p = ctx.p;
        let pt = ctx.parties[slot];
        let legal = pt.papers || p.origins[pt.origin as usize].mexican;
        let mut w = [0.0; 4];
        for (k, md) in p.modes.iter().enumerate() {
            if !p.legs[leg].modes[k] || self.suspended[k] {
                continue;
            }
            // A scheduled mode whose station holds more than a day of seats is
            // skipped: people do not wait days for a bus while trucks leave.
            if self.station_persons[leg][k] as f64 > daily_capacity(md) {
                continue;
            }
            w[k] = if legal {
                md.weight_papers
            } else {
                md.weight_irregular
            };
            // Skipped when free, so that a scenario without prices draws and
            // weighs exactly as before prices existed.
            if md.price_usd_per_1000_km > 0.0 {
                let usd = md.price_usd_per_1000_km * p.legs[leg].km / 1000.0;
                w[k] *= (-p.route_choice.price_cost_per_1000_usd * usd / 1000.0).exp();
            }
        }
        let total: f64 = w.iter().sum();
        if total <= 0.0 {
            // Nothing else left: walk (always allowed on foot/truck legs).
            return if p.legs[leg].modes[3] { 3 } else { 1 };
        }
        let mut u = self.rng.random::<f64>() * total;
        for (k, wk) in w.iter().enumerate() {
            if u < *wk {
                return k;
            }
            u -= wk;
        }
        3
    }

    /// Starts the current leg: queue at the station for a scheduled mode,
    /// otherwise set off now.
    pub(super) fn start_leg(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        let p = ctx.p;
        let pt = ctx.parties[slot];
        let leg = p.routes[pt.route as usize].legs[pt.leg as usize];
        let mode = self.choose_mode(ctx, slot, leg);
        ctx.parties[slot].mode = mode as u8;
        ctx.parties.goto(slot, level::TRANSIT + mode);
        let md = &p.modes[mode];
        if md.departures_per_day > 0.0 {
            self.station[leg][mode].push_back(slot);
            self.station_persons[leg][mode] += u64::from(pt.size);
        } else if let Some(cap) = md.capacity_per_day {
            let today = day_of(sched.now());
            if self.station[leg][mode].is_empty() && self.taken[leg][mode].take(today, cap, pt.size)
            {
                self.travel(ctx, sched, slot, leg, mode);
            } else {
                // No room today: wait for tomorrow's capacity, behind those
                // already waiting.
                self.station[leg][mode].push_back(slot);
                self.station_persons[leg][mode] += u64::from(pt.size);
                self.schedule_release(ctx, sched, leg, mode);
            }
        } else {
            self.travel(ctx, sched, slot, leg, mode);
        }
    }

    /// Schedules, once, the release of the riders waiting for a
    /// capacity-limited mode at the next day start, if that is within the
    /// horizon (later, they wait till the end).
    fn schedule_release(
        &mut self,
        ctx: &Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        leg: usize,
        mode: usize,
    ) {
        let tomorrow = day_of(sched.now()) + 1;
        if self.release_pending[leg][mode] || tomorrow >= ctx.days as usize {
            return;
        }
        self.release_pending[leg][mode] = true;
        sched.schedule_at(
            tomorrow as SimTime * DAY,
            BorderEvent::Departure {
                leg: leg as u16,
                mode: mode as u8,
            },
        );
    }

    /// A new day for a capacity-limited mode: its waiting riders set off up
    /// to the day's capacity, in order of arrival; the rest wait for the next
    /// day. Riders of a suspended mode choose again.
    fn release(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        leg: usize,
        mode: usize,
        cap: f64,
    ) {
        self.release_pending[leg][mode] = false;
        if self.suspended[mode] {
            self.choose_again(ctx, sched, leg, mode);
            return;
        }
        let today = day_of(sched.now());
        while let Some(&slot) = self.station[leg][mode].front() {
            let size = ctx.parties.size(slot);
            if !self.taken[leg][mode].take(today, cap, size) {
                break;
            }
            self.station[leg][mode].pop_front();
            self.station_persons[leg][mode] -= u64::from(size);
            self.travel(ctx, sched, slot, leg, mode);
        }
        if !self.station[leg][mode].is_empty() {
            self.schedule_release(ctx, sched, leg, mode);
        }
    }

    /// Riders waiting for a suspended service at the start of `leg` choose
    /// another mode.
    fn choose_again(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        leg: usize,
        mode: usize,
    ) {
        let waiting: Vec<u32> = self.station[leg][mode].drain(..).collect();
        self.station_persons[leg][mode] = 0;
        for slot in waiting {
            self.start_leg(ctx, sched, slot);
        }
    }

    /// Sets a party moving along `leg` by `mode` now: it reaches the end or is
    /// detected at a checkpoint on the way.
    fn travel(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
        leg: usize,
        mode: usize,
    ) {
        let p = ctx.p;
        let pt = ctx.parties[slot];
        let l = &p.legs[leg];
        let md = &p.modes[mode];
        let speed = self.rng.random_range(md.km_per_day_min..=md.km_per_day_max);
        let days = l.km / speed;
        let pid = ctx.parties.goto(slot, level::TRANSIT + mode);
        let p_leg = if p.origins[pt.origin as usize].mexican {
            0.0
        } else {
            self.leg_detection[leg][mode][usize::from(pt.papers)]
        };
        ctx.travel(sched, &mut self.rng, p_leg, days, pid, Step::LegDone);
    }

    /// A bus or train leaves the start of `leg`: it takes queued riders up to
    /// its seats; riders of a suspended mode choose again. For a mode that
    /// leaves at will with a daily capacity, the event is the day start that
    /// releases its waiting riders.
    pub(super) fn departure(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        leg: usize,
        mode: usize,
    ) {
        let md = &ctx.p.modes[mode];
        if md.departures_per_day <= 0.0 {
            let cap = md.capacity_per_day.unwrap_or(f64::INFINITY);
            self.release(ctx, sched, leg, mode, cap);
            return;
        }
        if self.suspended[mode] {
            self.choose_again(ctx, sched, leg, mode);
        } else {
            let mut seats = md.seats;
            while seats > 0.0 {
                // Riders waited long enough for their slots to leave the
                // cache: start loading the one a few places behind.
                if let Some(&behind) = self.station[leg][mode].get(BOARDING_AHEAD) {
                    ctx.parties.prefetch(behind);
                }
                let Some(slot) = self.station[leg][mode].pop_front() else {
                    break;
                };
                let size = ctx.parties.size(slot);
                self.station_persons[leg][mode] -= u64::from(size);
                seats -= f64::from(size);
                self.travel(ctx, sched, slot, leg, mode);
            }
        }
        let gap = 1.0 / md.departures_per_day;
        if day_of(sched.now() + days_to_time(gap)) < ctx.days as usize {
            sched.schedule_in(
                days_to_time(gap).max(1),
                BorderEvent::Departure {
                    leg: leg as u16,
                    mode: mode as u8,
                },
            );
        }
    }

    /// A leg is done: the party moves on to the next leg of its route
    /// (which the caller starts, or not, see [`LegEnd`]).
    pub(super) fn leg_done(&mut self, ctx: &mut Ctx<'_>, slot: u32) -> LegEnd {
        let p = ctx.p;
        let pt = &mut ctx.parties[slot];
        let route = &p.routes[pt.route as usize];
        let done = route.legs[pt.leg as usize];
        pt.leg += 1;
        if pt.leg as usize >= route.legs.len() {
            LegEnd::City(route.city)
        } else {
            LegEnd::Through(done)
        }
    }
}

/// Where a finished leg leaves a party.
pub(super) enum LegEnd {
    /// At its route's northern city (city index).
    City(usize),
    /// Between two legs of its route, at the end of leg (index) `.0`: it
    /// stops there or starts its next leg.
    Through(usize),
}

/// The most people a mode carries from a leg start in a day [persons/day]:
/// seats × departures for a scheduled mode, the capacity of a mode that
/// leaves at will, unlimited without one.
fn daily_capacity(md: &Mode) -> f64 {
    if md.departures_per_day > 0.0 {
        md.seats * md.departures_per_day
    } else {
        md.capacity_per_day.unwrap_or(f64::INFINITY)
    }
}

/// What a capacity-limited mode has taken from one leg start on one day.
#[derive(Debug, Clone, Copy, Default)]
struct DayCapacity {
    /// The day counted [day index].
    day: usize,
    /// People taken that day [persons].
    taken: f64,
}

impl DayCapacity {
    /// Takes a party of `size` on `day` if the day's capacity `cap`
    /// [persons/day] is not yet used up; a new day starts empty. The last
    /// party in may overfill by less than its own size, as the last rider of
    /// a bus does: parties are not split.
    fn take(&mut self, day: usize, cap: f64, size: u32) -> bool {
        if day != self.day {
            self.day = day;
            self.taken = 0.0;
        }
        if self.taken >= cap {
            return false;
        }
        self.taken += f64::from(size);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::DayCapacity;

    #[test]
    fn a_full_truck_refuses_the_next_party_until_the_next_day() {
        // Capacity 10 persons/day: parties of 4, 4 and 3 fill it (11, the
        // last party overfilling by one, as parties are not split); the
        // fourth finds no room the same day and is taken the next.
        let mut c = DayCapacity::default();
        assert!(c.take(5, 10.0, 4));
        assert!(c.take(5, 10.0, 4));
        assert!(c.take(5, 10.0, 3));
        assert!(!c.take(5, 10.0, 1), "a full truck takes no one more today");
        assert_eq!(c.taken, 11.0);
        assert!(c.take(6, 10.0, 1), "the next day starts empty");
        assert_eq!(c.taken, 1.0);
    }
}
