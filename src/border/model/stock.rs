//! The stock of people waiting in central Mexico: parties stop there on
//! their way north and leave after an exponential time whose rate a policy
//! can scale (see [`crate::border::params::CentralStock`] for the why).

use rand::RngExt;
use rand_distr::{Binomial, Distribution};

use super::context::Ctx;
use super::daily::{Daily, Row};
use super::policy::Policy;
use super::{BorderEvent, Step, level};
use crate::border::params::BorderParams;
use crate::engine::Scheduler;
use crate::metrics::{MetricKind, MetricSpec, Unit};
use crate::rng::Stream;

/// The parties waiting in central Mexico.
pub(super) struct Stock {
    /// Slots of the parties in the stock, in no particular order (a leaving
    /// party is drawn at random and swapped out).
    waiting: Vec<u32>,
    /// People who stopped in the stock today [persons].
    entered_today: u64,
    /// People who left the stock today [persons].
    left_today: u64,
    /// Multiplier of the leaving rate in force [×].
    release: f64,
    /// Whether to stop, who leaves, and when in the day.
    rng: Stream,
}

impl Stock {
    /// An empty stock.
    pub(super) fn new(rng: Stream) -> Self {
        Self {
            waiting: Vec::new(),
            entered_today: 0,
            left_today: 0,
            release: 1.0,
            rng,
        }
    }

    /// Takes the release multiplier in force.
    pub(super) fn apply_policy(&mut self, policy: &Policy) {
        self.release = policy.stock_release;
    }

    /// A party has finished `leg` and has more of its route ahead: whether
    /// it stops in the stock (and is now in it). Draws nothing unless the
    /// leg ends at the stock's place, so a scenario without a stock keeps
    /// its random numbers.
    pub(super) fn stops(&mut self, ctx: &mut Ctx<'_>, slot: u32, leg: usize) -> bool {
        let Some(stock) = &ctx.p.central_stock else {
            return false;
        };
        let pt = ctx.parties[slot];
        if !stock.leg_ends_here[leg] || ctx.p.origins[pt.origin as usize].mexican {
            return false;
        }
        if self.rng.random::<f64>() >= stock.stay_share {
            return false;
        }
        ctx.parties.goto(slot, level::WAITING_CENTRAL);
        self.waiting.push(slot);
        self.entered_today += u64::from(pt.size);
        true
    }

    /// A released party sets off (`Step::LeaveStock`); the caller starts its
    /// next leg.
    pub(super) fn leave(&mut self, ctx: &Ctx<'_>, slot: u32) {
        self.left_today += u64::from(ctx.parties.size(slot));
    }

    /// Midnight: each party leaves with probability 1 − exp(−m / mean
    /// stay), m the release multiplier; the number leaving is one binomial
    /// draw and the leavers are drawn at random, each setting off at a
    /// uniform time of the day (`Step::LeaveStock`).
    pub(super) fn release(&mut self, ctx: &mut Ctx<'_>, sched: &mut Scheduler<BorderEvent>) {
        let Some(stock) = &ctx.p.central_stock else {
            return;
        };
        if self.waiting.is_empty() {
            return;
        }
        let q = 1.0 - (-self.release / stock.stay_days).exp();
        // `q` is in [0, 1) for the validated ranges (stay_days ≥ 0.1,
        // multiplier ≤ 100); a failed construction means no one leaves today.
        let leaving =
            Binomial::new(self.waiting.len() as u64, q).map_or(0, |b| b.sample(&mut self.rng));
        for _ in 0..leaving {
            let i = self.rng.random_range(0..self.waiting.len());
            let slot = self.waiting.swap_remove(i);
            let pid = ctx.parties.goto(slot, level::WAITING_CENTRAL);
            let at = self.rng.random::<f64>();
            ctx.at(sched, at, pid, Step::LeaveStock);
        }
    }

    /// The stock's daily metrics: declared only when the scenario has a
    /// stock, so other scenarios keep their columns.
    fn daily() -> [Daily<Day>; 3] {
        use MetricKind::{Count, Level};
        use Unit::Persons;
        [
            Daily::new(
                "waiting_central",
                Persons,
                Level,
                "Waiting in central Mexico",
                |d, _| d.held as f64,
            ),
            Daily::new(
                "stock_in",
                Persons,
                Count,
                "Stopping in central Mexico",
                |d, _| d.entered as f64,
            ),
            Daily::new(
                "stock_out",
                Persons,
                Count,
                "Leaving central Mexico for the border",
                |d, _| d.left as f64,
            ),
        ]
    }

    /// Declared daily metrics.
    pub(super) fn metrics(p: &BorderParams) -> Vec<MetricSpec> {
        if p.central_stock.is_some() {
            super::daily::national(&Self::daily())
        } else {
            Vec::new()
        }
    }

    /// Writes the day's metrics (if declared), the head count read from
    /// the ledger (people released today but not yet left included), and
    /// starts a new day.
    pub(super) fn end_of_day(&mut self, ctx: &Ctx<'_>, row: &mut Row<'_>) {
        if ctx.p.central_stock.is_some() {
            let day = Day {
                held: ctx.parties.level[level::WAITING_CENTRAL],
                entered: self.entered_today,
                left: self.left_today,
            };
            row.national(&day, &Self::daily());
        }
        self.entered_today = 0;
        self.left_today = 0;
    }
}

/// What the stock's daily metrics read at the day's end [persons].
struct Day {
    /// In the stock (the ledger's `WAITING_CENTRAL` level).
    held: u64,
    /// Stopped in it today.
    entered: u64,
    /// Left it today.
    left: u64,
}
