//! Southern hubs (Tapachula, Tenosique): the papers office and resting before the journey.

use super::*;

impl BorderModel<'_> {
    /// A party reaches its hub: it queues for papers (if its origin does and
    /// the expected wait is within its patience) or rests before leaving.
    pub(super) fn reach_hub(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let h = self.parties[slot as usize].hub as usize;
        let hub = &self.p.hubs[h];
        let origin = &self.p.origins[self.parties[slot as usize].origin as usize];
        let wants_papers = !self.parties[slot as usize].papers
            && hub.papers_capacity_per_day > 0.0
            && self.rng_south.random::<f64>() < origin.wait_for_papers_share;
        if wants_papers {
            let expected_wait = self.hub_queue_persons[h] as f64 / hub.papers_capacity_per_day;
            let patience = Self::exp(&mut self.rng_south, hub.papers_patience_days);
            if expected_wait <= patience {
                self.goto(slot, level::WAITING_SOUTH);
                self.hub_queue[h].push_back(slot);
                self.hub_queue_persons[h] += u64::from(self.size(slot));
                self.serve_papers(h, sched);
                self.check_caravan_triggers(h, sched);
                return;
            }
        }
        let pid = self.goto(slot, level::WAITING_SOUTH);
        let rest = Self::exp(&mut self.rng_south, hub.rest_days_mean);
        self.at(sched, rest, pid, Step::LeaveHub);
    }

    /// Starts the next papers case at hub `h` if its office is free; the office
    /// works continuously at its capacity.
    pub(super) fn serve_papers(&mut self, h: usize, sched: &mut Scheduler<BorderEvent>) {
        if self.hub_busy[h] {
            return;
        }
        if let Some(slot) = self.hub_queue[h].pop_front() {
            let size = self.size(slot);
            self.hub_queue_persons[h] -= u64::from(size);
            self.hub_busy[h] = true;
            let days = f64::from(size) / self.p.hubs[h].papers_capacity_per_day;
            let generation = self.parties[slot as usize].generation;
            sched.schedule_in(
                days_to_time(days).max(1),
                BorderEvent::PapersDone(h as u16, Pid { slot, generation }),
            );
        }
    }

    /// The papers office finishes a party, which sets off north with papers.
    pub(super) fn papers_done(&mut self, h: usize, pid: Pid, sched: &mut Scheduler<BorderEvent>) {
        self.hub_busy[h] = false;
        if self.parties[pid.slot as usize].generation == pid.generation {
            self.parties[pid.slot as usize].papers = true;
            let place = self.p.hubs[h].place;
            self.start_journey(pid.slot, place, sched);
        }
        self.serve_papers(h, sched);
    }
}
