//! User KPIs and the scorecard: KPIs a scenario declares are computed from
//! the daily table like a hand sum, bad declarations are listed with their
//! paths, observed series (a holdout among them) are scored with the numbers
//! one recomputes from `daily.csv`, and sharded, merged and resumed runs
//! score the same bytes. Most tests use the M/M/10 station
//! (`scenarios/mmc.ron`, 2024-01-01 to 2024-04-09: January to March are
//! whole months, April is cut by the end) with hand-written observed series.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};

use borderflow::Scenario;
use borderflow::metrics::{KpiSpec, MetricSpec};
use borderflow::montecarlo::{Experiment, Replication};
use borderflow::runner::{Job, RunHeader, RunOptions, merge, run, run_job};
use borderflow::shard::Shard;

/// Runs the binary with `args`.
fn borderflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(args)
        .output()
        .expect("runs")
}

/// Runs the binary with `args` and fails the test, with its stderr, unless
/// it succeeds.
fn borderflow_ok(args: &[&str]) -> Output {
    let res = borderflow(args);
    assert!(
        res.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    res
}

/// The path of a shipped scenario, absolute, for `extend`.
fn shipped(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// Writes a scenario named `name` into `dir` that extends `base` with
/// `fields` (RON fields, each ending in a comma).
fn scenario(dir: &Path, name: &str, base: &str, fields: &str) -> PathBuf {
    let path = dir.join(format!("{name}.ron"));
    let text = format!(
        "(extend: \"{}\", name: \"{name}\", {fields})",
        shipped(base)
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The rows of a CSV file as maps from column to field.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Daily values by (replication, date, metric, place): `daily.csv` of `dir`.
fn daily(dir: &Path) -> BTreeMap<(u64, String, String, String), f64> {
    rows(&dir.join("daily.csv"))
        .into_iter()
        .map(|r| {
            (
                (
                    r["replication"].parse().unwrap(),
                    r["date"].clone(),
                    r["metric"].clone(),
                    r["place"].clone(),
                ),
                r["value"].parse().unwrap(),
            )
        })
        .collect()
}

/// The values of metric `metric` at `place` ("" for none) in replication
/// `rep` on the dates starting with `prefix` (a month `2024-02`, or "" for
/// all), in date order.
fn days(
    table: &BTreeMap<(u64, String, String, String), f64>,
    rep: u64,
    metric: &str,
    place: &str,
    prefix: &str,
) -> Vec<f64> {
    table
        .iter()
        .filter(|((r, d, m, p), _)| *r == rep && m == metric && p == place && d.starts_with(prefix))
        .map(|(_, v)| *v)
        .collect()
}

/// KPI values by (replication, name): `kpis.csv` of `dir`.
fn kpis(dir: &Path) -> BTreeMap<(u64, String), f64> {
    rows(&dir.join("kpis.csv"))
        .into_iter()
        .map(|r| {
            (
                (r["replication"].parse().unwrap(), r["kpi"].clone()),
                r["value"].parse().unwrap(),
            )
        })
        .collect()
}

/// `a` and `b` agree to 1e-9 relative (1e-9 absolute near zero). The KPIs
/// and the hand sums add the same f64 values in the same day order, and
/// CSV fields round-trip an f64 exactly, so they agree to the last bit; the
/// tolerance only forgives a different order of the same additions (as in
/// a mean of normalised weights).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// A field of a scorecard row as a number (an empty field is NaN).
fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    let s = &row[col];
    if s.is_empty() {
        f64::NAN
    } else {
        s.parse().unwrap()
    }
}

/// User KPIs of every aggregate, with and without windows, equal the hand
/// reduction of the daily records of each replication (within 1e-9, see
/// [`close`]); they come after the model's KPIs in `summary.json`, whose
/// means are those of `kpis.csv`, and they are printed in the KPI table.
#[test]
fn user_kpis_equal_a_hand_sum_of_the_daily_records() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = scenario(
        tmp.path(),
        "mmc-kpis",
        "scenarios/mmc.ron",
        r#"kpis: [
            (name: "arrivals_feb", metric: "arrivals", from: "2024-02-01", to: "2024-02-29", aggregate: "sum"),
            (name: "queue_march", metric: "queue_length", from: "2024-03-01", to: "2024-03-31", aggregate: "mean"),
            (name: "worst_wait", metric: "mean_wait_min", aggregate: "max", label: "Worst day's mean wait"),
            (name: "served_apr_1", metric: "served", to: "2024-04-01", aggregate: "end"),
        ],"#,
    );
    let out = tmp.path().join("out");
    let res = borderflow_ok(&[
        "run",
        scn.to_str().unwrap(),
        "-r",
        "3",
        "--no-charts",
        "-o",
        out.to_str().unwrap(),
    ]);
    let table = daily(&out);
    let got = kpis(&out);
    for r in 0..3 {
        let feb = days(&table, r, "arrivals", "", "2024-02");
        assert_eq!(feb.len(), 29, "February 2024 has 29 days");
        let march = days(&table, r, "queue_length", "", "2024-03");
        let waits = days(&table, r, "mean_wait_min", "", "");
        let served = days(&table, r, "served", "", "2024-04-01");
        let expected = [
            ("arrivals_feb", feb.iter().sum::<f64>()),
            ("queue_march", march.iter().sum::<f64>() / 31.0),
            ("worst_wait", waits.iter().copied().fold(f64::MIN, f64::max)),
            ("served_apr_1", served[0]),
        ];
        for (name, hand) in expected {
            let value = got[&(r, name.to_string())];
            assert!(
                close(value, hand),
                "{name} in replication {r}: {value} vs {hand} by hand"
            );
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let specs: Vec<&str> = summary["kpi_specs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        specs[5..],
        ["arrivals_feb", "queue_march", "worst_wait", "served_apr_1"],
        "user KPIs follow the model's five"
    );
    assert_eq!(summary["kpi_specs"][5]["month"], "2024-02");
    assert_eq!(summary["kpi_specs"][7]["label"], "Worst day's mean wait");
    let mean = (0..3)
        .map(|r| got[&(r, "arrivals_feb".into())])
        .sum::<f64>()
        / 3.0;
    let s = &summary["kpis"]["arrivals_feb"];
    assert!(close(s["mean"].as_f64().unwrap(), mean), "{s}");
    assert_eq!(s["n"], 3);
    // The terminal table names it by its label.
    let label = summary["kpi_specs"][5]["label"].as_str().unwrap();
    let stdout = String::from_utf8_lossy(&res.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with(label)),
        "{label} in {stdout}"
    );
}

/// Every problem of every bad KPI is listed at once, by its path, with a
/// suggestion where a name is close to a declared one; the run exits with
/// code 2 and writes nothing.
#[test]
fn bad_kpi_declarations_exit_2_listing_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = scenario(
        tmp.path(),
        "mmc-bad-kpis",
        "scenarios/mmc.ron",
        r#"kpis: [
            (name: "p_wait", metric: "arivals", aggregate: "sum"),
            (name: "w", metric: "served", place: "Tucson", aggregate: "summ"),
            (name: "w", metric: "served", from: "2024-03-10", to: "2024-03-01", aggregate: "sum"),
            (name: "late", metric: "served", from: "2023-12-31", to: "2024-05-01", aggregate: "end"),
        ],"#,
    );
    let out = tmp.path().join("out");
    let res = borderflow(&[
        "run",
        scn.to_str().unwrap(),
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    for expected in [
        "8 invalid values",
        "kpis[0].name: \"p_wait\" is already a KPI",
        "kpis[0].metric: the model declares no daily metric \"arivals\" — did you mean \"arrivals\"?",
        "kpis[1].aggregate: unknown aggregate \"summ\" — did you mean \"sum\"?",
        "kpis[1].place: \"served\" has no places",
        "kpis[2].name: \"w\" is used twice in `kpis`",
        "kpis[2].to: 2024-03-01 is before `from` 2024-03-10",
        "kpis[3].from: 2023-12-31 is outside the simulated period 2024-01-01 to 2024-04-09",
        "kpis[3].to: 2024-05-01 is outside the simulated period",
    ] {
        assert!(
            stderr.contains(expected),
            "stderr lacks {expected:?}:\n{stderr}"
        );
    }
    assert!(!out.exists());
}

/// Observed series for the M/M/10 station: a holdout of customers served
/// whose months run from before the start to April (cut by the end), a fit
/// series of arrivals, and a series of no declared metric.
const OBSERVED: &str = r#"observed: [
    (metric: "served", role: "holdout", weight: 2.0, source: "made up",
     monthly: [("2023-12", 5000.0), ("2024-01", 6700.0), ("2024-02", 6000.0), ("2024-03", 6650.0), ("2024-04", 1900.0)]),
    (metric: "arrivals", source: "made up", monthly: [("2024-02", 6250.0)]),
    (metric: "no_such_metric", monthly: [("2024-01", 1.0)]),
],"#;

/// Quantile `p` of equally weighted `values` as the scorecard defines it:
/// the smallest value whose cumulative weight k/n reaches p.
fn step_quantile(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let k = (1..=v.len())
        .find(|&k| k as f64 / n >= p - 1e-12)
        .unwrap_or(v.len());
    v[k - 1]
}

/// The CRPS of equally weighted `values` at `y` by its pairwise definition
/// E|X − y| − ½ E|X − X′| (the scorecard computes it from sorted values).
fn pairwise_crps(values: &[f64], y: f64) -> f64 {
    let n = values.len() as f64;
    let to_obs = values.iter().map(|x| (x - y).abs()).sum::<f64>() / n;
    let spread = values
        .iter()
        .flat_map(|a| values.iter().map(move |b| (a - b).abs()))
        .sum::<f64>()
        / (n * n);
    to_obs - 0.5 * spread
}

/// The holdout series is scored over January to March only (December is
/// before the start, April only partly inside), with the mean, quantiles,
/// relative error, coverage and CRPS one recomputes from `daily.csv`
/// (within 1e-9, see [`close`]); a series of no declared metric is not
/// scored; the terminal prints a line per scored series.
#[test]
fn a_holdout_series_is_scored_with_the_right_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = scenario(tmp.path(), "mmc-observed", "scenarios/mmc.ron", OBSERVED);
    let out = tmp.path().join("out");
    let res = borderflow_ok(&[
        "run",
        scn.to_str().unwrap(),
        "-r",
        "7",
        "--no-charts",
        "-o",
        out.to_str().unwrap(),
    ]);
    let table = daily(&out);
    let fit = rows(&out.join("fit.csv"));
    let held: Vec<_> = fit.iter().filter(|r| r["metric"] == "served").collect();
    let months: Vec<&str> = held.iter().map(|r| r["month"].as_str()).collect();
    assert_eq!(months, ["2024-01", "2024-02", "2024-03"]);
    let observed = [6700.0, 6000.0, 6650.0];
    let (mut abs_err, mut covered, mut crps) = (0.0, 0.0, 0.0);
    for ((row, month), y) in held.iter().zip(&months).zip(observed) {
        assert_eq!(row["role"], "holdout");
        let totals: Vec<f64> = (0..7)
            .map(|r| days(&table, r, "served", "", month).iter().sum())
            .collect();
        let mean = totals.iter().sum::<f64>() / 7.0;
        let (p05, p50, p95) = (
            step_quantile(&totals, 0.05),
            step_quantile(&totals, 0.5),
            step_quantile(&totals, 0.95),
        );
        for (col, hand) in [
            ("observed", y),
            ("mean", mean),
            ("p05", p05),
            ("p50", p50),
            ("p95", p95),
            ("rel_error", (mean - y) / y),
        ] {
            assert!(
                close(num(row, col), hand),
                "{month} {col}: {} vs {hand}",
                row[col]
            );
        }
        abs_err += ((mean - y) / y).abs() / 3.0;
        covered += f64::from(u8::from(p05 <= y && y <= p95)) / 3.0;
        crps += pairwise_crps(&totals, y) / y / 3.0;
    }
    let scores = rows(&out.join("score.csv"));
    let series: Vec<(&str, &str)> = scores
        .iter()
        .map(|r| (r["metric"].as_str(), r["role"].as_str()))
        .collect();
    assert_eq!(series, [("served", "holdout"), ("arrivals", "fit")]);
    let s = &scores[0];
    assert_eq!((s["months"].as_str(), s["kind"].as_str()), ("3", "monthly"));
    assert!(
        close(num(s, "mean_abs_rel_error"), abs_err),
        "{s:?} vs {abs_err}"
    );
    assert!(close(num(s, "coverage90"), covered), "{s:?} vs {covered}");
    assert!(close(num(s, "crps_rel"), crps), "{s:?} vs {crps}");
    assert!(
        num(s, "tv_distance").is_nan(),
        "monthly series have no TV distance"
    );
    // observed.csv carries every observed series, scored or not, month by
    // month (issue 15: analysts need not parse scenario.ron).
    let obs = rows(&out.join("observed.csv"));
    assert_eq!(obs.len(), 7, "5 + 1 + 1 months");
    assert_eq!(
        (
            obs[1]["metric"].as_str(),
            obs[1]["role"].as_str(),
            obs[1]["month"].as_str()
        ),
        ("served", "holdout", "2024-01")
    );
    assert_eq!(num(&obs[1], "observed"), 6700.0);
    assert_eq!(obs[6]["metric"], "no_such_metric");
    // kpis_summary.csv: one row per KPI with scenario and seed to join on,
    // the mean equal to summary.json's to its 12 significant digits.
    let ks = rows(&out.join("kpis_summary.csv"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let kpis = json["kpis"].as_object().unwrap();
    assert_eq!(ks.len(), kpis.len());
    for row in &ks {
        assert_eq!(
            (row["scenario"].as_str(), row["replications"].as_str()),
            ("mmc-observed", "7")
        );
        assert_eq!(row["seed"], json["seed"].to_string());
        let mean = kpis[&row["kpi"]]["mean"].as_f64().unwrap();
        assert!(
            (num(row, "mean") - mean).abs() <= 1e-11 * mean.abs(),
            "{row:?} vs {mean}"
        );
    }
    let stdout = String::from_utf8_lossy(&res.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("served ") || l.starts_with("arrivals "))
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].contains("holdout") && lines[0].contains(" 3 "),
        "{stdout}"
    );
}

/// The scenario with [`OBSERVED`] and a user KPI, loaded.
fn observed_scenario(dir: &Path) -> Scenario {
    let kpi = r#"kpis: [(name: "served_feb", metric: "served", from: "2024-02-01", to: "2024-02-29", aggregate: "sum")],"#;
    let path = scenario(
        dir,
        "mmc-scored",
        "scenarios/mmc.ron",
        &format!("{OBSERVED} {kpi}"),
    );
    Scenario::from_file(&path).unwrap()
}

/// What a run writes that must not depend on how it was split.
const SCORED_FILES: [&str; 7] = [
    "fit.csv",
    "score.csv",
    "observed.csv",
    "kpis_summary.csv",
    "summary.json",
    "kpis.csv",
    "daily_summary.csv",
];

fn assert_same_files(a: &Path, b: &Path) {
    for f in SCORED_FILES {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn opts(out: PathBuf) -> RunOptions {
    RunOptions {
        replications: Some(12),
        out: Some(out),
        threads: Some(2),
        ..RunOptions::default()
    }
}

/// The scenario's experiment, setting `flag` once replication `at` has
/// finished: an interruption at a known point, without timing.
struct StopAfter<'a> {
    inner: Box<dyn Experiment + 'a>,
    at: u64,
    flag: &'a AtomicBool,
}

impl Experiment for StopAfter<'_> {
    fn metrics(&self) -> Vec<MetricSpec> {
        self.inner.metrics()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        self.inner.kpis()
    }

    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let rep = self.inner.run_replication(seed, replication, check, stop)?;
        if replication == self.at {
            self.flag.store(true, Ordering::Relaxed);
        }
        Some(rep)
    }
}

/// Three shards merged, and a run interrupted after a few replications and
/// resumed, write the scorecard (and the user KPI's summaries) of one
/// uninterrupted run byte for byte: both rebuild it from the records in
/// replication order.
#[test]
fn sharded_merged_and_resumed_runs_score_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = observed_scenario(tmp.path());
    let full = tmp.path().join("full");
    let outcome = run(&scn, &opts(full.clone()), None).unwrap();
    assert_eq!(outcome.scores.len(), 2, "the holdout and the fit series");
    let mut dirs = Vec::new();
    for k in [1, 2, 0] {
        let d = tmp.path().join(format!("shard{k}"));
        let o = RunOptions {
            shard: Some(Shard { index: k, count: 3 }),
            ..opts(d.clone())
        };
        run(&scn, &o, None).unwrap();
        assert!(!d.join("fit.csv").exists(), "a shard writes records only");
        dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged, None).unwrap();
    assert_same_files(&full, &merged);

    let out = tmp.path().join("resumed");
    let flag = AtomicBool::new(false);
    let exp = StopAfter {
        inner: scn.experiment(),
        at: 4,
        flag: &flag,
    };
    let header = RunHeader::new(&scn, &exp, scn.seed, 12);
    let mut job = Job::new(
        &exp,
        header,
        vec![("scenario.ron".into(), scn.resolved_ron().into_bytes())],
    );
    job.observed = scn.observed.clone();
    let err = run_job(&job, &opts(out.clone()), Some(&flag)).unwrap_err();
    assert!(err.to_string().contains("--resume"), "{err}");
    let o = RunOptions {
        resume: true,
        ..opts(out.clone())
    };
    let done = run(&scn, &o, None).unwrap();
    assert!(
        done.stats.replications < 12 && done.stats.replications > 0,
        "{} replications after the resume",
        done.stats.replications
    );
    assert_same_files(&full, &out);
}

/// `report.html` of a scored run has the "How well does this fit?" section:
/// a row per scored series with its role, what the interval contains, and
/// that a holdout never entered calibration.
#[test]
fn the_report_says_how_well_the_run_fits() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = scenario(tmp.path(), "mmc-report", "scenarios/mmc.ron", OBSERVED);
    let out = tmp.path().join("out");
    borderflow_ok(&[
        "run",
        scn.to_str().unwrap(),
        "-r",
        "3",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for expected in [
        "<h2>How well does this fit?</h2>",
        "<table id=\"scorecard\">",
        "<tr><td>served</td><td>holdout</td><td class=\"n\">3</td>",
        "<tr><td>arrivals</td><td>fit</td><td class=\"n\">1</td>",
        "Monte Carlo only, parameters fixed",
        "never entered calibration",
    ] {
        assert!(html.contains(expected), "report.html lacks {expected:?}");
    }
}

/// A sweep's `kpis` names outputs and adds new KPIs to its base: the new
/// KPI's value at the base point equals that of a run of the base with the
/// same KPI (same seed, same replication); a bad new KPI is reported at its
/// path in the sweep file.
#[test]
fn a_sweep_adds_kpis_to_its_base() {
    let tmp = tempfile::tempdir().unwrap();
    let kpi = r#"(name: "served_feb", metric: "served", from: "2024-02-01", to: "2024-02-29", aggregate: "sum")"#;
    let sweep = tmp.path().join("sweep.ron");
    let write_sweep = |kpis: &str| {
        std::fs::write(
            &sweep,
            format!(
                r#"(name: "mmc-kpi-sweep", base: "{}", design: "grid",
                    parameters: [(path: "model.servers", values: [10, 12])],
                    replications: 2, kpis: [{kpis}])"#,
                shipped("scenarios/mmc.ron")
            ),
        )
        .unwrap();
    };
    write_sweep(&format!("\"p_wait\", {kpi}"));
    let out = tmp.path().join("sweep-out");
    borderflow_ok(&[
        "sweep",
        sweep.to_str().unwrap(),
        "-q",
        "--no-charts",
        "-o",
        out.to_str().unwrap(),
    ]);
    let swept: Vec<_> = rows(&out.join("sweep.csv"));
    let kpi_names: std::collections::BTreeSet<&str> =
        swept.iter().map(|r| r["kpi"].as_str()).collect();
    assert_eq!(
        kpi_names.into_iter().collect::<Vec<_>>(),
        ["p_wait", "served_feb"]
    );

    let scn = scenario(
        tmp.path(),
        "mmc-served",
        "scenarios/mmc.ron",
        &format!("kpis: [{kpi}],"),
    );
    let run_out = tmp.path().join("run-out");
    borderflow_ok(&[
        "run",
        scn.to_str().unwrap(),
        "-r",
        "2",
        "-q",
        "--no-charts",
        "-o",
        run_out.to_str().unwrap(),
    ]);
    let ran = kpis(&run_out);
    for r in swept
        .iter()
        .filter(|r| r["point"] == "0" && r["kpi"] == "served_feb")
    {
        let rep: u64 = r["replication"].parse().unwrap();
        let value: f64 = r["value"].parse().unwrap();
        assert_eq!(
            value,
            ran[&(rep, "served_feb".to_string())],
            "replication {rep}"
        );
    }

    write_sweep(r#""p_wait", (name: "x", metric: "servd", aggregate: "sum"), "nope""#);
    let res = borderflow(&[
        "sweep",
        sweep.to_str().unwrap(),
        "-q",
        "-o",
        tmp.path().join("bad").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("kpis[1].metric: the model declares no daily metric \"servd\" — did you mean \"served\"?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kpis[2]: the base model has no KPI \"nope\""),
        "{stderr}"
    );
    assert!(
        !stderr.contains("no KPI \"x\""),
        "a refused new KPI is not also unknown:\n{stderr}"
    );
}

/// A user KPI both scenarios of a comparison declare is compared like a
/// model's: it has its row in `compare.csv`.
#[test]
fn user_kpis_are_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let kpi = r#"kpis: [(name: "served_feb", metric: "served", from: "2024-02-01", to: "2024-02-29", aggregate: "sum")],"#;
    let base = scenario(tmp.path(), "base", "scenarios/mmc.ron", kpi);
    let faster = scenario(
        tmp.path(),
        "faster",
        "scenarios/mmc.ron",
        &format!("{kpi} set: {{ \"model.servers\": 12 }},"),
    );
    let out = tmp.path().join("cmp");
    borderflow_ok(&[
        "compare",
        base.to_str().unwrap(),
        faster.to_str().unwrap(),
        "-r",
        "2",
        "-q",
        "--no-charts",
        "-o",
        out.to_str().unwrap(),
    ]);
    let table = rows(&out.join("compare.csv"));
    assert!(
        table
            .iter()
            .any(|r| r["whatif"] == "faster" && r["kpi"] == "served_feb"),
        "{table:?}"
    );
}

/// The border baseline (its one test here: about 4 s a replication) with a
/// KPI and a holdout series at a sector: the KPI is the hand sum of the
/// sector's December in `daily.csv`; every shipped national series is
/// scored over the 13 months of the run and the sector's holdout over its
/// two; the report's month table gives each scored month's error.
#[test]
fn a_border_run_scores_its_observed_series_and_sector_kpi() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = scenario(
        tmp.path(),
        "border-scored",
        "scenarios/baseline.ron",
        r#"add_observed: [(metric: "usbp_apprehensions", place: "Tucson", role: "holdout",
             monthly: [("2023-11", 20000.0), ("2023-12", 25000.0)])],
           kpis: [(name: "tucson_dec", metric: "usbp_apprehensions", place: "Tucson",
             from: "2023-12-01", to: "2023-12-31", aggregate: "sum")],"#,
    );
    let out = tmp.path().join("out");
    borderflow_ok(&[
        "run",
        scn.to_str().unwrap(),
        "-r",
        "2",
        "-s",
        "1",
        "-q",
        "-o",
        out.to_str().unwrap(),
    ]);
    let table = daily(&out);
    let got = kpis(&out);
    for r in 0..2 {
        let hand: f64 = days(&table, r, "usbp_apprehensions", "Tucson", "2023-12")
            .iter()
            .sum();
        let value = got[&(r, "tucson_dec".to_string())];
        assert!(
            close(value, hand),
            "replication {r}: {value} vs {hand} by hand"
        );
        assert!(hand > 0.0, "Tucson apprehends people in December");
    }
    let fit = rows(&out.join("fit.csv"));
    // The baseline's own observed series (role fit; per sector Jan – Sep
    // 2023) and the holdout this file adds.
    let months_as = |metric: &str, place: &str, role: &str| -> Vec<String> {
        fit.iter()
            .filter(|r| r["metric"] == metric && r["place"] == place && r["role"] == role)
            .map(|r| r["month"].clone())
            .collect()
    };
    let months = |metric: &str, place: &str| months_as(metric, place, "fit");
    assert_eq!(
        months("usbp_apprehensions", "").len(),
        13,
        "2023-01 to 2024-01"
    );
    assert_eq!(months("ofo_encounters", "").len(), 13);
    assert_eq!(
        months_as("usbp_apprehensions", "Tucson", "holdout"),
        ["2023-11", "2023-12"]
    );
    assert_eq!(
        months("usbp_apprehensions", "Tucson").len(),
        9,
        "Jan – Sep 2023"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<th>error %</th>"),
        "the month table has no error column"
    );
    let dec = fit
        .iter()
        .find(|r| {
            r["metric"] == "usbp_apprehensions" && r["place"].is_empty() && r["month"] == "2023-12"
        })
        .unwrap();
    let shown = format!("{:+.1}%", 100.0 * num(dec, "rel_error"));
    assert!(
        html.contains(&format!("<td class=\"n\">{shown}</td>")),
        "no {shown} in the month table"
    );
    assert!(
        html.contains(
            "<td>usbp_apprehensions at Tucson</td><td>holdout</td><td class=\"n\">2</td>"
        )
    );
}
