//! Arrivals: origin groups, where they enter, how they choose, and the monthly drivers of their daily rates.

use chrono::NaiveDate;
use serde::Deserialize;

use super::bare;
use super::transit::{Places, Route};
use crate::calendar::{Calendar, check_month};
use crate::validate::{Checks, Names, suggest};

/// A named monthly driver series as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDriver {
    pub(super) name: String,
    #[serde(default)]
    source: String,
    monthly: Vec<(String, f64)>,
}

/// A named monthly driver series, kept for documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// Name.
    pub name: String,
    /// Source line.
    pub source: String,
    /// (first day of month, value [persons/month]).
    pub monthly: Vec<(NaiveDate, f64)>,
}

impl RawDriver {
    /// Checks one driver at the current path: months in order, each value
    /// 0 to 10⁸ [persons/month].
    pub(super) fn check(self, c: &mut Checks) -> Driver {
        let mut monthly = Vec::new();
        c.at("monthly", |c| {
            for (j, (month, v)) in self.monthly.iter().enumerate() {
                c.index(j, |c| {
                    match check_month(month) {
                        Ok(date) => monthly.push((date, *v)),
                        Err(why) => c.fail("", why),
                    }
                    c.within("", *v, 0.0, 1e8);
                });
            }
        });
        if monthly.windows(2).any(|w| w[0].0 >= w[1].0) {
            c.fail(
                "monthly",
                "months must be in increasing order without repeats",
            );
        }
        Driver {
            name: self.name,
            source: self.source,
            monthly,
        }
    }
}

/// Days in the month starting at `m`.
fn days_in_month(m: NaiveDate) -> f64 {
    m.checked_add_months(chrono::Months::new(1))
        .map(|n| (n - m).num_days() as f64)
        .unwrap_or(30.0)
}

/// Daily rate of a monthly series at `date` [persons/day]: each month's mean
/// daily rate sits at the month's middle and rates are interpolated linearly
/// between middles (held flat before the first and after the last), so the
/// arrival process has no steps at month boundaries.
pub fn driver_rate(monthly: &[(NaiveDate, f64)], date: f64) -> f64 {
    let points: Vec<(f64, f64)> = monthly
        .iter()
        .map(|(m, v)| {
            let n = days_in_month(*m);
            (day_number(*m) + n / 2.0, v / n)
        })
        .collect();
    match points.as_slice() {
        [] => 0.0,
        [only] => only.1,
        _ => {
            if date <= points[0].0 {
                return points[0].1;
            }
            for w in points.windows(2) {
                if date <= w[1].0 {
                    let f = (date - w[0].0) / (w[1].0 - w[0].0);
                    return w[0].1 + f * (w[1].1 - w[0].1);
                }
            }
            points[points.len() - 1].1
        }
    }
}

/// Days since 1970-01-01 of a date, as a number [d].
fn day_number(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid")).num_days() as f64
}

/// An origin group as written: where it enters by name, its rate as a base
/// plus a multiple of a lagged driver.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrigin {
    pub(super) name: String,
    enters_at: String,
    #[serde(default)]
    mexican: bool,
    #[serde(default, deserialize_with = "bare")]
    driver: Option<String>,
    #[serde(default)]
    persons_per_driver_person: f64,
    #[serde(default)]
    driver_lag_days: f64,
    #[serde(default)]
    base_persons_per_day: f64,
    family_share: f64,
    wait_for_papers_share: f64,
    cbp_one_share: f64,
    walkup_share: f64,
    expelled_under_title42: f64,
    #[serde(default, deserialize_with = "bare")]
    retry_after_expulsion: Option<f64>,
    removed_under_title8: f64,
    #[serde(default)]
    surrender_share: f64,
    #[serde(default)]
    surrender_share_under_title42: Option<f64>,
}

/// An origin group: where its parties enter and how they choose.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// Name, e.g. "Venezuela".
    pub name: String,
    /// Southern crossing index, or `None` for an origin inside Mexico.
    pub crossing: Option<usize>,
    /// Place index where interior origins start (Mexican nationals).
    pub start_place: Option<usize>,
    /// Mexican nationals: not detained by Mexico's immigration agency.
    pub mexican: bool,
    /// Arrival rate without the driver [persons/day].
    pub base_persons_per_day: f64,
    /// The monthly driver its rate follows, by name, if any.
    pub driver: Option<String>,
    /// Arrivals per driver person [persons/person].
    pub persons_per_driver_person: f64,
    /// How long after the driver arrivals follow it [d].
    pub driver_lag_days: f64,
    /// Share of persons who travel in families (parties of 2 or more)
    /// [0–1]: a share of people, like CBP's family-unit (FMUA) share of
    /// encounters, not of parties; the arrivals turn it into the
    /// probability that a party is a family from the family sizes.
    pub family_share: f64,
    /// Share that queue for papers at the hub [0–1].
    pub wait_for_papers_share: f64,
    /// Share that register with CBP One in the north [0–1].
    pub cbp_one_share: f64,
    /// Share that walk up to a port without an appointment [0–1].
    pub walkup_share: f64,
    /// Share of USBP apprehensions expelled to Mexico under Title 42 [0–1].
    pub expelled_under_title42: f64,
    /// Share of those expelled to Mexico under Title 42 who try again
    /// [0–1], where the group's own differs from everyone's: Mexicans were
    /// expelled a few kilometres from home and smugglers sold them several
    /// attempts, where a Central American expelled to Mexico was far from
    /// home and from money. `None` (the default) takes
    /// `between_ports.retry_after_expulsion`.
    pub retry_after_expulsion: Option<f64>,
    /// Share of USBP apprehensions removed to Mexico under Title 8 [0–1].
    pub removed_under_title8: f64,
    /// Share of crossing attempts between ports in which the party seeks
    /// out Border Patrol to claim asylum instead of evading it [0–1]. Such a
    /// party is apprehended with `between_ports.surrender_apprehension_prob`
    /// and never becomes a got-away; an evader faces the sector's
    /// apprehension probability. 0 (the default) means everyone evades, the
    /// model before surrender existed, and draws no extra random number.
    pub surrender_share: f64,
    /// The same share while Title 42 is in force [0–1]: expulsion without an
    /// asylum hearing made evading more attractive. Defaults to
    /// `surrender_share`.
    pub surrender_share_under_title42: f64,
}

/// What an origin's names resolve against.
pub(super) struct OriginLinks<'a> {
    /// Southern crossings.
    pub crossings: &'a Names,
    /// Transit places.
    pub places: &'a Places,
    /// Routes (an interior origin must start where a route starts).
    pub routes: &'a [Route],
    /// Driver names.
    pub driver_names: &'a Names,
    /// Drivers, by the ids of `driver_names`.
    pub drivers: &'a [Driver],
}

impl RawOrigin {
    /// Checks one origin at the current path and computes its arrival rate
    /// on each day of `cal` [persons/day].
    pub(super) fn check(
        self,
        c: &mut Checks,
        cal: &Calendar,
        links: &OriginLinks,
    ) -> (Origin, Vec<f64>) {
        let (crossing, start_place) = self.entry(c, links);
        c.probability("family_share", self.family_share);
        c.probability("wait_for_papers_share", self.wait_for_papers_share);
        c.probability("cbp_one_share", self.cbp_one_share);
        c.probability("walkup_share", self.walkup_share);
        c.probability("expelled_under_title42", self.expelled_under_title42);
        if let Some(share) = self.retry_after_expulsion {
            c.probability("retry_after_expulsion", share);
        }
        c.probability("removed_under_title8", self.removed_under_title8);
        c.probability("surrender_share", self.surrender_share);
        if let Some(share) = self.surrender_share_under_title42 {
            c.probability("surrender_share_under_title42", share);
        }
        let surrender_t42 = self
            .surrender_share_under_title42
            .unwrap_or(self.surrender_share);
        if self.cbp_one_share + self.walkup_share > 1.0 {
            c.fail(
                "walkup_share",
                "cbp_one_share + walkup_share must be ≤ 1 (the rest cross between ports)",
            );
        }
        c.within("base_persons_per_day", self.base_persons_per_day, 0.0, 1e6);
        let per_driver = self.persons_per_driver_person;
        c.within("persons_per_driver_person", per_driver, 0.0, 1e3);
        c.within("driver_lag_days", self.driver_lag_days, 0.0, 365.0);
        let rates = self.daily_rates(c, cal, links);
        let origin = Origin {
            name: self.name,
            crossing,
            start_place,
            mexican: self.mexican,
            base_persons_per_day: self.base_persons_per_day,
            driver: self.driver,
            persons_per_driver_person: self.persons_per_driver_person,
            driver_lag_days: self.driver_lag_days,
            family_share: self.family_share,
            wait_for_papers_share: self.wait_for_papers_share,
            cbp_one_share: self.cbp_one_share,
            walkup_share: self.walkup_share,
            expelled_under_title42: self.expelled_under_title42,
            retry_after_expulsion: self.retry_after_expulsion,
            removed_under_title8: self.removed_under_title8,
            surrender_share: self.surrender_share,
            surrender_share_under_title42: surrender_t42,
        };
        (origin, rates)
    }

    /// Where the origin enters: a southern crossing, or (for an origin
    /// inside Mexico) a place where a route starts.
    fn entry(&self, c: &mut Checks, links: &OriginLinks) -> (Option<usize>, Option<usize>) {
        let crossing = links.crossings.get(&self.enters_at);
        if crossing.is_some() {
            return (crossing, None);
        }
        let starts = |k: usize| links.routes.iter().any(|r| r.from == k);
        match links.places.names.get(&self.enters_at) {
            Some(k) if starts(k) => (None, Some(k)),
            _ => {
                let place_names = links.places.names.names();
                let known = links
                    .crossings
                    .names()
                    .iter()
                    .cloned()
                    .chain(links.routes.iter().map(|r| place_names[r.from].clone()))
                    .collect::<Vec<_>>();
                c.fail(
                    "enters_at",
                    format!(
                        "\"{}\" is neither a southern crossing nor a place where a route starts{}",
                        self.enters_at,
                        suggest(&self.enters_at, known)
                    ),
                );
                (None, None)
            }
        }
    }

    /// Arrival rate on each day of `cal` [persons/day]: the base plus the
    /// driver's daily rate `driver_lag_days` earlier, times
    /// `persons_per_driver_person`.
    fn daily_rates(&self, c: &mut Checks, cal: &Calendar, links: &OriginLinks) -> Vec<f64> {
        let driver = match &self.driver {
            None => None,
            Some(d) => links.driver_names.resolve(c, "driver", d),
        };
        let rates: Vec<f64> = (0..cal.days)
            .map(|d| {
                let date = day_number(cal.date(d)) + 0.5 - self.driver_lag_days;
                let from_driver = driver
                    .and_then(|k| links.drivers.get(k))
                    .map_or(0.0, |dr| driver_rate(&dr.monthly, date));
                self.base_persons_per_day + self.persons_per_driver_person * from_driver
            })
            .collect();
        if rates.iter().any(|r| !r.is_finite() || *r > 1e6) {
            c.fail(
                "persons_per_driver_person",
                "gives an arrival rate above 1,000,000 persons/day",
            );
        }
        rates
    }
}

/// Name of the one origin group that collects every origin named
/// `Other …`.
pub const OTHER_GROUP: &str = "Other";

/// An origin group of the outputs and the data columns it stands for: the
/// citizenship codes of CBP's encounters by citizenship
/// (`cbp_sw_monthly_by_citizenship_fy23_fy24.csv`) and of Mexico's
/// detections by nationality
/// (`mexico_upm_irregular_events_monthly_by_nationality_2023_2024.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataGroup {
    /// The group's name in the outputs (`usbp_apprehensions::Venezuela`).
    pub name: &'static str,
    /// CBP citizenship codes summed into the group.
    pub cbp: &'static [&'static str],
    /// Mexico's (UPM) nationality codes summed into the group; empty for
    /// Mexicans, whom Mexico's immigration agency does not detect.
    pub upm: &'static [&'static str],
}

/// The one mapping between the model's origin groups and the data's
/// columns. Each named origin of the baseline is a group of its own, under
/// its own name. The two origins the model tells apart by route only,
/// "Other via Nicaragua" (flights to Managua, then north by land) and
/// "Other by air" (flights into Mexico), form one group, [`OTHER_GROUP`]:
/// no series counts encounters by route of travel, and the data lump the
/// same people together (CBP's `OOO` plus eleven small named nationalities
/// the model does not carry; Mexico's `OTHER` plus Senegal, Brazil and
/// China), so that is the finest split that can be scored.
pub const DATA_GROUPS: [DataGroup; 11] = [
    group("Mexico", &["MEX"], &[]),
    group("Venezuela", &["VEN"], &["VEN"]),
    group("Guatemala", &["GTM"], &["GTM"]),
    group("Honduras", &["HND"], &["HND"]),
    group("Cuba", &["CUB"], &["CUB"]),
    group("Colombia", &["COL"], &["COL"]),
    group("Ecuador", &["ECU"], &["ECU"]),
    group("Haiti", &["HTI"], &["HTI"]),
    group("Nicaragua", &["NIC"], &["NIC"]),
    group("El Salvador", &["SLV"], &["SLV"]),
    group(
        OTHER_GROUP,
        &[
            "OOO", "PER", "IND", "CHN", "BRA", "RUS", "TUR", "ROU", "UKR", "CAN", "PHL", "MMR",
        ],
        &["SEN", "BRA", "CHN", "OTHER"],
    ),
];

/// A row of [`DATA_GROUPS`].
const fn group(
    name: &'static str,
    cbp: &'static [&'static str],
    upm: &'static [&'static str],
) -> DataGroup {
    DataGroup { name, cbp, upm }
}

/// The output group of an origin named `name`: [`OTHER_GROUP`] for a name
/// beginning `Other` (see [`DATA_GROUPS`] for why they are one group), its
/// own name otherwise.
pub fn group_name(name: &str) -> &str {
    if name.starts_with(OTHER_GROUP) {
        OTHER_GROUP
    } else {
        name
    }
}

/// A scenario's origin groups: their names in order of first appearance
/// among the origins, and each origin's group.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginGroups {
    /// Group names, in order of first appearance.
    pub names: Vec<String>,
    /// Index in `names` of each origin's group, by origin index.
    pub of_origin: Vec<usize>,
    /// Whether a group holds only Mexican nationals (whom Mexico does not
    /// detect, so it has no `mx_detections`), by group index.
    pub mexican: Vec<bool>,
}

impl OriginGroups {
    /// The groups of `origins` (see [`group_name`]).
    pub fn of(origins: &[Origin]) -> Self {
        let mut g = Self {
            names: Vec::new(),
            of_origin: Vec::with_capacity(origins.len()),
            mexican: Vec::new(),
        };
        for o in origins {
            let name = group_name(&o.name);
            let k = match g.names.iter().position(|n| n == name) {
                Some(k) => {
                    g.mexican[k] &= o.mexican;
                    k
                }
                None => {
                    g.names.push(name.to_string());
                    g.mexican.push(o.mexican);
                    g.names.len() - 1
                }
            };
            g.of_origin.push(k);
        }
        g
    }
}
