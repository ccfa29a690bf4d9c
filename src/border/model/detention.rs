//! Detention by Mexico's immigration agency and its outcomes: relocation south, papers, deportation, settling.

use super::*;

impl BorderModel<'_> {
    /// Mexico detects a party: one detection event per person (the UPM counts
    /// events), then detention.
    pub(super) fn detained(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        self.d_mx += u64::from(self.size(slot));
        let pid = self.goto(slot, level::DETAINED_MX);
        self.at(sched, self.p.mexico.detention_days, pid, Step::DetentionEnd);
    }

    /// A detention ends with an outcome drawn from the shares in force.
    pub(super) fn detention_end(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let o = self.policy.outcomes;
        let u: f64 = self.rng_south.random();
        if u < o.relocate {
            let pid = self.goto(slot, level::DETAINED_MX);
            self.at(sched, self.p.mexico.relocation_days, pid, Step::Relocated);
        } else if u < o.relocate + o.papers {
            let pt = &mut self.parties[slot as usize];
            pt.papers = true;
            if pt.route == NONE16 {
                let place = self.p.hubs[pt.hub as usize].place;
                self.start_journey(slot, place, sched);
            } else {
                self.start_leg(slot, sched);
            }
        } else if u < o.relocate + o.papers + o.deport {
            self.finish(slot, outcome::RETURNED_BY_MEXICO);
        } else {
            self.finish(slot, outcome::SETTLED_IN_MEXICO);
        }
    }

    /// A relocated party is back at the southern hub; it rests, then tries
    /// again without papers.
    pub(super) fn relocated(&mut self, slot: u32, sched: &mut Scheduler<BorderEvent>) {
        let pt = &mut self.parties[slot as usize];
        pt.route = NONE16;
        let pid = self.goto(slot, level::WAITING_SOUTH);
        let rest = Self::exp(&mut self.rng_south, self.p.mexico.retry_rest_days);
        self.at(sched, rest, pid, Step::LeaveHub);
    }
}
