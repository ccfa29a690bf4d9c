//! The northern border cities: CBP One registration and lottery, patience, walk-ups, moving city.

use super::*;

impl BorderModel<'_> {
    /// A party reaches a northern city and follows its plan: CBP One, walk-up
    /// or a crossing between ports.
    pub(super) fn arrive_city(
        &mut self,
        slot: u32,
        city: usize,
        sched: &mut Scheduler<BorderEvent>,
    ) {
        let pt = &mut self.parties[slot as usize];
        pt.city = city as u16;
        match pt.plan {
            PLAN_CBP_ONE => self.register(slot, sched),
            PLAN_WALK_UP => self.walk_up(slot, sched),
            _ => self.plan_crossing(slot, sched),
        }
    }

    /// Registers a party with CBP One for its city's port and starts its
    /// patience clock.
    pub(super) fn register(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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

    /// Removes a party from the CBP One pool in O(1) (swap-remove, fixing the
    /// moved party's index).
    pub(super) fn leave_pool(&mut self, slot: u32) {
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

    /// A party arranges a crossing between ports, after a delay that
    /// interventions can stretch.
    pub(super) fn plan_crossing(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let city = self.parties[slot as usize].city as usize;
        let pid = self.goto(slot, level::WAITING_NORTH);
        let wait = Self::exp(
            &mut self.rng_north,
            self.p.cities[city].crossing_delay_days * self.policy.crossing_delay,
        );
        self.at(sched, wait, pid, Step::Cross);
    }

    /// A party moves by bus to another northern city, chosen at random.
    pub(super) fn move_city(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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
    pub(super) fn replan(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        if self.rng_north.random::<f64>() < self.p.between_ports.replan_cross_share {
            self.plan_crossing(slot, sched);
        } else {
            self.move_city(slot, sched);
        }
    }

    /// A registrant's patience runs out: it crosses between ports or moves
    /// city.
    pub(super) fn patience(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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
    pub(super) fn cbp_one_draw(&mut self, sched: &mut Scheduler<BorderEvent>) {
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

    /// A CBP One winner shows up at its port: it joins the appointment queue,
    /// or registers again if the port is closed.
    pub(super) fn appointment(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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

    /// A party walks up to the best open port of its city, unless turned back
    /// under Title 42 or put off by the queue.
    pub(super) fn walk_up(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
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
}
