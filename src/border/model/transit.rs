//! Transit across Mexico: route and mode choice, bus and train departures, legs and checkpoints.

use super::*;

impl BorderModel<'_> {
    /// Recomputes the cumulative route weights from each start place, with the
    /// port states heard `info_delay_days` ago.
    pub(super) fn update_route_weights(&mut self, today: usize) {
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

    /// Chooses a route from `place` with the current weights (by plan) and
    /// starts its first leg.
    pub(super) fn start_journey(
        &mut self,
        slot: u32,
        place: usize,
        sched: &mut Scheduler<BorderEvent>,
    ) {
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

    /// Chooses the mode of `leg` for a party: weights by papers, skipping
    /// suspended modes and full stations.
    pub(super) fn choose_mode(&mut self, slot: u32, leg: usize) -> usize {
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

    /// Starts the current leg: queue at the station for a scheduled mode,
    /// otherwise set off now.
    pub(super) fn start_leg(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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
    pub(super) fn travel(
        &mut self,
        slot: u32,
        leg: usize,
        mode: usize,
        sched: &mut Scheduler<BorderEvent>,
    ) {
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

    /// A bus or train leaves the start of `leg`: it takes queued riders up to
    /// its seats; riders of a suspended mode choose again.
    pub(super) fn departure(
        &mut self,
        leg: usize,
        mode: usize,
        sched: &mut Scheduler<BorderEvent>,
    ) {
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

    /// A leg is done: the next leg starts, or the party reaches its city.
    pub(super) fn leg_done(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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
}
