//! Observed caravans: a scenario's `observed_caravans:` list, a real
//! caravan's reported position and size by date, drawn on the caravans
//! chart beside the simulated caravan of the same name. Like `observed:`,
//! it is never an input to the model.
//!
//! ```ron
//! observed_caravans: [
//!     (caravan: "Exodo de la pobreza", source: "press reports (…csv)",
//!      days: [(date: "2023-12-24", km: 15, size: 8000), (date: "2023-12-25", km: 45)]),
//! ],
//! ```

use chrono::NaiveDate;
use serde::Deserialize;

use crate::validate::Checks;

/// A caravan as written in the scenario.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawObservedCaravan {
    caravan: String,
    #[serde(default)]
    source: String,
    days: Vec<RawDay>,
}

/// One reported day as written in the scenario.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: String,
    #[serde(default, deserialize_with = "crate::validate::some")]
    km: Option<f64>,
    #[serde(default, deserialize_with = "crate::validate::some")]
    size: Option<f64>,
}

/// A real caravan's reported days, for the caravans chart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObservedCaravan {
    /// The simulated caravan it compares with (`model.caravans[].name`); a
    /// scenario without that caravan (a what-if that removes it) only has
    /// no chart to draw it on.
    pub caravan: String,
    /// Where the numbers come from.
    pub source: String,
    /// Reported days, in date order.
    pub days: Vec<CaravanDay>,
}

/// One reported day of a caravan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaravanDay {
    /// The day.
    pub date: NaiveDate,
    /// Road distance from where it set off [km], where reported.
    pub km: Option<f64>,
    /// Members [persons], where a number was reported.
    pub size: Option<f64>,
}

/// Checks the scenario's `observed_caravans` (problems at
/// `observed_caravans[i].days[j].km` and so on).
pub(super) fn check(raw: &[RawObservedCaravan], checks: &mut Checks) -> Vec<ObservedCaravan> {
    let mut out = Vec::new();
    for (i, c) in raw.iter().enumerate() {
        let at = format!("observed_caravans[{i}]");
        checks.nonempty(format!("{at}.caravan"), &c.caravan);
        if c.days.is_empty() {
            checks.fail(format!("{at}.days"), "must list at least one day");
        }
        let mut days = Vec::new();
        for (j, d) in c.days.iter().enumerate() {
            let path = format!("{at}.days[{j}]");
            if d.km.is_none() && d.size.is_none() {
                checks.fail(&path, "gives neither `km` nor `size`");
            }
            if let Some(km) = d.km {
                checks.non_negative(format!("{path}.km"), km);
            }
            if let Some(size) = d.size {
                checks.non_negative(format!("{path}.size"), size);
            }
            if let Some(date) = checks.date(format!("{path}.date"), &d.date) {
                days.push(CaravanDay {
                    date,
                    km: d.km,
                    size: d.size,
                });
            }
        }
        if days.windows(2).any(|w| w[0].date >= w[1].date) {
            checks.fail(
                format!("{at}.days"),
                "dates must be in increasing order without repeats",
            );
        }
        out.push(ObservedCaravan {
            caravan: c.caravan.clone(),
            source: c.source.clone(),
            days,
        });
    }
    out
}
