//! Calibration targets: observed monthly series (totals, or a breakdown by
//! place or origin scored as shares), what a replication says of them, the
//! distance the sampler minimises, and the posterior predictive scored
//! against them.
//!
//! The distance is measured in units of the stated model discrepancy, so
//! that "1" means "fits as well as the model can be expected to": each fit
//! month contributes `e = ln((sim + 1) / (obs + 1)) / σ` (a total) or
//! `e = TV(sim shares, obs shares) / σ_shares` (a breakdown), and
//! `ρ = sqrt(Σ w e² / Σ w)` with each series' weight spread evenly over its
//! months (so a long series does not outweigh a short one by its length).
//! Logarithms make a 10% miss on 20,000 Mexican detections count as much as
//! one on 250,000 USBP apprehensions.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::metrics::{DailySeries, MetricKind, MetricSpec, Unit};
use crate::results::score::{self as table, FitRow, ScoreRow};
use crate::scenario::{ObservedSeries, Role};
use crate::score::{self, Member};

/// What a target breaks its metric down by, for a share target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareBy {
    /// Places (sectors, ports).
    Place,
    /// Origin groups.
    Origin,
}

impl ShareBy {
    /// The dimension in words, for messages.
    pub fn word(self) -> &'static str {
        match self {
            ShareBy::Place => "place",
            ShareBy::Origin => "origin group",
        }
    }
}

/// The observed side of a target.
#[derive(Debug, Clone, PartialEq)]
pub enum Observed {
    /// Monthly totals [the metric's unit per month].
    Monthly(Vec<(NaiveDate, f64)>),
    /// Monthly amounts per group (normalised to shares when scored).
    Shares {
        /// Places or origins.
        by: ShareBy,
        /// The groups, in column order.
        groups: Vec<String>,
        /// Per month, the amount of each group.
        months: Vec<(NaiveDate, Vec<f64>)>,
    },
}

/// One validated target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The metric's name.
    pub metric: String,
    /// Its place (a monthly target), none for the national total.
    pub place: Option<String>,
    /// Its origin group (a monthly target), none for all origins.
    pub origin: Option<String>,
    /// Fitted, or only scored.
    pub role: Role,
    /// Relative weight in the distance.
    pub weight: f64,
    /// Where the numbers come from.
    pub source: String,
    /// The observed numbers.
    pub observed: Observed,
}

impl Target {
    /// A monthly target from a scenario's observed series.
    pub fn from_observed(o: &ObservedSeries) -> Self {
        Self {
            metric: o.metric.clone(),
            place: o.place.clone(),
            origin: o.origin.clone(),
            role: o.role,
            weight: o.weight,
            source: o.source.clone(),
            observed: Observed::Monthly(o.monthly.clone()),
        }
    }

    /// Its months, in order.
    pub fn months(&self) -> Vec<NaiveDate> {
        match &self.observed {
            Observed::Monthly(m) => m.iter().map(|x| x.0).collect(),
            Observed::Shares { months, .. } => months.iter().map(|x| x.0).collect(),
        }
    }

    /// A label for messages and tables (`usbp_apprehensions` at Tucson).
    pub fn describe(&self) -> String {
        let mut s = self.metric.clone();
        if let Some(p) = &self.place {
            s += &format!(" at {p}");
        }
        if let Some(o) = &self.origin {
            s += &format!(" of {o}");
        }
        if let Observed::Shares { by, .. } = &self.observed {
            s += match by {
                ShareBy::Place => " (shares by place)",
                ShareBy::Origin => " (shares by origin)",
            };
        }
        s
    }

    /// The daily columns this target reads, one for a monthly target and
    /// one per group for a share target; the error names what is missing.
    pub fn columns(&self, metrics: &[MetricSpec]) -> Result<Vec<(usize, MetricKind)>, String> {
        let find = |place: &Option<String>, origin: &Option<String>| {
            metrics
                .iter()
                .position(|m| {
                    m.name == self.metric
                        && &m.place == place
                        && &m.origin == origin
                        && m.scenario.is_none()
                })
                .map(|i| (i, metrics[i].kind))
        };
        let missing = |what: String| {
            let known: Vec<String> = metrics
                .iter()
                .filter(|m| m.name == self.metric)
                .map(|m| m.key())
                .collect();
            if known.is_empty() {
                format!(
                    "the model has no metric \"{}\"{}",
                    self.metric,
                    crate::validate::suggest(&self.metric, metrics.iter().map(|m| m.name.clone()))
                )
            } else {
                format!(
                    "the model has no column {what}; it has {}",
                    known.join(", ")
                )
            }
        };
        match &self.observed {
            Observed::Monthly(_) => find(&self.place, &self.origin)
                .map(|c| vec![c])
                .ok_or_else(|| missing(self.describe())),
            Observed::Shares { by, groups, .. } => {
                let mut found = Vec::new();
                let mut unknown = Vec::new();
                for g in groups {
                    let (p, o) = self.cell(*by, g);
                    match find(&p, &o) {
                        Some(c) => found.push(c),
                        None => unknown.push(g.as_str()),
                    }
                }
                if unknown.is_empty() {
                    return Ok(found);
                }
                // The groups the model has along the same dimension, the
                // other one held as the target gives it.
                let known: Vec<String> = metrics
                    .iter()
                    .filter(|m| m.name == self.metric && m.scenario.is_none())
                    .filter_map(|m| match by {
                        ShareBy::Place if m.origin == self.origin => m.place.clone(),
                        ShareBy::Origin if m.place == self.place => m.origin.clone(),
                        _ => None,
                    })
                    .collect();
                if known.is_empty() {
                    let g = unknown[0];
                    let (place, origin) = self.cell(*by, g);
                    let mut spec =
                        MetricSpec::new(&self.metric, Unit::Persons, MetricKind::Count, "");
                    spec.place = place;
                    spec.origin = origin;
                    return Err(missing(spec.key()));
                }
                let what = by.word();
                Err(unknown
                    .iter()
                    .map(|g| {
                        format!(
                            "{} has no {what} \"{g}\"{}",
                            self.metric,
                            crate::validate::suggest(g, known.iter().cloned())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "))
            }
        }
    }

    /// The (place, origin) of group `g` of a breakdown by `by`: the group
    /// along its dimension, the target's own value along the other.
    fn cell(&self, by: ShareBy, g: &str) -> (Option<String>, Option<String>) {
        match by {
            ShareBy::Place => (Some(g.to_string()), self.origin.clone()),
            ShareBy::Origin => (self.place.clone(), Some(g.to_string())),
        }
    }
}

/// A target bound to one experiment and calendar: which columns and days
/// each of its months reads.
#[derive(Debug, Clone)]
pub struct Bound {
    /// Index of the target in the calibration.
    pub target: usize,
    /// Columns and their kinds.
    pub columns: Vec<(usize, MetricKind)>,
    /// (month, first day, last day + 1, observed values) of the months the
    /// calendar covers in full.
    pub months: Vec<(NaiveDate, u32, u32, Vec<f64>)>,
}

/// Binds `targets` (those with role `only`, or all) to the experiment's
/// `metrics` and `calendar`; months not wholly simulated are left out.
pub fn bind(
    targets: &[Target],
    only: Option<Role>,
    metrics: &[MetricSpec],
    calendar: &Calendar,
) -> Result<Vec<Bound>, String> {
    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        if only.is_some_and(|r| r != t.role) {
            continue;
        }
        let columns = t.columns(metrics)?;
        let observed: Vec<(NaiveDate, Vec<f64>)> = match &t.observed {
            Observed::Monthly(m) => m.iter().map(|&(d, v)| (d, vec![v])).collect(),
            Observed::Shares { months, .. } => months.clone(),
        };
        let months = observed
            .into_iter()
            .filter_map(|(month, values)| {
                let (from, to) = calendar.whole_month(month)?;
                Some((month, from, to, values))
            })
            .collect();
        out.push(Bound {
            target: i,
            columns,
            months,
        });
    }
    Ok(out)
}

/// One month's value of a column: the month's total of a count, the mean
/// of a level or a daily mean, the last day of a running total.
pub fn month_value(
    daily: &DailySeries,
    (column, kind): (usize, MetricKind),
    from: u32,
    to: u32,
) -> f64 {
    let (from, to) = (from as usize, to as usize);
    match kind {
        MetricKind::Count => daily.sum(column, from, to),
        MetricKind::Level | MetricKind::Mean => daily.sum(column, from, to) / (to - from) as f64,
        MetricKind::Cumulative => daily.get(to - 1, column),
    }
}

/// What one replication says of the bound targets: per bound target, per
/// month, one value per column.
pub type Simulated = Vec<Vec<Vec<f64>>>;

/// [`Simulated`] of one replication.
pub fn simulate(bound: &[Bound], daily: &DailySeries) -> Simulated {
    bound
        .iter()
        .map(|b| {
            b.months
                .iter()
                .map(|&(_, from, to, _)| {
                    b.columns
                        .iter()
                        .map(|&c| month_value(daily, c, from, to))
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The element-wise mean of several replications' [`Simulated`].
pub fn mean_of(reps: &[Simulated]) -> Simulated {
    let n = reps.len() as f64;
    let mut out = reps[0].clone();
    for rep in &reps[1..] {
        for (o, r) in out.iter_mut().zip(rep) {
            for (om, rm) in o.iter_mut().zip(r) {
                for (x, y) in om.iter_mut().zip(rm) {
                    *x += y;
                }
            }
        }
    }
    for o in &mut out {
        for m in o {
            for x in m {
                *x /= n;
            }
        }
    }
    out
}

/// The weighted mean over draws of each draw's mean over its
/// replications; `weights` sum to 1.
pub fn weighted_mean(runs: &[Vec<Simulated>], weights: &[f64]) -> Simulated {
    let mut out: Option<Simulated> = None;
    for (reps, &w) in runs.iter().zip(weights) {
        let m = mean_of(reps);
        match &mut out {
            None => {
                out = Some(
                    m.into_iter()
                        .map(|t| {
                            t.into_iter()
                                .map(|c| c.into_iter().map(|x| w * x).collect())
                                .collect()
                        })
                        .collect(),
                )
            }
            Some(acc) => {
                for (a, t) in acc.iter_mut().zip(m) {
                    for (am, tm) in a.iter_mut().zip(t) {
                        for (x, y) in am.iter_mut().zip(tm) {
                            *x += w * y;
                        }
                    }
                }
            }
        }
    }
    out.unwrap_or_default()
}

/// The discrepancy-scaled error of one month (see the module doc).
fn month_error(observed: &[f64], simulated: &[f64], sigma: f64, sigma_shares: f64) -> f64 {
    if observed.len() == 1 {
        ((simulated[0].max(0.0) + 1.0) / (observed[0] + 1.0)).ln() / sigma
    } else {
        let tv = score::tv_distance(simulated, observed);
        // A breakdown with nothing simulated at all is as far as can be.
        if tv.is_nan() {
            1.0 / sigma_shares
        } else {
            tv / sigma_shares
        }
    }
}

/// The distance ρ of simulated values from the observed (module doc), over
/// the bound fit targets with their weights; infinite when nothing is bound.
pub fn distance(
    bound: &[Bound],
    targets: &[Target],
    sim: &Simulated,
    sigma: f64,
    sigma_shares: f64,
) -> f64 {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (b, s) in bound.iter().zip(sim) {
        if b.months.is_empty() {
            continue;
        }
        let w = targets[b.target].weight / b.months.len() as f64;
        for ((_, _, _, obs), sm) in b.months.iter().zip(s) {
            let e = month_error(obs, sm, sigma, sigma_shares);
            sum += w * e * e;
            weights += w;
        }
    }
    if weights > 0.0 {
        (sum / weights).sqrt()
    } else {
        f64::INFINITY
    }
}

/// Relative discrepancy factors: `K` log-normal quantiles with median-free
/// mean 1, `exp(σ z_k)` for `z_k = Φ⁻¹((k + ½)/K)`, divided by their mean.
/// A simulated total × each factor (weight 1/K each) is the predictive
/// ensemble with the stated model discrepancy; deterministic, unlike draws.
pub fn discrepancy_factors(sigma: f64, k: usize) -> Vec<f64> {
    use statrs::distribution::{ContinuousCDF, Normal};
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    let raw: Vec<f64> = (0..k)
        .map(|i| (sigma * n.inverse_cdf((i as f64 + 0.5) / k as f64)).exp())
        .collect();
    let mean = raw.iter().sum::<f64>() / k as f64;
    raw.into_iter().map(|f| f / mean).collect()
}

/// Scores the posterior predictive: `runs[d][r]` is draw `d`'s replication
/// `r` ([`Simulated`] over `bound`), `weights[d]` the draw's weight. Monthly
/// totals are widened by the discrepancy `factors` before scoring; shares
/// are scored as simulated. Returns `fit.csv`'s and `score.csv`'s rows.
pub fn predictive(
    bound: &[Bound],
    targets: &[Target],
    runs: &[Vec<Simulated>],
    weights: &[f64],
    factors: &[f64],
) -> (Vec<FitRow>, Vec<ScoreRow>) {
    let mut fit = Vec::new();
    let mut scores = Vec::new();
    for (bi, b) in bound.iter().enumerate() {
        let t = &targets[b.target];
        let ensemble = |m: usize, c: usize, widen: bool| -> Vec<Member> {
            let mut e = Vec::new();
            for (d, reps) in runs.iter().enumerate() {
                let w = weights[d] / reps.len() as f64;
                for rep in reps {
                    let cell = &rep[bi][m];
                    let v = if cell.len() == 1 {
                        cell[0]
                    } else {
                        let total: f64 = cell.iter().sum();
                        if total > 0.0 {
                            cell[c] / total
                        } else {
                            f64::NAN
                        }
                    };
                    if widen {
                        e.extend(factors.iter().map(|f| (v * f, w / factors.len() as f64)));
                    } else {
                        e.push((v, w));
                    }
                }
            }
            e
        };
        match &t.observed {
            Observed::Monthly(_) => {
                let series = ObservedSeries {
                    metric: t.metric.clone(),
                    place: t.place.clone(),
                    origin: t.origin.clone(),
                    role: t.role,
                    weight: t.weight,
                    source: t.source.clone(),
                    monthly: b.months.iter().map(|m| (m.0, m.3[0])).collect(),
                };
                let months: Vec<(NaiveDate, f64, u32, u32)> =
                    b.months.iter().map(|m| (m.0, m.3[0], m.1, m.2)).collect();
                let ens: Vec<Vec<Member>> =
                    (0..months.len()).map(|m| ensemble(m, 0, true)).collect();
                let (rows, score) = table::score_monthly(&series, &months, &ens);
                fit.extend(rows);
                scores.push(score);
            }
            Observed::Shares { groups, by, .. } => {
                let (rows, score) = score_shares(t, *by, groups, b, &ensemble);
                fit.extend(rows);
                scores.push(score);
            }
        }
    }
    (fit, scores)
}

/// Fit rows (one per group and month, values as shares) and the score of a
/// share target.
fn score_shares(
    t: &Target,
    by: ShareBy,
    groups: &[String],
    b: &Bound,
    ensemble: &dyn Fn(usize, usize, bool) -> Vec<Member>,
) -> (Vec<FitRow>, ScoreRow) {
    let mut rows = Vec::new();
    let (mut tv, mut covered, mut cells, mut abs_err, mut n_err) =
        (0.0, 0usize, 0usize, 0.0, 0usize);
    for (m, (month, _, _, obs)) in b.months.iter().enumerate() {
        let total: f64 = obs.iter().sum();
        let mut means = Vec::with_capacity(groups.len());
        for (c, g) in groups.iter().enumerate() {
            let e = ensemble(m, c, false);
            let q = score::quantiles(&e, &[table::INTERVAL.0, 0.5, table::INTERVAL.1]);
            let mean = score::mean(&e);
            let observed = if total > 0.0 {
                obs[c] / total
            } else {
                f64::NAN
            };
            let rel_error = score::relative_error(mean, observed);
            if rel_error.is_finite() {
                abs_err += rel_error.abs();
                n_err += 1;
            }
            cells += 1;
            if q[0] <= observed && observed <= q[2] {
                covered += 1;
            }
            means.push(mean);
            let (place, origin) = t.cell(by, g);
            let (place, origin) = (place.unwrap_or_default(), origin.unwrap_or_default());
            rows.push(FitRow {
                metric: format!("{} (share)", t.metric),
                place,
                origin,
                role: t.role.name().into(),
                month: month.format("%Y-%m").to_string(),
                observed,
                mean,
                p05: q[0],
                p50: q[1],
                p95: q[2],
                rel_error,
            });
        }
        tv += score::tv_distance(&means, obs);
    }
    let n = b.months.len();
    let ratio = |x: f64, k: usize| if k == 0 { f64::NAN } else { x / k as f64 };
    let score = ScoreRow {
        metric: format!("{} (share)", t.metric),
        place: match by {
            ShareBy::Place => "by place".into(),
            ShareBy::Origin => t.place.clone().unwrap_or_default(),
        },
        origin: match by {
            ShareBy::Origin => "by origin".into(),
            ShareBy::Place => t.origin.clone().unwrap_or_default(),
        },
        role: t.role.name().into(),
        kind: "shares".into(),
        months: n,
        mean_abs_rel_error: ratio(abs_err, n_err),
        coverage90: ratio(covered as f64, cells),
        crps_rel: f64::NAN,
        tv_distance: ratio(tv, n),
    };
    (rows, score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrepancy_factors_keep_the_mean_and_spread_by_sigma() {
        let f = discrepancy_factors(0.2, 41);
        let mean = f.iter().sum::<f64>() / f.len() as f64;
        assert!((mean - 1.0).abs() < 1e-12);
        // The log spread of 41 stratified normal quantiles is σ within 5%
        // (stratification trims the tails a little).
        let logs: Vec<f64> = f.iter().map(|x| x.ln()).collect();
        let m = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd = (logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
        assert!((sd - 0.2).abs() < 0.01, "{sd}");
    }

    #[test]
    fn a_perfect_fit_has_distance_zero_and_ten_percent_off_is_its_share_of_sigma() {
        let d = |m: u32| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
        let t = Target {
            metric: "x".into(),
            place: None,
            origin: None,
            role: Role::Fit,
            weight: 1.0,
            source: String::new(),
            observed: Observed::Monthly(vec![(d(1), 999.0), (d(2), 1999.0)]),
        };
        let b = Bound {
            target: 0,
            columns: vec![(0, MetricKind::Count)],
            months: vec![(d(1), 0, 31, vec![999.0]), (d(2), 31, 60, vec![1999.0])],
        };
        let exact = vec![vec![vec![999.0], vec![1999.0]]];
        assert_eq!(
            distance(
                std::slice::from_ref(&b),
                std::slice::from_ref(&t),
                &exact,
                0.1,
                0.05
            ),
            0.0
        );
        // Both months ×1.1 (of obs + 1): e = ln(1.1) / 0.1 = 0.9531 each.
        let off = vec![vec![vec![1099.0], vec![2199.0]]];
        let rho = distance(&[b], &[t], &off, 0.1, 0.05);
        assert!((rho - 1.1f64.ln() / 0.1).abs() < 1e-3, "{rho}");
    }
}
