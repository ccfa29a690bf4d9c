//! The southern border and its hubs (Tapachula, Tenosique): the walk from the
//! river crossing, the papers office, and resting before the journey.

use std::collections::VecDeque;

use rand::RngExt;

use super::context::{Ctx, exp, scaled};
use super::parties::Pid;
use super::policy::Policy;
use super::transit::Transit;
use super::{BorderEvent, Step, level};
use crate::border::params::{BorderParams, Region};
use crate::engine::{Scheduler, days_to_time};
use crate::rng::Stream;

/// The river crossings and the hubs' papers offices.
pub(super) struct Hubs {
    /// Parties waiting for papers, by hub, oldest first.
    queue: Vec<VecDeque<u32>>,
    /// People waiting for papers, by hub [persons].
    queue_persons: Vec<u64>,
    /// The papers office of each hub is working on a party.
    busy: Vec<bool>,
    /// Detection probability at each river crossing now [0–1].
    crossing_detection: Vec<f64>,
    /// The walk from the river, detection on it, papers or rest.
    rng: Stream,
}

impl Hubs {
    /// Empty hubs.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        Self {
            queue: vec![VecDeque::new(); p.hubs.len()],
            queue_persons: vec![0; p.hubs.len()],
            busy: vec![false; p.hubs.len()],
            crossing_detection: vec![0.0; p.crossings.len()],
            rng,
        }
    }

    /// Detection at the crossings under the southern enforcement in force.
    pub(super) fn apply_policy(&mut self, p: &BorderParams, policy: &Policy) {
        for (c, crossing) in p.crossings.iter().enumerate() {
            self.crossing_detection[c] = scaled(
                crossing.detection_prob,
                policy.enforcement(p, Region::South),
            );
        }
    }

    /// People waiting for papers at hub `h` [persons].
    pub(super) fn waiting(&self, h: usize) -> u64 {
        self.queue_persons[h]
    }

    /// A party that just crossed at `c` walks to the crossing's hub, unless
    /// Mexico detects it on the way.
    pub(super) fn cross_river(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
        c: usize,
    ) {
        let crossing = &ctx.p.crossings[c];
        ctx.parties[slot].hub = crossing.hub as u16;
        let pid = ctx.parties.goto(slot, level::TRANSIT + 3);
        let p_det = self.crossing_detection[c];
        let foot = &ctx.p.modes[3];
        let speed = self
            .rng
            .random_range(foot.km_per_day_min..=foot.km_per_day_max);
        let walk = crossing.km_to_hub / speed;
        ctx.travel(sched, &mut self.rng, p_det, walk, pid, Step::ReachHub);
    }

    /// A party reaches its hub: it queues for papers (if its origin does and
    /// the expected wait is within its patience) or rests before leaving.
    /// Returns the hub whose papers queue it joined, if it did.
    pub(super) fn reach_hub(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) -> Option<usize> {
        let p = ctx.p;
        let h = ctx.parties[slot].hub as usize;
        let hub = &p.hubs[h];
        let origin = &p.origins[ctx.parties[slot].origin as usize];
        let wants_papers = !ctx.parties[slot].papers
            && hub.papers_capacity_per_day > 0.0
            && self.rng.random::<f64>() < origin.wait_for_papers_share;
        if wants_papers {
            let expected_wait = self.queue_persons[h] as f64 / hub.papers_capacity_per_day;
            let patience = exp(&mut self.rng, hub.papers_patience_days);
            if expected_wait <= patience {
                ctx.parties.goto(slot, level::WAITING_SOUTH);
                self.queue[h].push_back(slot);
                self.queue_persons[h] += u64::from(ctx.parties.size(slot));
                self.serve_papers(ctx, sched, h);
                return Some(h);
            }
        }
        let pid = ctx.parties.goto(slot, level::WAITING_SOUTH);
        let rest = exp(&mut self.rng, hub.rest_days_mean);
        ctx.at(sched, rest, pid, Step::LeaveHub);
        None
    }

    /// Starts the next papers case at hub `h` if its office is free; the office
    /// works continuously at its capacity.
    fn serve_papers(&mut self, ctx: &Ctx<'_>, sched: &mut Scheduler<BorderEvent>, h: usize) {
        if self.busy[h] {
            return;
        }
        if let Some(slot) = self.queue[h].pop_front() {
            let size = ctx.parties.size(slot);
            self.queue_persons[h] -= u64::from(size);
            self.busy[h] = true;
            let days = f64::from(size) / ctx.p.hubs[h].papers_capacity_per_day;
            let generation = ctx.parties[slot].generation;
            sched.schedule_in(
                days_to_time(days).max(1),
                BorderEvent::PapersDone(h as u16, Pid { slot, generation }),
            );
        }
    }

    /// The papers office finishes a party, which sets off north with papers.
    pub(super) fn papers_done(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        h: usize,
        pid: Pid,
        transit: &mut Transit,
    ) {
        self.busy[h] = false;
        if ctx.parties.is_current(pid) {
            ctx.parties[pid.slot].papers = true;
            let place = ctx.p.hubs[h].place;
            transit.start_journey(ctx, sched, pid.slot, place);
        }
        self.serve_papers(ctx, sched, h);
    }

    /// Takes the most recent party waiting for papers at hub `h` out of the
    /// queue (a caravan recruits it).
    pub(super) fn take_latest(&mut self, ctx: &Ctx<'_>, h: usize) -> Option<u32> {
        let slot = self.queue[h].pop_back()?;
        self.queue_persons[h] -= u64::from(ctx.parties.size(slot));
        Some(slot)
    }
}
