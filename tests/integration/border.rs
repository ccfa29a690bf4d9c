//! Integration tests: the border model, its scenarios and its calibration.
//!
//! Replications run through the library API, a few per scenario, on both
//! cores. What-if comparisons use the same seeds as the baseline (common
//! random numbers), and each asserted difference is many times larger than
//! the replication-to-replication spread of the difference, so its sign is
//! not luck. Baseline runs are shared between tests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use borderflow::Scenario;
use borderflow::montecarlo::Replication;
use chrono::NaiveDate;
use rayon::prelude::*;

use super::progress::Progress;

/// Replications per scenario in the what-if tests.
const REPS: u64 = 4;

fn scenario_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(rel)
}

fn load(rel: &str) -> Scenario {
    Scenario::from_file(&scenario_path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A scenario with its replications (seeds 0..REPS under the scenario seed).
pub(super) struct Runs {
    scenario: Scenario,
    names: Vec<String>,
    reps: Vec<Replication>,
}

impl Runs {
    /// Runs `n` replications of scenario `rel`, saying so on the terminal:
    /// a what-if test spends most of its time here.
    fn new(rel: &str, n: u64) -> Self {
        let progress = Progress::start(format!("border {rel}"));
        progress.stage(&format!("simulating {n} replications"));
        let scenario = load(rel);
        let exp = scenario.experiment();
        let reps = (0..n)
            .into_par_iter()
            .map(|r| exp.replicate(scenario.seed, r))
            .collect();
        drop(exp);
        progress.stage(&format!("{n} replications done"));
        Self::of(scenario, reps)
    }

    /// Replications `reps` of `scenario` (or of scenarios of its shape, as
    /// posterior draws of it are), with its metric names.
    pub(super) fn of(scenario: Scenario, reps: Vec<Replication>) -> Self {
        let names = scenario.experiment().metric_names();
        Self {
            scenario,
            names,
            reps,
        }
    }

    fn col(&self, metric: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == metric)
            .unwrap_or_else(|| panic!("no metric {metric}"))
    }

    fn day(&self, date: &str) -> usize {
        let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
        self.scenario.calendar.day_index(d) as usize
    }

    /// Per replication: sum of `metric` over the dates `from..=to`.
    pub(super) fn sums(&self, metric: &str, from: &str, to: &str) -> Vec<f64> {
        let (c, a, b) = (self.col(metric), self.day(from), self.day(to) + 1);
        self.reps.iter().map(|r| r.daily.sum(c, a, b)).collect()
    }

    /// Per replication: sum of `metric` over the month `ym` ("2023-06"),
    /// the value of the KPI `metric:ym` (the days the library's
    /// `Calendar::whole_month` gives it).
    pub(super) fn month_sums(&self, metric: &str, ym: &str) -> Vec<f64> {
        let month = borderflow::calendar::check_month(ym).expect("month");
        let (a, b) = (self.scenario.calendar.whole_month(month))
            .unwrap_or_else(|| panic!("{ym} is not a whole month of the run"));
        let c = self.col(metric);
        (self.reps.iter())
            .map(|r| r.daily.sum(c, a as usize, b as usize))
            .collect()
    }
}

fn baseline() -> &'static Runs {
    static B: OnceLock<Runs> = OnceLock::new();
    B.get_or_init(|| Runs::new("baseline.ron", REPS))
}

pub(super) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Paired differences (what-if − baseline): mean and standard error.
pub(super) fn paired(whatif: &[f64], base: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = whatif.iter().zip(base).map(|(a, b)| a - b).collect();
    let m = mean(&d);
    let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (d.len() as f64 - 1.0);
    (m, (var / d.len() as f64).sqrt())
}

/// Asserts the paired difference is above zero by more than 3 standard errors.
pub(super) fn assert_up(what: &str, whatif: &[f64], base: &[f64]) {
    let (m, se) = paired(whatif, base);
    assert!(
        m > 0.0 && m > 3.0 * se,
        "{what}: expected an increase, got {m:.1} ± {se:.1} (what-if {:?} vs baseline {:?})",
        whatif,
        base
    );
}

/// Asserts the paired difference is below zero by more than 3 standard errors.
pub(super) fn assert_down(what: &str, whatif: &[f64], base: &[f64]) {
    let (m, se) = paired(whatif, base);
    assert!(
        m < 0.0 && -m > 3.0 * se,
        "{what}: expected a decrease, got {m:.1} ± {se:.1} (what-if {:?} vs baseline {:?})",
        whatif,
        base
    );
}

#[test]
fn every_scenario_validates() {
    let mut files = Vec::new();
    for dir in ["", "whatif"] {
        for e in std::fs::read_dir(scenario_path(dir)).expect("scenarios folder") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "ron") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 9, "baseline, mmc and 7 what-ifs: {files:?}");
    for f in files {
        if let Err(e) = Scenario::from_file(&f) {
            panic!("{}: {e}", f.display());
        }
    }
}

#[test]
fn bad_values_are_all_reported_by_path() {
    let text = std::fs::read_to_string(scenario_path("baseline.ron")).expect("baseline");
    let broken = text
        .replace("cbp_one_port: \"Nogales\"", "cbp_one_port: \"Nogals\"")
        .replace("kind: \"title42\"", "kind: \"titel42\"")
        .replace(
            "apprehension_prob: 0.85, custody_capacity: 4000",
            "apprehension_prob: 1.85, custody_capacity: 4000",
        );
    let origin = borderflow::scenario::Origin {
        label: "broken".into(),
        dir: None,
    };
    let err = Scenario::from_text(&broken, &origin)
        .expect_err("must fail")
        .to_string();
    assert!(err.contains("did you mean \"Nogales\""), "{err}");
    assert!(err.contains("did you mean \"title42\""), "{err}");
    assert!(err.contains("apprehension_prob"), "{err}");
}

/// Each mechanism declares its own metrics and writes them at the day's end
/// (a mechanism writing fewer or more values than it declared panics there).
/// The declarations compose into unique keys in the records' column order:
/// the national counts and levels first, then port by port, sector by sector
/// and caravan by caravan, as in records written before the mechanisms owned
/// their metrics.
#[test]
fn declared_metrics_compose_in_record_order() {
    let b = baseline();
    let mut keys = b.names.clone();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), b.names.len(), "duplicate metric keys");
    let national = [
        "arrivals",
        "mx_detections",
        "usbp_apprehensions",
        "ofo_encounters",
        "gotaways",
        "family_unit_encounters",
        "in_transit",
        "waiting_south",
        "waiting_north",
        "port_queue",
        "caravan_size",
        "in_transit:bus",
        "in_transit:truck",
        "in_transit:train",
        "in_transit:foot",
        "detained_mexico",
        "in_custody",
        "in_system",
        "arrivals_cumulative",
        "outcome:entered_port",
        "outcome:apprehended",
        "outcome:got_away",
        "outcome:returned_by_mexico",
        "outcome:settled_in_mexico",
        "conservation_error",
        "cbp_one_slots",
        "cbp_one_registered",
    ];
    assert_eq!(b.names[..national.len()], national);
    // Origin groups (`name::origin`, issue 14) and the national encounters
    // (USBP + OFO, the citizenship file's measure) come with the mechanisms
    // that count them; the places keep their order among themselves.
    let (by_origin, by_place): (Vec<&String>, Vec<&String>) = b.names[national.len()..]
        .iter()
        .filter(|n| *n != "encounters")
        .partition(|n| n.contains("::"));
    assert!(b.names.iter().any(|n| n == "encounters"));
    for (metric, groups) in [
        ("ofo_encounters", 11),
        ("usbp_apprehensions", 11),
        ("encounters", 11),
        // Mexico does not detect its own nationals.
        ("mx_detections", 10),
    ] {
        let prefix = format!("{metric}::");
        let n = by_origin.iter().filter(|k| k.starts_with(&prefix)).count();
        assert_eq!(n, groups, "{metric} by origin group");
    }
    let rest: Vec<&str> = by_place
        .iter()
        .map(|n| n.split(':').next().unwrap())
        .collect();
    let ports = rest
        .iter()
        .take_while(|n| **n != "usbp_apprehensions")
        .count();
    assert!(ports > 0 && ports % 3 == 0, "three metrics per port");
    for port in rest[..ports].chunks(3) {
        assert_eq!(port, ["ofo_encounters", "port_queue", "port_open"]);
    }
    let sectors = rest[ports..]
        .iter()
        .take_while(|n| **n == "usbp_apprehensions")
        .count();
    assert!(sectors > 0);
    for caravan in rest[ports + sectors..].chunks(2) {
        assert_eq!(caravan, ["caravan_size", "caravan_km"]);
    }
}

#[test]
fn conservation_at_every_day_boundary() {
    // Arrivals (cumulative, spin-up included) = people in the system + people
    // in final outcomes, exactly, on every day of every replication.
    let b = baseline();
    let arrived = b.col("arrivals_cumulative");
    let in_system = b.col("in_system");
    let outcomes: Vec<usize> = [
        "entered_port",
        "apprehended",
        "got_away",
        "returned_by_mexico",
        "settled_in_mexico",
    ]
    .iter()
    .map(|o| b.col(&format!("outcome:{o}")))
    .collect();
    let places: Vec<usize> = [
        "in_transit",
        "waiting_south",
        "waiting_north",
        "port_queue",
        "caravan_size",
        "detained_mexico",
        "in_custody",
    ]
    .iter()
    .map(|m| b.col(m))
    .collect();
    let modes: Vec<usize> = ["bus", "truck", "train", "foot"]
        .iter()
        .map(|m| b.col(&format!("in_transit:{m}")))
        .collect();
    for r in &b.reps {
        for d in 0..r.daily.days() {
            let done: f64 = outcomes.iter().map(|&c| r.daily.get(d, c)).sum();
            assert_eq!(
                r.daily.get(d, arrived),
                r.daily.get(d, in_system) + done,
                "day {d}"
            );
            let placed: f64 = places.iter().map(|&c| r.daily.get(d, c)).sum();
            assert_eq!(placed, r.daily.get(d, in_system), "day {d}: places");
            let by_mode: f64 = modes.iter().map(|&c| r.daily.get(d, c)).sum();
            assert_eq!(by_mode, r.daily.get(d, b.col("in_transit")), "day {d}");
            assert_eq!(r.daily.get(d, b.col("conservation_error")), 0.0);
        }
    }
}

#[test]
fn same_seed_same_numbers() {
    let progress = Progress::start("border::same_seed_same_numbers");
    let s = load("baseline.ron");
    let exp = s.experiment();
    progress.stage("simulating baseline replication 3 of seed 7, twice");
    let a = exp.replicate(7, 3);
    let b = exp.replicate(7, 3);
    assert_eq!(a.daily, b.daily);
    assert_eq!(a.kpis, b.kpis);
}

#[test]
fn calibration_targets() {
    // Means over REPS replications; tolerances are the targets plus a
    // margin for the replication count (the run-to-run spread of monthly
    // totals is about 1–2%).
    let b = baseline();
    let s = &b.scenario;
    let obs = |metric: &str, month: &str| -> f64 {
        let m = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("month");
        s.observed
            .iter()
            .find(|o| o.metric == metric)
            .and_then(|o| o.monthly.iter().find(|x| x.0 == m))
            .map(|x| x.1)
            .expect("observed month")
    };
    let mx = mean(&b.sums("mx_detections", "2023-01-01", "2023-11-30"));
    assert!(
        (mx / 684_091.0 - 1.0).abs() < 0.12,
        "Mexico Jan–Nov {mx:.0}"
    );
    let usbp_dec = mean(&b.sums("usbp_apprehensions", "2023-12-01", "2023-12-31"));
    assert!(
        (usbp_dec / 249_740.0 - 1.0).abs() < 0.12,
        "USBP Dec {usbp_dec:.0}"
    );
    let ofo_dec = mean(&b.sums("ofo_encounters", "2023-12-01", "2023-12-31"));
    assert!(
        (ofo_dec / 52_241.0 - 1.0).abs() < 0.12,
        "OFO Dec {ofo_dec:.0}"
    );
    let usbp_jan24 = mean(&b.sums("usbp_apprehensions", "2024-01-01", "2024-01-31"));
    assert!(
        usbp_jan24 < 0.75 * usbp_dec,
        "Jan 2024 {usbp_jan24:.0} vs Dec {usbp_dec:.0}"
    );
    // Busiest December day, averaged over replications: near 10,000.
    let c = b.col("usbp_apprehensions");
    let (a, z) = (b.day("2023-12-01"), b.day("2023-12-31") + 1);
    let peaks: Vec<f64> = b
        .reps
        .iter()
        .map(|r| (a..z).map(|d| r.daily.get(d, c)).fold(0.0, f64::max))
        .collect();
    let peak = mean(&peaks);
    assert!(
        (8_500.0..12_000.0).contains(&peak),
        "Dec peak day {peak:.0}"
    );
    // Every month within ±25% (+3 points for the replication count).
    for (m, first, end) in s.calendar.months() {
        let tag = m.format("%Y-%m").to_string();
        for metric in ["usbp_apprehensions", "ofo_encounters"] {
            let col = b.col(metric);
            let sim = mean(
                &b.reps
                    .iter()
                    .map(|r| r.daily.sum(col, first as usize, end as usize))
                    .collect::<Vec<_>>(),
            );
            let o = obs(metric, &tag);
            assert!(
                (sim / o - 1.0).abs() < 0.28,
                "{metric} {tag}: simulated {sim:.0}, observed {o:.0}"
            );
        }
    }
}

#[test]
fn closing_lukeville_raises_tucson_and_lowers_lukeville_encounters() {
    // The baseline closes Lukeville 4 Dec – 3 Jan; the what-if keeps it open.
    let b = baseline();
    let open = Runs::new("whatif/lukeville-open.ron", REPS);
    let (from, to) = ("2023-12-04", "2024-01-03");
    assert_up(
        "Tucson apprehensions, closed vs open",
        &b.sums("usbp_apprehensions:Tucson", from, to),
        &open.sums("usbp_apprehensions:Tucson", from, to),
    );
    assert_down(
        "Lukeville port encounters, closed vs open",
        &b.sums("ofo_encounters:Lukeville", from, to),
        &open.sums("ofo_encounters:Lukeville", from, to),
    );
    assert!(
        b.sums("ofo_encounters:Lukeville", from, to)
            .iter()
            .all(|&x| x == 0.0)
    );
}

/// Doubling CBP One (with the officers to process it) from 1 Dec 2023
/// raises port entries and lowers waiting in the north; and it moves a
/// stated share of people from USBP to OFO: of the added port encounters
/// over Dec 2023 – Jan 2024, about 36% are people who would otherwise have
/// been apprehended between ports (8 paired replications: OFO +66,922, USBP
/// −24,330; scenarios/README.md). Asserted within 0.25–0.50: the ratio of
/// two paired differences whose noise is about ±0.5% each, but of a
/// what-if whose USBP fall also depends on how many of the waiting would
/// have crossed, so a wide band, not a point.
#[test]
fn doubling_cbp_one_raises_ofo_and_lowers_waiting() {
    let b = baseline();
    let w = Runs::new("whatif/cbp-one-doubled.ron", REPS);
    let (from, to) = ("2023-12-01", "2024-01-31");
    assert_up(
        "OFO encounters",
        &w.sums("ofo_encounters", from, to),
        &b.sums("ofo_encounters", from, to),
    );
    let (more_ofo, _) = paired(
        &w.sums("ofo_encounters", from, to),
        &b.sums("ofo_encounters", from, to),
    );
    let (less_usbp, _) = paired(
        &w.sums("usbp_apprehensions", from, to),
        &b.sums("usbp_apprehensions", from, to),
    );
    let moved = -less_usbp / more_ofo;
    assert!(
        (0.25..=0.50).contains(&moved),
        "share of added port encounters taken from USBP: {moved:.3} (OFO {more_ofo:+.0}, USBP {less_usbp:+.0})"
    );
    // Waiting in the north, summed over days (person-days).
    assert_down(
        "waiting in the north",
        &w.sums("waiting_north", "2023-12-15", to),
        &b.sums("waiting_north", "2023-12-15", to),
    );
}

#[test]
fn closing_every_port_stops_ofo_and_raises_usbp() {
    let b = baseline();
    let w = Runs::new("whatif/all-ports-closed.ron", REPS);
    let (from, to) = ("2023-12-15", "2023-12-31");
    for x in w.sums("ofo_encounters", from, to) {
        assert_eq!(x, 0.0, "OFO encounters while every port is closed");
    }
    assert_up(
        "USBP apprehensions while ports are closed",
        &w.sums("usbp_apprehensions", from, to),
        &b.sums("usbp_apprehensions", from, to),
    );
    let c = w.col("port_open:San Ysidro");
    assert_eq!(w.reps[0].daily.get(w.day("2023-12-20"), c), 0.0);
    assert_eq!(w.reps[0].daily.get(w.day("2024-01-10"), c), 1.0);
}

#[test]
fn southern_enforcement_trains_and_caravan_what_ifs() {
    let b = baseline();
    let enf = Runs::new("whatif/mexico-doubles-southern-enforcement.ron", 2);
    let base2 = &b.reps[..2];
    let c = b.col("mx_detections");
    let (a, z) = (b.day("2023-12-01"), b.day("2023-12-31") + 1);
    for (w, r) in enf.reps.iter().zip(base2) {
        assert!(
            w.daily.sum(c, a, z) > 1.1 * r.daily.sum(c, a, z),
            "doubled southern enforcement must raise December detections"
        );
    }
    let trains = Runs::new("whatif/trains-suspended-december.ron", 2);
    let t = trains.col("in_transit:train");
    let end_dec = trains.day("2023-12-31");
    for r in &trains.reps {
        assert_eq!(r.daily.get(end_dec, t), 0.0, "nobody on a suspended train");
    }
    let none = Runs::new("whatif/no-caravan.ron", 1);
    let k = none.col("caravan_size");
    assert!(none.reps[0].daily.sum(k, 0, 396) == 0.0);
    let kb = b.col("caravan_size:Exodo de la pobreza");
    let size = b.reps[0].daily.get(b.day("2023-12-24"), kb);
    assert!((5_000.0..=8_500.0).contains(&size), "caravan size {size}");
    let km = b.reps[0]
        .daily
        .get(b.day("2024-01-01"), b.col("caravan_km:Exodo de la pobreza"));
    assert!((60.0..=105.0).contains(&km), "caravan km {km}");
}

#[test]
fn triggered_port_closure_and_triggered_caravan() {
    // A short baseline (Jan–Mar 2023) where Nogales closes when the Tucson
    // sector's 7-day mean of apprehensions passes 300/day and reopens after
    // 5 days below 200/day (never, at these flows), and where a caravan forms
    // once 300 people wait for papers in Tapachula (whose office is slowed to
    // 300 persons/day so that a queue builds).
    let text = std::fs::read_to_string(scenario_path("baseline.ron")).expect("baseline");
    let nogales = "(name: \"Nogales\", lanes: 4.8, service_minutes: 60, hours_per_day: 24, opens_at_hour: 0, cbp_one_share: 0.07)";
    assert!(text.contains(nogales));
    // The full horizon: a shorter one would leave the baseline's later
    // interventions outside it, which validation refuses.
    let text = text
        .replace(
            "papers_capacity_per_day: 1100",
            "papers_capacity_per_day: 300",
        )
        .replace(
            nogales,
            "(name: \"Nogales\", lanes: 4.8, service_minutes: 60, hours_per_day: 24, opens_at_hour: 0, cbp_one_share: 0.07, trigger: (close_above_per_day: 300, reopen_below_per_day: 200, reopen_after_days: 5))",
        )
        .replace(
            "        caravans: [",
            "        caravans: [
            (name: \"Triggered\", hub: \"Tapachula\", trigger_waiting_above: 300, target_size: 1500,
             walk_km_min: 15, walk_km_max: 30, walk_day_share: 0.7, shed_share_per_day: 0.05, detection_factor: 0.1,
             dissolve_after_days: 6, papers_bus_south_share: 0.0),",
        );
    let origin = borderflow::scenario::Origin {
        label: "triggers".into(),
        dir: None,
    };
    let s = Scenario::from_text(&text, &origin).unwrap_or_else(|e| panic!("{e}"));
    let exp = s.experiment();
    let names = exp.metric_names();
    let col = |m: &str| names.iter().position(|n| n == m).expect(m);
    let r = exp.replicate(s.seed, 0);
    let days = r.daily.days();
    let open: Vec<f64> = (0..days)
        .map(|d| r.daily.get(d, col("port_open:Nogales")))
        .collect();
    assert!(open.contains(&0.0), "Nogales never closed: {open:?}");
    let nogales_ofo_closed: f64 = (0..days)
        .filter(|&d| open[d] == 0.0 && d > 0 && open[d - 1] == 0.0)
        .map(|d| r.daily.get(d, col("ofo_encounters:Nogales")))
        .sum();
    assert_eq!(nogales_ofo_closed, 0.0, "no encounters at a closed port");
    let sizes: Vec<f64> = (0..days)
        .map(|d| r.daily.get(d, col("caravan_size:Triggered")))
        .collect();
    let active = sizes.iter().filter(|&&x| x > 0.0).count();
    assert!(
        (1..=8).contains(&active),
        "caravan active {active} days: {sizes:?}"
    );
    assert!(
        sizes.iter().cloned().fold(0.0, f64::max) >= 1000.0,
        "{sizes:?}"
    );
}

#[test]
fn family_share_of_arrivals_lies_in_the_records_range_in_2023() {
    // `family_share` is the share of persons in families, so the share of
    // arriving persons in families in a month is the origins' values weighted
    // by their arrival rates (the unit test in `border::model::arrivals`
    // holds the draws to that within 0.006). CBP's family-unit (FMUA) share
    // of encounters in 2023 (data/cbp_sw_border_monthly_by_demographic_fy23_fy24.csv)
    // ran from 21.4% (Feb) to 50.1% (Aug), 37.6% over the year. The record
    // is by month without a split by origin, so the baseline's values by
    // origin are set by hand and only the level is checked: every month
    // inside the record's 2023 range, and the year within 0.06 of 37.6%
    // (arrivals are not encounters: Mexicans, rarely in families, are
    // encountered more often per arrival, and surges are left out here).
    let s = load("baseline.ron");
    let p = s
        .model
        .params::<borderflow::border::Border>()
        .expect("a border scenario");
    let spin = p.spinup_days as usize;
    let share = |a: usize, z: usize| {
        let (mut fam, mut all) = (0.0, 0.0);
        for (o, origin) in p.origins.iter().enumerate() {
            let n: f64 = p.daily_rates[o][spin + a..spin + z].iter().sum();
            fam += n * origin.family_share;
            all += n;
        }
        fam / all
    };
    for (m, first, end) in s.calendar.months() {
        if m.format("%Y").to_string() != "2023" {
            continue;
        }
        let x = share(first as usize, end as usize);
        assert!(
            (0.214..=0.501).contains(&x),
            "{m}: share of arriving persons in families {x:.3}"
        );
    }
    let (a, z) = (day_at(&s, "2023-01-01"), day_at(&s, "2023-12-31") + 1);
    let year = share(a, z);
    assert!((year - 0.376).abs() < 0.06, "2023: {year:.3}");
}

fn day_at(s: &Scenario, date: &str) -> usize {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
    s.calendar.day_index(d) as usize
}

#[test]
fn lukeville_closes_under_pressure_and_reopens() {
    // The what-if's trigger, replayed from the run's own daily Tucson
    // apprehensions: closed from the day whose previous 7 days averaged
    // above 2,000/day, open again on the 7th day in a row whose previous 7
    // days averaged below 1,300/day. The replay must match the port's open
    // flag on every day (exact: both count whole persons); the dates are
    // printed next to the real ones, which the thresholds were not fitted to.
    let (close, reopen, after) = (2000.0, 1300.0, 7);
    let w = Runs::new("whatif/lukeville-closes-under-pressure.ron", 2);
    let (open_c, tucson_c) = (
        w.col("port_open:Lukeville"),
        w.col("usbp_apprehensions:Tucson"),
    );
    let date = |d: usize| w.scenario.calendar.date(d as u32);
    for (r, rep) in w.reps.iter().enumerate() {
        let days = rep.daily.days();
        let open: Vec<f64> = (0..days).map(|d| rep.daily.get(d, open_c)).collect();
        let tucson: Vec<f64> = (0..days).map(|d| rep.daily.get(d, tucson_c)).collect();
        assert!(
            open[..7].iter().all(|&x| x == 1.0),
            "open in early January 2023"
        );
        let (mut closed, mut calm) = (false, 0);
        let mut changes = Vec::new();
        for d in 7..days {
            let mean = tucson[d - 7..d].iter().sum::<f64>() / 7.0;
            if !closed && mean > close {
                (closed, calm) = (true, 0);
                changes.push((d, "closes", mean));
            } else if closed {
                calm = if mean < reopen { calm + 1 } else { 0 };
                if calm >= after {
                    closed = false;
                    changes.push((d, "reopens", mean));
                }
            }
            let want = if closed { 0.0 } else { 1.0 };
            assert_eq!(
                open[d],
                want,
                "replication {r}, {}: trigger replay",
                date(d)
            );
        }
        for (d, what, mean) in &changes {
            println!(
                "replication {r}: Lukeville {what} on {} (Tucson 7-day mean {mean:.0}/day)",
                date(*d)
            );
        }
        println!("real: closed 2023-12-04 (reduced from 2023-11-27), reopened 2024-01-04");
        let (from, to) = (
            day_at(&w.scenario, "2023-09-01"),
            day_at(&w.scenario, "2024-01-31"),
        );
        let first = changes
            .iter()
            .position(|c| c.1 == "closes" && (from..=to).contains(&c.0))
            .unwrap_or_else(|| {
                panic!("replication {r}: Lukeville never closes Sep 2023 – Jan 2024: {changes:?}")
            });
        assert!(
            changes.get(first + 1).is_some_and(|c| c.1 == "reopens"),
            "replication {r}: Lukeville closes on {} and never reopens",
            date(changes[first].0)
        );
    }
}
