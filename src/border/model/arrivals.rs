//! Arrivals: the non-homogeneous Poisson process of travel parties by origin group.

use super::*;

impl BorderModel<'_> {
    /// Schedules the next arrival of origin `o` after `from` [s]: exponential
    /// gaps at the day's rate; a gap that runs past midnight restarts at
    /// midnight with the next day's rate (exact for piecewise-constant rates,
    /// by memorylessness).
    pub(super) fn schedule_arrival(
        &mut self,
        origin: u16,
        from: SimTime,
        sched: &mut Scheduler<BorderEvent>,
    ) {
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

    /// A party of origin `o` arrives: its size is drawn, it crosses the river
    /// (maybe detected) or, for interior origins, sets off from its start
    /// place.
    pub(super) fn arrival(&mut self, o: u16, sched: &mut Scheduler<BorderEvent>) {
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
}
