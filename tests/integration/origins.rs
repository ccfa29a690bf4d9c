//! Origins as an output dimension (issue 14, build point 1): USBP
//! apprehensions, OFO encounters, encounters (USBP + OFO) and Mexico's
//! detections by origin group, the groups' mapping to the data's
//! citizenship columns, share targets by origin in a calibration file, and
//! the baseline's nationality split against CBP's encounters by
//! citizenship.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use borderflow::Scenario;
use borderflow::border::params::DATA_GROUPS;
use borderflow::metrics::{DailySeries, MetricSpec};

const BIN: &str = env!("CARGO_BIN_EXE_borderflow");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The baseline ending on `end` (year, month, day).
fn baseline_to(end: (i32, u32, u32)) -> Scenario {
    let v = crate::cut_to("scenarios/baseline.ron", end);
    Scenario::from_value(v, "baseline (cut)").unwrap()
}

/// The columns of metric `name` by origin group (no place): group → column.
pub fn by_origin(metrics: &[MetricSpec], name: &str) -> BTreeMap<String, usize> {
    metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| m.name == name && m.place.is_none() && m.scenario.is_none())
        .filter_map(|(i, m)| m.origin.clone().map(|o| (o, i)))
        .collect()
}

/// Column of national metric `name`.
fn national(metrics: &[MetricSpec], name: &str) -> usize {
    metrics.iter().position(|m| m.is_national(name)).unwrap()
}

/// Every day of two short replications (Jan – Feb 2023), the origin groups'
/// counts add up exactly to the national count (whole people, so the sums
/// are exact): USBP, OFO, Mexico's detections, and encounters, whose
/// national count is USBP + OFO.
/// The groups are those of `DATA_GROUPS`, Mexico's detections without
/// Mexicans (whom Mexico does not detect and its data does not list).
#[test]
fn origin_counts_add_up_to_the_national_count_every_day() {
    let scn = baseline_to((2023, 2, 28));
    let exp = scn.experiment();
    let metrics = exp.metrics();
    let all: Vec<&str> = DATA_GROUPS.iter().map(|g| g.name).collect();
    let mut sorted = all.clone();
    sorted.sort_unstable();
    let reps: Vec<DailySeries> = (0..2).map(|r| exp.replicate(scn.seed, r).daily).collect();
    for (name, parts) in [
        ("usbp_apprehensions", &["usbp_apprehensions"][..]),
        ("ofo_encounters", &["ofo_encounters"][..]),
        ("mx_detections", &["mx_detections"][..]),
        ("encounters", &["usbp_apprehensions", "ofo_encounters"][..]),
    ] {
        let groups = by_origin(&metrics, name);
        let names: Vec<&str> = groups.keys().map(String::as_str).collect();
        if name == "mx_detections" {
            let want: Vec<&str> = sorted.iter().copied().filter(|g| *g != "Mexico").collect();
            assert_eq!(names, want, "{name}");
        } else {
            assert_eq!(names, sorted, "{name}");
        }
        for (r, d) in reps.iter().enumerate() {
            let mut total = 0.0;
            for day in 0..d.days() {
                let want: f64 = parts
                    .iter()
                    .map(|p| d.get(day, national(&metrics, p)))
                    .sum();
                assert_eq!(d.get(day, national(&metrics, name)), want, "{name}");
                let got: f64 = groups.values().map(|&c| d.get(day, c)).sum();
                assert_eq!(got, want, "{name}, replication {r}, day {day}");
                total += want;
            }
            assert!(total > 0.0, "{name}: nothing counted in replication {r}");
            // More than one group is counted (not everyone in one column).
            let counted = groups
                .values()
                .filter(|&&c| d.sum(c, 0, d.days()) > 0.0)
                .count();
            assert!(counted >= 5, "{name}: only {counted} groups counted");
        }
    }
}

/// Every citizenship column of both data files belongs to exactly one
/// group of `DATA_GROUPS`: the mapping loses and double-counts no one.
#[test]
fn data_groups_cover_every_citizenship_column_once() {
    for (file, codes) in [
        (
            "scenarios/data/cbp_sw_monthly_by_citizenship_fy23_fy24.csv",
            DATA_GROUPS
                .iter()
                .flat_map(|g| g.cbp.iter())
                .collect::<Vec<_>>(),
        ),
        (
            "scenarios/data/mexico_upm_irregular_events_monthly_by_nationality_2023_2024.csv",
            DATA_GROUPS.iter().flat_map(|g| g.upm.iter()).collect(),
        ),
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        let mut header: Vec<&str> = text
            .lines()
            .next()
            .unwrap()
            .split(',')
            .filter(|c| !["ym", "total", "TOTAL"].contains(c))
            .collect();
        header.sort_unstable();
        let mut codes: Vec<&str> = codes.into_iter().copied().collect();
        codes.sort_unstable();
        assert_eq!(codes, header, "{file}");
    }
}

/// Observed encounters by origin group in `month` (`YYYY-MM`), from CBP's
/// file summed by `DATA_GROUPS`, in the groups' order.
fn observed_cbp(month: &str) -> Vec<f64> {
    let text =
        std::fs::read_to_string("scenarios/data/cbp_sw_monthly_by_citizenship_fy23_fy24.csv")
            .unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines
        .find(|l| l.starts_with(month))
        .unwrap()
        .split(',')
        .collect();
    let value = |code: &str| -> f64 {
        let k = header.iter().position(|h| *h == code).unwrap();
        row[k].parse().unwrap()
    };
    DATA_GROUPS
        .iter()
        .map(|g| g.cbp.iter().map(|c| value(c)).sum())
        .collect()
}

/// The baseline's nationality split of encounters (USBP + OFO) in December
/// 2023 against CBP's, as a total-variation distance, from one replication
/// (printed; run with `--nocapture` to see it). Issue 14 measured 0.17 on 20
/// replications, and a 4-replication run gives 0.173; one replication's
/// noise in shares of ~300,000 people is under 0.01. The bound 0.3 is loose
/// on purpose (this test measures, the calibration fits: the target is
/// 0.10): it fails when the split is broken, such as every encounter counted
/// in one group (TV ≥ 0.7) or the big groups emptied, not when the model's
/// fit moves by a few points.
#[test]
fn baseline_nationality_split_in_december_2023_is_measured() {
    let scn = baseline_to((2023, 12, 31));
    let exp = scn.experiment();
    let metrics = exp.metrics();
    let groups = by_origin(&metrics, "encounters");
    let rep = exp.replicate(scn.seed, 0);
    let (from, to) = scn
        .calendar
        .whole_month(chrono::NaiveDate::from_ymd_opt(2023, 12, 1).unwrap())
        .unwrap();
    let sim: Vec<f64> = DATA_GROUPS
        .iter()
        .map(|g| rep.daily.sum(groups[g.name], from as usize, to as usize))
        .collect();
    let obs = observed_cbp("2023-12");
    let tv = borderflow::score::tv_distance(&sim, &obs);
    println!("nationality TV, December 2023 (1 replication): {tv:.3}");
    for (g, (s, o)) in DATA_GROUPS.iter().zip(sim.iter().zip(&obs)) {
        println!("  {:12} simulated {s:8.0}  observed {o:8.0}", g.name);
    }
    assert!(tv.is_finite() && tv < 0.3, "TV {tv}");
}

/// A share target by origin naming a group the model does not have exits 2
/// and names the group, with the model's groups (or a suggestion); nothing
/// is written.
#[test]
fn an_unknown_origin_group_in_a_share_target_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.ron");
    std::fs::write(
        &file,
        format!(
            r#"(name: "bad", base: "{}",
    parameters: [(path: "model.mexico.give_up_per_relocation", min: 0.0, max: 0.2)],
    targets: [(metric: "encounters", by: "origin", role: "fit",
        shares: [("2023-12", {{"Venezuela": 57847, "Narnia": 10, "Venezuala": 3}})])],
    method: (kind: "abc_smc", particles: 16, generations: 2))"#,
            root().join("scenarios/baseline.ron").display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let res = Command::new(BIN)
        .args(["calibrate", file.to_str().unwrap(), "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{err}");
    for needle in [
        "targets[0]",
        "no origin group \"Narnia\"",
        "no origin group \"Venezuala\"",
        "did you mean \"Venezuela\"",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(!out.exists(), "nothing written");
}

/// A group's own `retry_after_expulsion` replaces everyone's for that group
/// alone. Set to everyone's value (the baseline's 0.6) it changes nothing,
/// to the bit (the override draws no extra number). Set to 0 for Mexicans
/// (no one expelled tries again), Jan – Feb 2023 under Title 42: Mexicans'
/// USBP apprehensions fall by more than a third (the baseline's Mexicans
/// are expelled 97% of the time and 60% of those retry, so about 0.6 of
/// their apprehensions are repeats when the loop is full; the two months
/// hold part of the spin-up's loop too, so the asserted fall is well below
/// that), while every other group moves by less than 10% (they share the
/// sectors and the random streams, not the retry). Measured: Mexicans
/// ×0.500 (85,668 → 42,870), every other group within 2%.
#[test]
fn an_origins_own_retry_after_expulsion_acts_on_that_origin_only() {
    let run = |retry: Option<f64>| {
        let mut v = crate::cut_to("scenarios/baseline.ron", (2023, 2, 28));
        if let Some(r) = retry {
            borderflow::scenario::source::set_path(
                &mut v,
                "model.origins[\"Mexico\"].retry_after_expulsion",
                ron::Value::Number(r.into()),
            )
            .unwrap();
        }
        let scn = Scenario::from_value(v, "baseline (cut)").unwrap();
        let exp = scn.experiment();
        let metrics = exp.metrics();
        let d = exp.replicate(scn.seed, 0).daily;
        let groups = by_origin(&metrics, "usbp_apprehensions");
        // From 1 Jan 2023: the spin-up's days are not counted.
        let skip = scn
            .calendar
            .day_index(chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap());
        let sums: BTreeMap<String, f64> = groups
            .into_iter()
            .map(|(g, c)| (g, d.sum(c, skip as usize, d.days())))
            .collect();
        (sums, d)
    };
    let (base, base_days) = run(None);
    let (_, same_days) = run(Some(0.6));
    assert!(
        same_days == base_days,
        "an override equal to everyone's value changed the run"
    );
    let (none, _) = run(Some(0.0));
    for (g, b) in &base {
        let ratio = none[g] / b;
        eprintln!("{g}: {b:.0} → {:.0} ({ratio:.3})", none[g]);
        if g == "Mexico" {
            assert!(ratio < 2.0 / 3.0, "Mexicans without retry: ×{ratio:.3}");
        } else {
            assert!((ratio - 1.0).abs() < 0.10, "{g} moved ×{ratio:.3}");
        }
    }
}
