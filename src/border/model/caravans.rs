//! Caravans: formation at a hub (by date or trigger), daily marches, shedding, detection, dissolution.

use super::*;

impl BorderModel<'_> {
    /// Starts any caravan of hub `h` whose waiting trigger is now exceeded
    /// (once per caravan).
    pub(super) fn check_caravan_triggers(&mut self, h: usize, sched: &mut Scheduler<BorderEvent>) {
        // Triggers are armed from the scenario's start, not in the spin-up.
        if Self::day_of(sched.now()) < self.p.spinup_days as usize {
            return;
        }
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

    /// A caravan sets off: it recruits the most recent arrivals waiting for
    /// papers at its hub up to its target size [persons].
    pub(super) fn caravan_start(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
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

    /// One caravan day at 06:00: dissolve if due; otherwise walk (or rest),
    /// then members leave or are detected.
    pub(super) fn caravan_day(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
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

    /// Removes a member from its caravan's head count.
    pub(super) fn leave_caravan(&mut self, slot: u32) {
        let c = self.parties[slot as usize].caravan as usize;
        self.caravans[c].persons -= u64::from(self.size(slot));
        self.parties[slot as usize].caravan = NONE16;
    }

    /// A former caravan member sets off north as an ordinary party from the hub.
    pub(super) fn go_on_alone(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let h = self.parties[slot as usize].hub as usize;
        self.parties[slot as usize].route = NONE16;
        let place = self.p.hubs[h].place;
        self.start_journey(slot, place, sched);
    }

    /// The authorities dissolve a caravan: members take papers and a bus back
    /// south, or go on as ordinary parties.
    pub(super) fn dissolve(&mut self, c: usize, sched: &mut Scheduler<BorderEvent>) {
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
}
