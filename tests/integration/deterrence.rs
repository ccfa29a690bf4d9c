//! Deterrence as a decision (issue #14, point 4): a rule limiting asylum
//! (`kind: "asylum_limits"`) makes each party about to cross between ports
//! decide again, giving up (final outcome `settled_in_mexico`), turning to
//! CBP One, or going on; its strength can fade, and a pressure trigger can
//! turn it on and off (the June 2024 proclamation's 2,500/day rule).
//!
//! The runs cut the baseline to 31 Mar 2023 (one replication, the
//! scenario's seed, about a second each) and add one rule from 1 Feb 2023.
//! A rule whose shares are 1 acts on every attempt, so its effects are
//! exact, not statistical.

use std::path::Path;

use borderflow::Scenario;
use borderflow::runner::{RunOptions, run};
use borderflow::scenario::smoke::cut_horizon;
use borderflow::scenario::source::load_file;

/// The KPIs of one replication of the baseline to 31 Mar 2023, with the
/// rule `rule` (a RON intervention) added when given.
fn kpis(rule: Option<&str>) -> Vec<(String, f64)> {
    let end = chrono::NaiveDate::from_ymd_opt(2023, 3, 31).unwrap();
    let mut v = cut_horizon(load_file(Path::new("scenarios/baseline.ron")).unwrap(), end).unwrap();
    if let Some(r) = rule {
        crate::interventions(&mut v).push(ron::from_str(r).unwrap());
    }
    let scn = Scenario::from_value(v, "deterrence").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        replications: Some(1),
        out: Some(tmp.path().join("run")),
        threads: Some(1),
        progress: false,
        ..RunOptions::default()
    };
    let out = run(&scn, &opts, None).unwrap();
    out.kpis.iter().map(|(k, s)| (k.clone(), s.mean)).collect()
}

/// The baseline's KPIs, run once for every test of this file.
fn base() -> &'static [(String, f64)] {
    static BASE: std::sync::OnceLock<Vec<(String, f64)>> = std::sync::OnceLock::new();
    BASE.get_or_init(|| kpis(None))
}

/// KPI `name` of a run.
fn kpi(k: &[(String, f64)], name: &str) -> f64 {
    k.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no KPI {name}"))
        .1
}

/// A rule from 1 Feb 2023 with the given fields.
fn rule(fields: &str) -> String {
    format!(r#"(name: "Limits", kind: "asylum_limits", {fields}, from: "2023-02-01")"#)
}

/// Everyone gives up: no Border Patrol apprehension from the rule's first
/// day (the attempts of February and March all end in Mexico), January
/// untouched (the rule draws nothing before it is in force), and those who
/// gave up appear as settled in Mexico.
#[test]
fn a_rule_everyone_obeys_by_leaving_ends_crossings_between_ports() {
    let base = base();
    let all_leave = kpis(Some(&rule("leave_share: 1.0")));
    for month in ["2023-02", "2023-03"] {
        let name = format!("usbp_apprehensions:{month}");
        assert_eq!(kpi(&all_leave, &name), 0.0, "{name}");
    }
    let jan = "usbp_apprehensions:2023-01";
    assert_eq!(kpi(&all_leave, jan), kpi(base, jan));
    let settled = "outcome:settled_in_mexico";
    // At least the February–March apprehensions of the baseline (~290,000
    // persons, each a party that would have crossed) end in Mexico instead.
    let stopped = kpi(base, "usbp_apprehensions:2023-02") + kpi(base, "usbp_apprehensions:2023-03");
    assert!(
        kpi(&all_leave, settled) - kpi(base, settled) > 0.8 * stopped,
        "settled in Mexico {:.0} → {:.0}; baseline apprehensions Feb–Mar {stopped:.0}",
        kpi(base, settled),
        kpi(&all_leave, settled)
    );
}

/// Everyone waits: no apprehension either, but nobody gives up: they
/// register for CBP One, whose 740 slots a day cannot take them, so they
/// are still in the northern cities at the end.
#[test]
fn a_rule_everyone_obeys_by_waiting_fills_cbp_one() {
    let base = base();
    let all_wait = kpis(Some(&rule("leave_share: 0.0, wait_share: 1.0")));
    assert_eq!(kpi(&all_wait, "usbp_apprehensions:2023-03"), 0.0);
    let settled = "outcome:settled_in_mexico";
    assert_eq!(kpi(&all_wait, settled), kpi(base, settled));
    let stopped = kpi(base, "usbp_apprehensions:2023-02") + kpi(base, "usbp_apprehensions:2023-03");
    let waiting = "in_system_at_end";
    assert!(
        kpi(&all_wait, waiting) - kpi(base, waiting) > 0.5 * stopped,
        "in the system at the end {:.0} → {:.0}; baseline apprehensions Feb–Mar {stopped:.0}",
        kpi(base, waiting),
        kpi(&all_wait, waiting)
    );
    let entered = "outcome:entered_port";
    assert!(kpi(&all_wait, entered) >= kpi(base, entered));
}

/// A rule whose trigger never fires (on above 10⁶ a day) changes nothing,
/// to the bit. One that fires at once (national apprehensions run at about
/// 5,000 a day in January 2023) stops every crossing, so the 7-day mean
/// falls below 1,500 within days; 21 days later the rule is off and
/// crossings resume in March, where the same rule without a trigger keeps
/// them at zero.
#[test]
fn a_trigger_turns_the_rule_on_above_and_off_after_calm_days() {
    let base = base();
    let never = kpis(Some(&rule(
        "leave_share: 1.0, trigger: (on_above_per_day: 1000000, off_below_per_day: 1500, off_after_days: 21)",
    )));
    assert_eq!(never, base);
    let fires = kpis(Some(&rule(
        "leave_share: 1.0, trigger: (on_above_per_day: 2500, off_below_per_day: 1500, off_after_days: 21)",
    )));
    let (feb, mar) = ("usbp_apprehensions:2023-02", "usbp_apprehensions:2023-03");
    // On for about 26 of February's 28 days (mean below 1,500 after ~5
    // days, then 21 calm days).
    assert!(
        kpi(&fires, feb) < 0.2 * kpi(base, feb),
        "February {:.0} against {:.0}",
        kpi(&fires, feb),
        kpi(base, feb)
    );
    assert!(
        kpi(&fires, mar) > 0.0,
        "March: the rule should be off after 21 calm days"
    );
}

/// A fading rule: with a half-life of 14 days its strength falls from 1 to
/// 1/4 over February and to 1/19 by the end of March, so it stops far more
/// crossings in February than in March.
#[test]
fn a_fading_rule_stops_fewer_crossings_as_it_fades() {
    let base = base();
    let fading = kpis(Some(&rule("leave_share: 1.0, fade_days: 14")));
    let ratio = |m: &str| {
        let name = format!("usbp_apprehensions:{m}");
        kpi(&fading, &name) / kpi(base, &name)
    };
    let (feb, mar) = (ratio("2023-02"), ratio("2023-03"));
    eprintln!("fading rule: USBP February ×{feb:.3}, March ×{mar:.3} of the baseline");
    assert!(
        feb < 0.6 && mar > feb + 0.2,
        "February ×{feb:.3}, March ×{mar:.3}"
    );
}
