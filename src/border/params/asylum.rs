//! Rules limiting asylum (`kind: "asylum_limits"`): their decision shares,
//! fading and pressure trigger, and the link by which one rule takes
//! another's strength (`strength_of`).

use serde::Deserialize;

use super::policy::{Action, Intervention};
use crate::validate::{Checks, Names};

/// A rule limiting asylum between ports, as the decision it puts to each
/// party about to cross (see `border::model::north`). Deterrence here is a
/// decision, not a delay: a party that gives up leaves the flow for good, one
/// that waits registers for CBP One (and faces the rule again if its
/// patience runs out).
#[derive(Debug, Clone, PartialEq)]
pub struct AsylumLimits {
    /// Share of the parties about to cross who give up (settle in Mexico or
    /// go home) [0–1], at the rule's full strength.
    pub leave: f64,
    /// Share who turn to CBP One instead [0–1], at full strength.
    pub wait: f64,
    /// Half-life of the rule's strength as people learn how it is applied
    /// [d]; `None`: it keeps its strength.
    pub fade_days: Option<f64>,
    /// Between-ports apprehensions a day the rule can be applied to in full
    /// (screened under it, held, removed) [persons/day]. What people learn
    /// (at the pace of `fade_days`) is the share of crossers it is applied
    /// to, min(1, this / the 7-day mean of national apprehensions): its
    /// strength relaxes toward that share, not toward 0. 0 (the default):
    /// it is applied to nobody in the long run and fades away entirely.
    /// Why a capacity: the same rule that deters while crossings are few
    /// enough to apply it to most crossers loses its force once they
    /// outnumber what the agencies can process, so its effect depends on the
    /// flow it meets (2023 against 2024).
    pub applied_per_day: f64,
    /// A family's shares (`leave`, `wait`) as a multiple of a single
    /// traveller's [0–1]. Each rule's own, not taken by `strength_of`: a
    /// rule's text says whom it covers (the June 2024 proclamation excepted
    /// unaccompanied children, not families), where how strongly it was
    /// applied is what a fit of another rule can carry.
    pub families_factor: f64,
    /// With `strength_of`, the capacity as a multiple of the named rule's
    /// [×] (1 otherwise). Why: a rule whose decision shares are borrowed
    /// from a fitted one may have been applied with other means (the June
    /// 2024 proclamation came with more removal flights and a stricter
    /// screening than the 2023 rule); no data before 2024 can size that,
    /// so it is a what-if and a sensitivity, 1 in the shipped hindcast.
    pub capacity_factor: f64,
    /// Origin indices it applies to; empty = every origin.
    pub origins: Vec<usize>,
    /// Applies only while national between-ports pressure keeps it on.
    pub trigger: Option<LimitTrigger>,
    /// The rule (intervention index) whose shares and fading this one
    /// copies (`strength_of`), resolved after every intervention is read;
    /// `None`: its own.
    pub strength_of: Option<usize>,
}

/// When a rule limiting asylum is on, by national between-ports pressure
/// (the June 2024 proclamation's mechanism), with hysteresis: on when the
/// 7-day mean of USBP apprehensions exceeds `on_above_per_day`, off once it
/// has stayed below `off_below_per_day` for `off_after_days` days.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitTrigger {
    /// Threshold that turns the rule on [apprehensions/day, 7-day mean].
    pub on_above_per_day: f64,
    /// Threshold below which the rule counts down to off [apprehensions/day, 7-day mean].
    pub off_below_per_day: f64,
    /// Days below `off_below_per_day` before the rule is off [d].
    pub off_after_days: u32,
}

/// A rule's strength as written: its own shares and fading, or a link to
/// another rule's (`strength_of`, resolved by [`link_strengths`]).
pub(super) struct Strength {
    /// Share who give up [0–1], if written.
    pub leave_share: Option<f64>,
    /// Share who turn to CBP One [0–1], if written.
    pub wait_share: Option<f64>,
    /// Half-life [d], if written.
    pub fade_days: Option<f64>,
    /// Capacity to apply it [persons/day], if written.
    pub applied_per_day: Option<f64>,
    /// Capacity as a multiple of the linked rule's [×], if written.
    pub capacity_factor: Option<f64>,
    /// Whether `strength_of` names another rule.
    pub linked: bool,
}

impl AsylumLimits {
    /// The half-life [d] at which people learn the share of crossers the
    /// rule is applied to, for a rule that fades and has a capacity; `None`
    /// for the others, whose strength has a closed form (1, or
    /// 0.5^(days since `from` / `fade_days`)).
    pub fn learning_half_life(&self) -> Option<f64> {
        self.fade_days.filter(|_| self.applied_per_day > 0.0)
    }

    /// Checks a rule at the current path: its own strength or a link (not
    /// both), the shares summing to at most 1, the half-life and the
    /// trigger; `None` if an origin was unknown. A linked rule's shares
    /// stay 0 until [`link_strengths`] copies them.
    pub(super) fn check(
        c: &mut Checks,
        strength: Strength,
        families_factor: Option<f64>,
        origins: Option<Vec<usize>>,
        trigger: Option<LimitTrigger>,
    ) -> Option<AsylumLimits> {
        let Strength {
            leave_share,
            wait_share,
            fade_days,
            applied_per_day,
            capacity_factor,
            linked,
        } = strength;
        if linked {
            let own = [
                ("leave_share", leave_share.is_some()),
                ("wait_share", wait_share.is_some()),
                ("fade_days", fade_days.is_some()),
                ("applied_per_day", applied_per_day.is_some()),
            ];
            for (field, given) in own {
                if given {
                    c.fail(
                        field,
                        "not allowed with `strength_of`, which takes the shares, fading and \
                         capacity of the rule it names",
                    );
                }
            }
        } else if leave_share.is_none() {
            c.fail(
                "leave_share",
                "missing: a rule limiting asylum needs `leave_share` (or `strength_of`)",
            );
        }
        let (leave, wait) = (leave_share.unwrap_or(0.0), wait_share.unwrap_or(0.0));
        c.probability("leave_share", leave);
        c.probability("wait_share", wait);
        if leave + wait > 1.0 {
            c.fail(
                "wait_share",
                format!(
                    "`leave_share` + `wait_share` must be at most 1 (got {})",
                    leave + wait
                ),
            );
        }
        if let Some(h) = fade_days {
            c.within("fade_days", h, 1.0, 1e5);
        }
        let applied_per_day = applied_per_day.unwrap_or(0.0);
        c.within("applied_per_day", applied_per_day, 0.0, 1e7);
        let families_factor = families_factor.unwrap_or(1.0);
        c.probability("families_factor", families_factor);
        if capacity_factor.is_some() && !linked {
            c.fail(
                "capacity_factor",
                "only with `strength_of` (a rule's own capacity is `applied_per_day`)",
            );
        }
        let capacity_factor = capacity_factor.unwrap_or(1.0);
        c.within("capacity_factor", capacity_factor, 0.0, 1000.0);
        if let Some(t) = &trigger {
            c.at("trigger", |c| t.check(c));
        }
        Some(AsylumLimits {
            leave,
            wait,
            fade_days,
            applied_per_day,
            families_factor,
            capacity_factor,
            origins: origins?,
            trigger,
            strength_of: None,
        })
    }
}

impl LimitTrigger {
    /// Checks the thresholds at the current path: positive, the off
    /// threshold at most the on one (hysteresis), at least one day.
    fn check(&self, c: &mut Checks) {
        c.within("on_above_per_day", self.on_above_per_day, 0.0, 1e6);
        c.within("off_below_per_day", self.off_below_per_day, 0.0, 1e6);
        if self.off_below_per_day > self.on_above_per_day {
            c.fail(
                "off_below_per_day",
                format!(
                    "must be at most `on_above_per_day` ({}) (got {})",
                    self.on_above_per_day, self.off_below_per_day
                ),
            );
        }
        if self.off_after_days == 0 {
            c.fail("off_after_days", "must be at least 1 (got 0)");
        }
    }
}

/// Gives each rule in `links` the shares, fading and capacity (times its own
/// `capacity_factor`) of the rule it names,
/// which must be another rule limiting asylum with a strength of its own
/// (one link, no chains: the copy is what a reader of the scenario sees).
/// Problems are reported at `interventions[…].strength_of`.
pub(super) fn link_strengths(
    c: &mut Checks,
    links: &[(usize, String)],
    names: &Names,
    interventions: &mut [Option<Intervention>],
) {
    for (i, name) in links {
        c.at("interventions", |c| {
            c.at(&names.segment(*i), |c| {
                let j = names.resolve(c, "strength_of", name)?;
                let source = match interventions.get(j)?.as_ref().map(|iv| &iv.action) {
                    Some(Action::AsylumLimits(a)) if !links.iter().any(|(k, _)| *k == j) => {
                        a.clone()
                    }
                    Some(Action::AsylumLimits(_)) => {
                        c.fail(
                            "strength_of",
                            format!(
                                "\"{name}\" takes its own strength from another rule (or is this \
                                 one): name a rule with `leave_share`"
                            ),
                        );
                        return None;
                    }
                    Some(_) => {
                        c.fail(
                            "strength_of",
                            format!("\"{name}\" is not a rule limiting asylum (`asylum_limits`)"),
                        );
                        return None;
                    }
                    // It failed its own checks, already reported.
                    None => return None,
                };
                if let Some(Some(Intervention {
                    action: Action::AsylumLimits(a),
                    ..
                })) = interventions.get_mut(*i)
                {
                    a.leave = source.leave;
                    a.wait = source.wait;
                    a.fade_days = source.fade_days;
                    a.applied_per_day = source.applied_per_day * a.capacity_factor;
                    a.strength_of = Some(j);
                }
                Some(())
            })
        });
    }
}
