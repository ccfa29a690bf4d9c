//! Containment in the north (issue #14, point 3): Mexico detecting the
//! parties that wait in the northern border cities
//! (`mexico.north_detection_per_day`, scaled by the `"north"` enforcement
//! multiplier) and relocating them south, as it did from the border cities
//! in 2024.
//!
//! The runs cut the calibration base to 31 Mar 2023 (one replication, the
//! scenario's seed, invariants checked after every event).

use borderflow::Scenario;
use borderflow::montecarlo::Replication;
use borderflow::scenario::source::set_path;
use ron::Value;

/// The calibration base to 31 Mar 2023 with containment `hazard` [1/d] and
/// the detention outcome shares given (relocate, papers, deport, settle),
/// replication 0 checked, and the daily metric names.
fn run(hazard: f64, outcomes: Option<[f64; 4]>) -> (Replication, Vec<String>) {
    let mut v = crate::cut_to("scenarios/calibration/base-2023.ron", (2023, 3, 31));
    let n = |x: f64| Value::Number(x.into());
    set_path(&mut v, "model.mexico.north_detection_per_day", n(hazard)).unwrap();
    if let Some(o) = outcomes {
        for (field, x) in [
            "relocate_share",
            "papers_share",
            "deport_share",
            "settle_share",
        ]
        .iter()
        .zip(o)
        {
            set_path(&mut v, &format!("model.mexico.{field}"), n(x)).unwrap();
        }
    }
    let scn = Scenario::from_value(v, "containment").unwrap();
    let exp = scn.experiment();
    let rep = exp.replicate_checked(scn.seed, 0);
    assert!(rep.violations.is_empty(), "{:?}", rep.violations);
    (rep, exp.metric_names())
}

/// The total of metric `m` over the run.
fn total(r: &(Replication, Vec<String>), m: &str) -> f64 {
    let col = r.1.iter().position(|n| n == m).expect(m);
    r.0.daily.sum(col, 0, r.0.daily.days())
}

/// Containment catches people who waited in the north: Mexico's
/// detections rise and Border Patrol's apprehensions fall, both by
/// thousands. A hazard of 0.3 a day against waits of 1.5–3 days to
/// arrange a crossing catches about a third to a half of each attempt
/// (0.3·D / (1 + 0.3·D)), and nearly every CBP One registrant (who waits
/// weeks); most of them are relocated south and come back, so the fall is
/// smaller than the catch but cannot vanish. Measured: detections 125,295
/// → 534,330 (the registrants, caught again and again), USBP 467,592 →
/// 390,558; the bounds (+20,000, −10,000) only ask for the direction with
/// a margin far above one replication's noise (±1–2%).
#[test]
fn containment_in_the_north_moves_catches_from_the_us_to_mexico() {
    let (none, some) = (run(0.0, None), run(0.3, None));
    let (mx0, mx1) = (total(&none, "mx_detections"), total(&some, "mx_detections"));
    let (us0, us1) = (
        total(&none, "usbp_apprehensions"),
        total(&some, "usbp_apprehensions"),
    );
    eprintln!("Jan–Mar 2023: Mexico's detections {mx0:.0} → {mx1:.0}, USBP {us0:.0} → {us1:.0}");
    assert!(
        mx1 > mx0 + 20_000.0,
        "Mexico's detections {mx0:.0} → {mx1:.0}"
    );
    assert!(us1 < us0 - 10_000.0, "USBP {us0:.0} → {us1:.0}");
}

/// A party detected in its northern city and released with papers takes
/// up its plan there again (it is not sent back along a finished route):
/// with every detention ending in papers, containment only delays, so
/// nobody is returned or settles through it and the invariants hold.
#[test]
fn a_party_released_in_the_north_takes_up_its_plan_again() {
    let papers = Some([0.0, 1.0, 0.0, 0.0]);
    let (none, some) = (run(0.0, papers), run(0.3, papers));
    for outcome in ["outcome:returned_by_mexico", "outcome:settled_in_mexico"] {
        let (a, b) = (none.0.daily.days(), some.0.daily.days());
        let col = none.1.iter().position(|n| n == outcome).expect(outcome);
        let (x, y) = (none.0.daily.get(a - 1, col), some.0.daily.get(b - 1, col));
        assert_eq!(x, y, "{outcome}: {x} → {y}");
    }
    assert!(total(&some, "mx_detections") > total(&none, "mx_detections"));
}
