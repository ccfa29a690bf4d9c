//! Mexican enforcement as a mechanism, not a delay (issue #14): with the
//! attrition of relocation the calibration fitted
//! (`model.mexico.give_up_per_relocation`), more enforcement removes people
//! from the flow, so it lowers Border Patrol apprehensions in every month
//! after it starts. Without attrition (the hand baseline's 0) relocated
//! parties only come back, and by December the effect turned into a rise
//! (the revolving door the issue measured: +4,300, +1.7%).

use borderflow::scenario::source::set_path;

use super::border::Runs;
use super::calibrated_whatifs::{arm, calibrated, calibrated_base};
use crate::Effect;

/// The calibrated baseline with Mexico's enforcement ×1.5 everywhere from
/// `from` [date], named for it.
fn more_enforcement(from: &str) -> (ron::Value, String) {
    let mut v = calibrated();
    let more: ron::Value = ron::from_str(&format!(
        r#"(name: "Mexico +50%", kind: "mexico_enforcement", region: "all", multiplier: 1.5, from: "{from}")"#
    ))
    .unwrap();
    let name = format!("more-enforcement-from-{from}");
    set_path(&mut v, "name", ron::Value::String(name.clone())).unwrap();
    crate::interventions(&mut v).push(more);
    (v, name)
}

/// +50% enforcement from June 2023 and, separately, from October 2023 on
/// the calibrated baseline, each replication drawing its parameters from
/// the posterior (both arms the same draw): USBP falls in every month from
/// the start to January 2024, each paired 95% interval below zero. 6
/// replications, the two start months sharing one base arm with the
/// calibrated what-ifs (`calibrated_whatifs::calibrated_base`); measured with
/// the calibration of 1 Dec 2026 (35 parameters, the Title 8 rule with a
/// capacity): from June, −5,317 (June) to −8,779 (November), December
/// −4,475 (interval up to −1,048), January −11,140; from October, −7,822,
/// −9,832, −4,574 and −11,052 (upper ends −7,490, −8,485, −1,788 and
/// −9,005). December's fall is the smallest after the first month in
/// both: the December surge brings in people the extra enforcement has not
/// yet met. With 4 replications December's interval from June reached
/// +1,474 (the effect varies with the posterior draw), hence 6; 8 gave the
/// same picture (December −3,979, up to −1,517).
#[test]
fn more_enforcement_lowers_usbp_in_every_later_month() {
    let months = [
        "2023-06", "2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12", "2024-01",
    ];
    let starts = [("2023-06-01", &months[..]), ("2023-10-01", &months[4..])];
    // One base arm for both start months, and for the calibrated what-ifs.
    let base = calibrated_base();
    let usbp = |r: &Runs, month| r.month_sums("usbp_apprehensions", month);
    let mut failures = Vec::new();
    for (from, later) in starts {
        let (value, name) = more_enforcement(from);
        let more = arm(value, &name);
        for month in later {
            let Effect { mean, high, .. } = Effect::paired(&usbp(&more, month), &usbp(base, month));
            eprintln!(
                "enforcement +50% from {from}: USBP {month} {mean:+.0} (95% CI up to {high:+.0})"
            );
            if high >= 0.0 {
                failures.push(format!(
                    "from {from}, {month}: USBP change {mean:+.0} (95% CI up to {high:+.0})"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("; "));
}
