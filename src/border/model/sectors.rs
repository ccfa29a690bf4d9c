//! Between ports: crossing attempts by Border Patrol sector, custody,
//! expulsion or removal and retries, and the pressure on each sector.

use std::collections::VecDeque;

use rand::RngExt;

use super::context::{Ctx, exp};
use super::daily::{self, ByOrigin, Daily, Row};
use super::policy::Policy;
use super::ports::Ports;
use super::{BorderEvent, Step, level, outcome};
use crate::border::params::{BorderParams, OriginGroups, WhenFull};
use crate::engine::Scheduler;
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::Stream;

/// Whether a crossing attempt is apprehended, from one uniform draw `u` in
/// [0, 1): below `surrender` [0–1] the party surrenders and `u / surrender`
/// is again uniform, compared with `p_surrender` [0–1]; otherwise it evades
/// and `(u − surrender) / (1 − surrender)` is compared with `p_evade` [0–1].
/// One draw serves both choices, so a share of 0 gives exactly the old
/// comparison `u < p_evade` (same random stream, same numbers), and
/// changing `p_evade` changes only evaders' outcomes (common random
/// numbers).
fn apprehended(u: f64, surrender: f64, p_surrender: f64, p_evade: f64) -> bool {
    if u < surrender {
        u / surrender < p_surrender
    } else {
        (u - surrender) / (1.0 - surrender) < p_evade
    }
}

/// Border Patrol sectors.
pub(super) struct Sectors {
    /// People in custody by sector [persons].
    custody: Vec<u64>,
    /// Apprehensions by sector since the last midnight pressure check
    /// [persons].
    since_check: Vec<u64>,
    /// Apprehensions by sector on each of the last seven days
    /// [persons/day], oldest first.
    history: Vec<VecDeque<u64>>,
    /// Apprehensions by sector today, for the daily metric [persons].
    today: Vec<u64>,
    /// Apprehensions by origin group today, for the daily metric [persons].
    by_origin: ByOrigin,
    /// Title 42 in force: apprehended people are expelled, not removed.
    title42: bool,
    /// Apprehension, returns and retries.
    rng: Stream,
}

impl Sectors {
    /// Empty sectors.
    pub(super) fn new(p: &BorderParams, rng: Stream) -> Self {
        Self {
            custody: vec![0; p.sectors.len()],
            since_check: vec![0; p.sectors.len()],
            history: vec![VecDeque::new(); p.sectors.len()],
            today: vec![0; p.sectors.len()],
            by_origin: ByOrigin::new(p),
            title42: false,
            rng,
        }
    }

    /// Takes Title 42 from the policy in force.
    pub(super) fn apply_policy(&mut self, policy: &Policy) {
        self.title42 = policy.title42;
    }

    /// A crossing attempt between ports. The party surrenders (its origin's
    /// `surrender_share`, or the Title 42 one while that is in force) and is
    /// apprehended with `surrender_apprehension_prob`, or evades and is
    /// apprehended with the sector's probability, boosted by officers of
    /// closed ports; an evader not apprehended is a got-away.
    pub(super) fn cross(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
        ports: &Ports,
    ) {
        let p = ctx.p;
        let city = ctx.parties[slot].city as usize;
        let s = p.cities[city].sector;
        let sector = &p.sectors[s];
        // Officers of closed ports in the sector's cities reinforce it.
        let closed: f64 = p
            .cities
            .iter()
            .filter(|c| c.sector == s)
            .flat_map(|c| c.ports.iter())
            .map(|&k| 1.0 - ports.port_open(k))
            .sum();
        let p_app =
            (sector.apprehension_prob + sector.officers_boost_per_closed_port * closed).min(1.0);
        let origin = &p.origins[ctx.parties[slot].origin as usize];
        let surrender = if self.title42 {
            origin.surrender_share_under_title42
        } else {
            origin.surrender_share
        };
        let p_surrender = p.between_ports.surrender_apprehension_prob;
        let size = u64::from(ctx.parties.size(slot));
        let u = self.rng.random::<f64>();
        if apprehended(u, surrender, p_surrender, p_app) {
            ctx.today.usbp += size;
            ctx.today.family_encounter(size);
            self.today[s] += size;
            self.by_origin.add(ctx.parties[slot].origin, size);
            self.since_check[s] += size;
            let occupancy = self.custody[s] as f64;
            let full = occupancy + size as f64 > sector.custody_capacity;
            if full && p.between_ports.custody_when_full == WhenFull::Release {
                self.after_custody(ctx, sched, slot);
                return;
            }
            let slow = if full {
                (occupancy + size as f64) / sector.custody_capacity.max(1.0)
            } else {
                1.0
            };
            self.custody[s] += size;
            let pid = ctx.parties.goto(slot, level::CUSTODY);
            ctx.at(
                sched,
                sector.processing_hours / 24.0 * slow,
                pid,
                Step::CustodyRelease,
            );
        } else {
            ctx.today.gotaways += size;
            ctx.parties.finish(slot, outcome::GOT_AWAY);
        }
    }

    /// A party leaves Border Patrol custody after processing.
    pub(super) fn custody_release(
        &mut self,
        ctx: &mut Ctx<'_>,
        sched: &mut Scheduler<BorderEvent>,
        slot: u32,
    ) {
        let city = ctx.parties[slot].city as usize;
        let s = ctx.p.cities[city].sector;
        self.custody[s] -= u64::from(ctx.parties.size(slot));
        self.after_custody(ctx, sched, slot);
    }

    /// Shares of origin `o`'s apprehensions returned to Mexico (expelled
    /// under Title 42, removed under Title 8) and of those returned who try
    /// again [0–1], under the policy in force, for its families if `family`
    /// (see [`crate::border::params::Families`]; the origin's own shares
    /// without a `families` section).
    pub(super) fn returned(&self, p: &BorderParams, o: usize, family: bool) -> (f64, f64) {
        let origin = &p.origins[o];
        let bp = &p.between_ports;
        let (share, retry) = if self.title42 {
            let retry = origin
                .retry_after_expulsion
                .unwrap_or(bp.retry_after_expulsion);
            (origin.expelled_under_title42, retry)
        } else {
            (origin.removed_under_title8, bp.retry_after_removal)
        };
        match &p.families {
            Some(f) if family => (f.returned(self.title42, share), retry),
            _ => (share, retry),
        }
    }

    /// After processing: expelled or removed to Mexico (and maybe retry), or
    /// the final outcome "apprehended".
    fn after_custody(&mut self, ctx: &mut Ctx<'_>, sched: &mut Scheduler<BorderEvent>, slot: u32) {
        let p = ctx.p;
        let family = ctx.parties.is_family(slot);
        let (returned, retry) = self.returned(p, ctx.parties[slot].origin as usize, family);
        if self.rng.random::<f64>() < returned * retry {
            let pid = ctx.parties.goto(slot, level::WAITING_NORTH);
            let wait = exp(&mut self.rng, p.between_ports.retry_delay_days);
            ctx.at(sched, wait, pid, Step::Cross);
        } else {
            ctx.parties.finish(slot, outcome::APPREHENDED);
        }
    }

    /// Midnight: the apprehensions since the last check become the newest
    /// day of each sector's week of history.
    pub(super) fn roll_week(&mut self) {
        for (h, n) in self.history.iter_mut().zip(&mut self.since_check) {
            h.push_back(*n);
            if h.len() > 7 {
                h.pop_front();
            }
            *n = 0;
        }
    }

    /// Mean daily apprehensions in sector `s` over its week of history
    /// [persons/day].
    pub(super) fn pressure(&self, s: usize) -> f64 {
        let h = &self.history[s];
        h.iter().sum::<u64>() as f64 / h.len().max(1) as f64
    }

    /// Per-sector daily metrics.
    fn daily() -> [Daily<Sectors>; 1] {
        [Daily::new(
            "usbp_apprehensions",
            Unit::Persons,
            MetricKind::Count,
            "USBP apprehensions",
            |s, i| s.today[i] as f64,
        )]
    }

    /// Per-origin-group daily metrics, read from the sectors and the
    /// ports' day just ended: USBP apprehensions, and encounters (USBP
    /// apprehensions + OFO encounters), the count CBP publishes by
    /// citizenship (`cbp_sw_monthly_by_citizenship_fy23_fy24.csv`).
    fn daily_by_origin<'a>() -> [Daily<(&'a Sectors, &'a Ports)>; 2] {
        [
            Daily::new(
                "usbp_apprehensions",
                Unit::Persons,
                MetricKind::Count,
                "USBP apprehensions",
                |(s, _), g| s.by_origin.get(g),
            ),
            Daily::new(
                "encounters",
                Unit::Persons,
                MetricKind::Count,
                "Encounters (USBP + OFO)",
                |(s, ports), g| s.by_origin.get(g) + ports.ofo_of_group(g),
            ),
        ]
    }

    /// National encounters (USBP apprehensions + OFO encounters), the
    /// total of the per-origin ones.
    fn daily_national<'a>() -> [Daily<(&'a Sectors, &'a Ports)>; 1] {
        [Daily::new(
            "encounters",
            Unit::Persons,
            MetricKind::Count,
            "Encounters (USBP + OFO)",
            |(s, ports), _| {
                (0..s.by_origin.len())
                    .map(|g| s.by_origin.get(g) + ports.ofo_of_group(g))
                    .sum()
            },
        )]
    }

    /// Declared metrics, sector by sector, then national encounters, then
    /// origin group by origin group.
    pub(super) fn metrics(p: &BorderParams) -> Vec<MetricSpec> {
        let mut specs = daily::per_place(&Self::daily(), p.sectors.iter().map(|s| s.name.as_str()));
        specs.extend(daily::national(&Self::daily_national()));
        let groups = OriginGroups::of(&p.origins);
        specs.extend(daily::per_origin(
            &Self::daily_by_origin(),
            groups.names.iter().map(String::as_str),
        ));
        specs
    }

    /// Writes the day's metrics and starts a new day's counts; `ports`
    /// has ended the same day already (its OFO encounters by origin group
    /// go into the encounters).
    pub(super) fn end_of_day(&mut self, row: &mut Row<'_>, ports: &Ports) {
        row.per_place(self, self.today.len(), &Self::daily());
        let n = self.by_origin.len();
        row.national(&(&*self, ports), &Self::daily_national());
        row.per_origin(&(&*self, ports), n, &Self::daily_by_origin());
        self.today.iter_mut().for_each(|n| *n = 0);
        self.by_origin.close_day();
    }

    /// Custody within capacity where a full sector releases people.
    pub(super) fn check(&self, p: &BorderParams, violations: &mut Vec<String>) {
        if p.between_ports.custody_when_full != WhenFull::Release {
            return;
        }
        for (s, sector) in p.sectors.iter().enumerate() {
            if self.custody[s] as f64 > sector.custody_capacity {
                violations.push(format!(
                    "sector {}: {} in custody, capacity {}",
                    sector.name, self.custody[s], sector.custody_capacity
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::apprehended;

    /// Share of a fine grid of draws in [0, 1) that are apprehended.
    fn caught_share(surrender: f64, p_surrender: f64, p_evade: f64) -> f64 {
        let n = 100_000;
        let caught = (0..n)
            .filter(|&i| apprehended((i as f64 + 0.5) / n as f64, surrender, p_surrender, p_evade))
            .count();
        caught as f64 / n as f64
    }

    /// With no surrender the decision is the old `u < p` for every draw,
    /// bit for bit (the shipped baseline must not move).
    #[test]
    fn no_surrender_is_the_old_comparison() {
        for i in 0..1000 {
            let u = i as f64 / 1000.0 + 1e-4;
            for p in [0.0, 0.3, 0.85, 1.0] {
                assert_eq!(apprehended(u, 0.0, 1.0, p), u < p, "u {u}, p {p}");
            }
        }
    }

    /// The apprehended share is s·q + (1 − s)·p; on a grid of 100,000
    /// draws the only error is the grid's, under 1e-4.
    #[test]
    fn apprehended_share_mixes_surrender_and_evasion() {
        for (s, q, p) in [(0.6, 1.0, 0.85), (0.3, 0.95, 0.5), (1.0, 0.9, 0.2)] {
            let want = s * q + (1.0 - s) * p;
            let got = caught_share(s, q, p);
            assert!(
                (got - want).abs() < 1e-4,
                "s {s}, q {q}, p {p}: {got} vs {want}"
            );
        }
    }

    /// Raising the evaders' probability never changes a surrendering
    /// draw's outcome: draws below the share give the same answer.
    #[test]
    fn evasion_probability_touches_only_evaders() {
        let (s, q) = (0.6, 0.97);
        for i in 0..10_000 {
            let u = i as f64 / 10_000.0;
            let (low, high) = (apprehended(u, s, q, 0.5), apprehended(u, s, q, 0.95));
            if u < s {
                assert_eq!(low, high, "u {u}");
            } else {
                assert!(high || !low, "u {u}: caught at 0.5 but not at 0.95");
            }
        }
        assert!(caught_share(s, q, 0.95) > caught_share(s, q, 0.5));
    }
}
