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
    /// Cumulative shares of family sizes 2, 3, … [0–1].
    family_cum: Vec<f64>,
    /// Gaps, party sizes and plans.
    rng: Stream,
}

impl Arrivals {
    /// The process over `days` days [d]: each origin's daily rate of people,
    /// with surges, turned into parties per second by its mean party size.
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
        let party_rates = p
            .origins
            .iter()
            .enumerate()
            .map(|(o, origin)| {
                let mean_size = 1.0 + origin.family_share * (mean_family - 1.0);
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
            family_cum,
            rng,
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
            let rate = self.party_rates[origin as usize][day];
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
        let size = if self.rng.random::<f64>() < origin.family_share {
            let u: f64 = self.rng.random();
            2 + self.family_cum.iter().position(|&c| u < c).unwrap_or(0) as u32
        } else {
            1
        };
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
