//! Departures from home follow the prospect at the border (issue 14, build
//! point 4: deterrence as a decision; `model.home_departures`): the origins
//! without a driver leave home at their written rates while the policy of
//! the first day holds, and at (learned prospect / first day's) ^
//! elasticity times those rates after it changes.
//!
//! The runs cut the hand baseline to 31 Jul 2023 (Title 42 ends on 11 May)
//! and compare one replication, the scenario's seed, with and without the
//! section: the differences before 11 May are exact, those after it
//! statistical only through the model's own randomness.

use borderflow::Scenario;
use borderflow::metrics::{DailySeries, MetricSpec};

/// Day index of 11 May 2023, when Title 42 ends, from the scenario start
/// (1 Jan 2023).
pub const TITLE_42_ENDS: usize = 130;

/// July 2023: days 181 – 211 from 1 Jan 2023.
pub const JULY: std::ops::Range<usize> = 181..212;

/// One replication of the scenario at `path` to 31 Jul 2023 with the model
/// `sections` (name, RON) added or replaced; its metrics and daily series.
pub fn run_with(path: &str, sections: &[(&str, &str)]) -> (Vec<MetricSpec>, DailySeries) {
    let mut v = crate::cut_to(path, (2023, 7, 31));
    for (name, section) in sections {
        crate::model_section(&mut v).insert(
            ron::Value::String((*name).into()),
            ron::from_str::<ron::Value>(section).unwrap(),
        );
    }
    replicate(v)
}

/// One replication (the scenario's seed) of the resolved scenario `v`; its
/// metrics and daily series.
pub fn replicate(v: ron::Value) -> (Vec<MetricSpec>, DailySeries) {
    let scn = Scenario::from_value(v, "sections").unwrap();
    let exp = scn.experiment();
    (exp.metrics(), exp.replicate(scn.seed, 0).daily)
}

/// [`run_with`] the baseline and `home_departures` (RON) when given.
fn run(departures: Option<&str>) -> (Vec<MetricSpec>, DailySeries) {
    let sections: &[(&str, &str)] = match &departures {
        Some(d) => &[("home_departures", d)],
        None => &[],
    };
    run_with(BASELINE, sections)
}

/// The hand baseline.
pub const BASELINE: &str = "scenarios/baseline.ron";

/// Whether every metric of days `days` is equal, to the bit.
pub fn same_days(a: &DailySeries, b: &DailySeries, days: std::ops::Range<usize>) -> bool {
    days.into_iter().all(|d| {
        let bits = |r: &[f64]| r.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        bits(a.row(d)) == bits(b.row(d))
    })
}

/// Elasticity 0 is the model without the section, to the bit; with an
/// elasticity, nothing changes while Title 42 holds (the prospect equals
/// the first day's, so the multiplier is exactly 1); after it, Hondurans,
/// who leave from home, come in far greater numbers, and Venezuelans, whose
/// departures are the Darién's, do not.
#[test]
fn departures_from_home_follow_the_end_of_title_42() {
    let (metrics, none) = run(None);
    let (_, off) = run(Some("(elasticity: 0.0, half_life_days: 10)"));
    let (_, on) = run(Some("(elasticity: 1.0, half_life_days: 10)"));
    assert!(
        same_days(&none, &off, 0..none.days()),
        "elasticity 0 changed the run"
    );
    assert!(
        same_days(&none, &on, 0..TITLE_42_ENDS),
        "the run changed before Title 42 ended"
    );
    assert!(
        !same_days(&none, &on, TITLE_42_ENDS..none.days()),
        "nothing changed after Title 42 ended"
    );
    // Mexico's detections of a group follow the people crossing Mexico,
    // not what happens at the US border, so they show the departures.
    let detections = crate::origins::by_origin(&metrics, "mx_detections");
    let july = |d: &DailySeries, origin| d.sum(detections[origin], JULY.start, JULY.end);
    let honduras = july(&on, "Honduras") / july(&none, "Honduras");
    let venezuela = july(&on, "Venezuela") / july(&none, "Venezuela");
    eprintln!(
        "July 2023 detections in Mexico, elasticity 1 / none: Honduras ×{honduras:.2}, Venezuela ×{venezuela:.2}"
    );
    // Hondurans' prospect goes from 0.15 / (1 − 0.85 × 0.6) = 0.306
    // (expelled under Title 42, 60% of them trying again) to 0.60 / (1 −
    // 0.40 × 0.15) = 0.638 (removed under Title 8): ×2.09 departures once
    // learned, and by July seven half-lives have passed. Detections lag
    // departures by the journey, and a larger flow meets full trucks and
    // papers offices, hence ±0.4; a rate that did not move, or one that
    // ignored the retries (×4), fails.
    assert!((1.7..2.5).contains(&honduras), "Hondurans ×{honduras:.2}");
    // Venezuelans' departures are unchanged; they share roads, trucks and
    // the random stream of arrivals with the others, hence ±25%.
    assert!(
        (0.75..1.25).contains(&venezuela),
        "Venezuelans ×{venezuela:.2}"
    );
}

/// Only the origins `home_departures` lists follow the prospect: with
/// Hondurans alone listed, Hondurans come in the same greater numbers after
/// Title 42 as when every origin follows it, and Mexicans, who would
/// follow it too when nobody is listed, come as without the section.
/// Measured (July 2023 against no section, elasticity 1): Hondurans
/// detected in Mexico ×2.02 (all follow) and ×2.03 (Hondurans listed),
/// asserted 1.7 – 2.5 as above; Mexicans encountered ×1.58 and ×1.00. The
/// ×1.00 is asserted within ±5%: the Mexicans' own rate is untouched, and
/// only the shared roads and random stream move them; ×1.58 above 1.3, so
/// the list is what keeps them out.
#[test]
fn only_the_listed_origins_follow_the_prospect() {
    let (metrics, none) = run(None);
    let (_, all) = run(Some("(elasticity: 1.0, half_life_days: 10)"));
    let (_, listed) = run(Some(
        r#"(elasticity: 1.0, half_life_days: 10, origins: ["Honduras"])"#,
    ));
    assert!(
        same_days(&none, &listed, 0..TITLE_42_ENDS),
        "the run changed before Title 42 ended"
    );
    let detections = crate::origins::by_origin(&metrics, "mx_detections");
    let encounters = crate::origins::by_origin(&metrics, "encounters");
    let july = |d: &DailySeries, col: usize| d.sum(col, JULY.start, JULY.end);
    let honduras = |d| july(d, detections["Honduras"]) / july(&none, detections["Honduras"]);
    let mexico = |d| july(d, encounters["Mexico"]) / july(&none, encounters["Mexico"]);
    let (h_all, h_listed) = (honduras(&all), honduras(&listed));
    let (m_all, m_listed) = (mexico(&all), mexico(&listed));
    eprintln!(
        "July 2023 against no section: Hondurans detected in Mexico ×{h_all:.2} (all follow) ×{h_listed:.2} (Hondurans listed); Mexicans encountered ×{m_all:.2} ×{m_listed:.2}"
    );
    assert!((1.7..2.5).contains(&h_listed), "Hondurans ×{h_listed:.2}");
    assert!(
        m_all > 1.3,
        "Mexicans ×{m_all:.2} when every origin follows"
    );
    assert!(
        (m_listed - 1.0).abs() < 0.05,
        "Mexicans ×{m_listed:.2} when only Hondurans are listed"
    );
}
