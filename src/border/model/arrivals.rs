//! Arrivals: the non-homogeneous Poisson process of travel parties by origin
//! group, each with a size and a plan at the border.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::BorderEvent;
use super::context::{Ctx, day_of};
use super::level;
use super::parties::{PLAN_CBP_ONE, PLAN_CROSS, PLAN_WALK_UP};
use crate::border::params::{Action, BorderParams};
use crate::engine::{DAY, Scheduler, SimTime};
use crate::rng::Stream;

/// The arrival process and its random stream.
pub(super) struct Arrivals {
    /// Arrival rate by origin and day, with surges [parties/s].
    party_rates: Vec<Vec<f64>>,
    /// Probability that a party of each origin is a family, as written
    /// [0–1].
    family_party: Vec<f64>,
    /// The same today: `family_party` unless families and single
    /// travellers depart at different rates (see `learn_prospects`) [0–1].
    family_now: Vec<f64>,
    /// Cumulative shares of family sizes 2, 3, … [0–1].
    family_cum: Vec<f64>,
    /// Multiplier of each origin's rate from the prospect it has learned
    /// [×]: 1 for an origin with a driver and without `home_departures`.
    departures: Vec<f64>,
    /// Prospect each origin's single travellers and families have learned,
    /// and the first day's [0–1].
    learned: Vec<[(f64, f64); 2]>,
    /// Gaps, party sizes and plans.
    rng: Stream,
}

impl Arrivals {
    /// The process over `days` days [d]: each origin's daily rate of people,
    /// with surges, turned into parties per second by its mean party size
    /// (so the rate of persons does not depend on `family_share`).
    pub(super) fn new(p: &BorderParams, days: u32, rng: Stream) -> Self {
        let mean_family: f64 = p
            .family_size_weights
            .iter()
            .enumerate()
            .map(|(i, w)| (i + 2) as f64 * w)
            .sum();
        let mut family_cum = Vec::new();
        let mut acc = 0.0;
        for w in &p.family_size_weights {
            acc += w;
            family_cum.push(acc);
        }
        let family_party: Vec<f64> = p
            .origins
            .iter()
            .map(|origin| family_party_share(origin.family_share, mean_family))
            .collect();
        let party_rates = family_party
            .iter()
            .enumerate()
            .map(|(o, q)| {
                let mean_size = 1.0 + q * (mean_family - 1.0);
                (0..days as usize)
                    .map(|d| {
                        let mut x = p.daily_rates[o][d];
                        for iv in &p.interventions {
                            if let Action::ArrivalSurge {
                                origins: ref who,
                                multiplier,
                            } = iv.action
                                && (who.is_empty() || who.contains(&o))
                                && (iv.from_day..iv.until_day).contains(&(d as i64))
                            {
                                x *= multiplier;
                            }
                        }
                        x / mean_size / DAY as f64
                    })
                    .collect()
            })
            .collect();
        Self {
            party_rates,
            family_now: family_party.clone(),
            family_party,
            family_cum,
            departures: vec![1.0; p.origins.len()],
            learned: vec![[(0.0, 0.0); 2]; p.origins.len()],
            rng,
        }
    }

    /// Midnight: each origin that leaves from home (no driver) learns
    /// today's `prospect(o, family)` of staying in the US [0–1], and its
    /// rate of departures follows (see
    /// [`crate::border::params::HomeDepartures`]); on the `first` day the
    /// prospect is also the reference. Nothing changes without
    /// `home_departures`.
    ///
    /// With `families` too, single travellers and families learn their
    /// own prospects and depart at their own rates, m_s and m_f times those
    /// written: of the parties, a share q (`family_party`) were families,
    /// so parties now depart at q·m_f + (1 − q)·m_s times the rate, and a
    /// party is a family with probability q·m_f / (q·m_f + (1 − q)·m_s).
    pub(super) fn learn_prospects(
        &mut self,
        p: &BorderParams,
        prospect: impl Fn(usize, bool) -> f64,
        first: bool,
    ) {
        let Some(d) = &p.home_departures else {
            return;
        };
        let kinds: &[bool] = if p.families.is_some() {
            &[false, true]
        } else {
            &[false]
        };
        for o in 0..p.origins.len() {
            if !d.follows[o] {
                continue;
            }
            let mut m = [1.0; 2];
            for &family in kinds {
                let now = prospect(o, family);
                let (learned, reference) = &mut self.learned[o][usize::from(family)];
                if first {
                    (*learned, *reference) = (now, now);
                } else {
                    *learned = d.learn(*learned, now);
                }
                m[usize::from(family)] = d.multiplier(*learned, *reference);
            }
            if kinds.len() == 1 {
                self.departures[o] = m[0];
            } else {
                let q = self.family_party[o];
                let (families, singles) = (q * m[1], (1.0 - q) * m[0]);
                self.departures[o] = families + singles;
                if families + singles > 0.0 {
                    self.family_now[o] = families / (families + singles);
                }
            }
        }
    }

    /// Schedules the next arrival of origin `o` after `from` [s]: exponential
    /// gaps at the day's rate; a gap that runs past midnight restarts at
    /// midnight with the next day's rate (exact for piecewise-constant rates,
    /// by memorylessness).
    pub(super) fn schedule_next(
        &mut self,
        ctx: &Ctx<'_>,
        origin: u16,
        from: SimTime,
        sched: &mut Scheduler<BorderEvent>,
    ) {
        let mut t0 = from;
        loop {
            let day = day_of(t0);
            if day >= ctx.days as usize {
                return;
            }
            let rate = self.party_rates[origin as usize][day] * self.departures[origin as usize];
            let day_end = (day as SimTime + 1) * DAY;
            if rate > 0.0 {
                let e: f64 = Exp1.sample(&mut self.rng);
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

    /// A party of origin `o` arrives: its size and plan are drawn and it is
    /// counted. It starts on foot at the river for an origin with a crossing,
    /// otherwise waiting at its start place. Returns its slot.
    pub(super) fn arrive(&mut self, ctx: &mut Ctx<'_>, o: u16) -> u32 {
        let origin = &ctx.p.origins[o as usize];
        let size = party_size(&mut self.rng, self.family_now[o as usize], &self.family_cum);
        ctx.today.arrivals += u64::from(size);
        let lvl = if origin.crossing.is_some() {
            level::TRANSIT + 3
        } else {
            level::WAITING_SOUTH
        };
        let u: f64 = self.rng.random();
        let plan = if u < origin.cbp_one_share {
            PLAN_CBP_ONE
        } else if u < origin.cbp_one_share + origin.walkup_share {
            PLAN_WALK_UP
        } else {
            PLAN_CROSS
        };
        ctx.parties.add(o, size, lvl, plan)
    }
}

/// Probability that a party is a family [0–1] when a share `s` [0–1] of
/// persons travel in families of mean size `m` [persons/party, ≥ 2].
///
/// Out of `n` parties, `q·n` families hold `q·n·m` persons and `(1 − q)·n`
/// single travellers hold one each, so the share of persons in families is
/// `s = q·m / (q·m + 1 − q)`. Solving for `q`: `q·m·(1 − s) = s·(1 − q)`,
/// hence `q = s / (s + (1 − s)·m)`. It is 0 at `s = 0`, 1 at `s = 1`, and
/// below `s` in between since families carry several persons each.
pub(super) fn family_party_share(s: f64, m: f64) -> f64 {
    let denominator = s + (1.0 - s) * m;
    if denominator > 0.0 {
        s / denominator
    } else {
        0.0
    }
}

/// Size of one party [persons]: a family with probability `family_party`
/// [0–1], its size 2, 3, … drawn from the cumulative shares `family_cum`;
/// otherwise one person.
fn party_size(rng: &mut Stream, family_party: f64, family_cum: &[f64]) -> u32 {
    if rng.random::<f64>() < family_party {
        let u: f64 = rng.random();
        2 + family_cum.iter().position(|&c| u < c).unwrap_or(0) as u32
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// The baseline's family sizes 2, 3, 4, 5 as cumulative shares (mean
    /// 3.15 persons).
    const CUM: [f64; 4] = [0.30, 0.65, 0.90, 1.0];

    #[test]
    fn family_share_is_the_share_of_persons_in_families() {
        // 200,000 parties: the share of persons in families has a standard
        // error near 0.0015 at s = 0.4, so ±0.006 is four standard errors;
        // reading s as a share of parties would give 0.68.
        let q = family_party_share(0.4, 3.15);
        let mut rng = stream(1, 0, "arrivals");
        let (mut in_families, mut persons) = (0u64, 0u64);
        for _ in 0..200_000 {
            let n = u64::from(party_size(&mut rng, q, &CUM));
            persons += n;
            if n >= 2 {
                in_families += n;
            }
        }
        let share = in_families as f64 / persons as f64;
        assert!(
            (share - 0.4).abs() < 0.006,
            "share of persons in families {share:.4}"
        );
    }

    #[test]
    fn family_party_share_bounds() {
        assert_eq!(family_party_share(0.0, 3.15), 0.0);
        assert_eq!(family_party_share(1.0, 3.15), 1.0);
        // Exact: 0.4 / (0.4 + 0.6 · 3.15) = 0.4 / 2.29.
        assert!((family_party_share(0.4, 3.15) - 0.4 / 2.29).abs() < 1e-12);
    }
}
