//! Detention by Mexico's immigration agency and its outcomes: relocation
//! south, papers, deportation, settling.

use rand::RngExt;

use super::context::{Ctx, exp};
use super::daily::{self, ByOrigin, Daily, Row};
use super::parties::NONE16;
use super::policy::Policy;
use super::transit::Transit;
use super::{BorderEvent, Step, level, outcome};
use crate::border::params::{BorderParams, DetentionOutcomes, OriginGroups};
use crate::engine::Scheduler;
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::Stream;

/// Mexico's detention: the outcome shares in force, the day's detections
/// by origin group and its own stream.
pub(super) struct Detention {
    /// Shares of the outcomes of a detention in force [0–1].
    outcomes: DetentionOutcomes,
    /// Detections today by origin group [persons].
    by_origin: ByOrigin,
    /// The origin groups with a detection metric, as indices of the
    /// scenario's groups: all but those of Mexican nationals only, whom
    /// Mexico's immigration agency does not detect (and whose data has no
    /// column for them).
    reported: Vec<usize>,
    /// Outcomes and rest after a relocation.
    rng: Stream,
}

impl Detention {
    /// Detention with the scenario's outcome shares.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        Self {
            outcomes: p.mexico.outcomes,
            by_origin: ByOrigin::new(p),
            reported: Self::reported(&OriginGroups::of(&p.origins)),
            rng,
        }
    }

    /// Indices of the groups with a detection metric (see
    /// [`Detention::reported`]).
    fn reported(groups: &OriginGroups) -> Vec<usize> {
        (0..groups.names.len())
            .filter(|&g| !groups.mexican[g])
            .collect()
    }

    /// Takes the outcome shares in force.
    pub(super) fn apply_policy(&mut self, policy: &Policy) {
        self.outcomes = policy.outcomes;
    }

    /// Mexico detects a party: one detection event per person (the UPM counts
    /// events), then detention.
    pub(super) fn detained(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        let size = u64::from(ctx.parties.size(slot));
        ctx.today.mx += size;
        self.by_origin.add(ctx.parties[slot].origin, size);
        let pid = ctx.parties.goto(slot, level::DETAINED_MX);
        ctx.at(sched, ctx.p.mexico.detention_days, pid, Step::DetentionEnd);
    }

    /// A detention ends with an outcome drawn from the shares in force.
    pub(super) fn detention_end(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
        transit: &mut Transit,
    ) {
        let o = self.outcomes;
        let u: f64 = self.rng.random();
        if u < o.relocate {
            let pid = ctx.parties.goto(slot, level::DETAINED_MX);
            ctx.at(sched, ctx.p.mexico.relocation_days, pid, Step::Relocated);
        } else if u < o.relocate + o.papers {
            let pt = &mut ctx.parties[slot];
            pt.papers = true;
            if pt.route == NONE16 {
                let place = ctx.p.hubs[pt.hub as usize].place;
                transit.start_journey(ctx, sched, slot, place);
            } else if pt.leg as usize >= ctx.p.routes[pt.route as usize].legs.len() {
                // Detected in its northern city (containment in the north):
                // released there, it takes up its plan again.
                let pid = ctx.parties.goto(slot, level::WAITING_NORTH);
                ctx.at(sched, 0.0, pid, Step::ReachCity);
            } else {
                transit.start_leg(ctx, sched, slot);
            }
        } else if u < o.relocate + o.papers + o.deport {
            ctx.parties.finish(slot, outcome::RETURNED_BY_MEXICO);
        } else {
            ctx.parties.finish(slot, outcome::SETTLED_IN_MEXICO);
        }
    }

    /// A relocated party is back at the southern hub. It gives up with a
    /// probability that grows with its relocations
    /// (`mexico.give_up_per_relocation`); otherwise it rests, then tries
    /// again without papers.
    pub(super) fn relocated(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        let pt = &mut ctx.parties[slot];
        pt.relocations = pt.relocations.saturating_add(1);
        let give_up = ctx.p.mexico.give_up_per_relocation * f64::from(pt.relocations);
        // No draw without attrition: a scenario without it keeps its
        // random streams, and so its numbers, exactly.
        if give_up > 0.0 && self.rng.random::<f64>() < give_up {
            ctx.parties.finish(slot, outcome::SETTLED_IN_MEXICO);
            return;
        }
        ctx.parties[slot].route = NONE16;
        let pid = ctx.parties.goto(slot, level::WAITING_SOUTH);
        let rest = exp(&mut self.rng, ctx.p.mexico.retry_rest_days);
        ctx.at(sched, rest, pid, Step::LeaveHub);
    }

    /// Per-origin-group daily metrics, by index into the reported groups.
    fn daily_by_origin() -> [Daily<Detention>; 1] {
        [Daily::new(
            "mx_detections",
            Unit::Persons,
            MetricKind::Count,
            "Detections by Mexico",
            |s, i| s.by_origin.get(s.reported[i]),
        )]
    }

    /// Declared metrics, reported origin group by group.
    pub(super) fn metrics(p: &BorderParams) -> Vec<MetricSpec> {
        let groups = OriginGroups::of(&p.origins);
        let names = Self::reported(&groups)
            .into_iter()
            .map(|g| groups.names[g].clone())
            .collect::<Vec<_>>();
        daily::per_origin(&Self::daily_by_origin(), names.iter().map(String::as_str))
    }

    /// Writes the day's metrics and starts a new day's counts.
    pub(super) fn end_of_day(&mut self, row: &mut Row<'_>) {
        row.per_origin(self, self.reported.len(), &Self::daily_by_origin());
        self.by_origin.close_day();
    }
}
