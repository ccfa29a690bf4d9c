//! `--posterior` on `run` and `compare`: each replication's parameters drawn
//! from a posterior sample, deterministically, paired across the arms of a
//! comparison, recorded in the folder, and said in every label.
//!
//! The scenario is the M/M/10 station (`scenarios/mmc.ron`: λ = 9/h, μ =
//! 1/h, c = 10, 100 days of which 10 are warm-up); the posteriors are
//! written by hand over `model.servers` (an integer) and
//! `model.arrival_rate_per_hour`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use borderflow::posterior::Posterior;
use borderflow::runner::{RunOptions, run};
use borderflow::{Error, Scenario};

/// Master seed of `scenarios/mmc.ron`.
const SEED: u64 = 20240101;

/// Two draws far from the scenario's own λ = 9/h, c = 10, weighted 1:3.
const TWO_DRAWS: &str = "draw,weight,model.servers,model.arrival_rate_per_hour\n\
                         0,1,10,6.0\n\
                         1,3,11,7.5\n";

/// The arrival rate of each draw of [`TWO_DRAWS`] [customers/h].
const RATES: [f64; 2] = [6.0, 7.5];

/// The files a batch writes that must match byte for byte.
const FILES: [&str; 7] = [
    "daily.csv",
    "kpis.csv",
    "daily_summary.csv",
    "summary.json",
    "scenario.ron",
    "posterior.csv",
    "draws.csv",
];

fn borderflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(args)
        .output()
        .expect("runs")
}

fn ok(res: &Output) {
    assert!(
        res.status.success(),
        "exit {:?}: {}",
        res.status.code(),
        String::from_utf8_lossy(&res.stderr)
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn assert_same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// `kpis.csv` as (replication, kpi) → value.
fn kpis(dir: &Path) -> BTreeMap<(u64, String), f64> {
    let text = fs::read_to_string(dir.join("kpis.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                (f[0].parse().unwrap(), f[1].to_string()),
                f[2].parse().unwrap(),
            )
        })
        .collect()
}

/// `draws.csv` as the draw of each replication, in order.
fn draws(dir: &Path) -> Vec<usize> {
    let text = fs::read_to_string(dir.join("draws.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("replication,draw"));
    lines
        .enumerate()
        .map(|(i, l)| {
            let (r, d) = l.split_once(',').unwrap();
            assert_eq!(r.parse::<usize>().unwrap(), i);
            d.parse().unwrap()
        })
        .collect()
}

/// (a) The same seed gives the same bytes with one thread and two, and
/// three shards merged give the bytes of one run — the draws included.
#[test]
fn a_posterior_run_is_the_same_bytes_across_threads_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let post = write(tmp.path(), "posterior.csv", TWO_DRAWS);
    let base = ["run", "scenarios/mmc.ron", "-r", "24", "-q", "--no-charts"];
    let mut outs = Vec::new();
    for t in ["1", "2"] {
        let out = tmp.path().join(format!("t{t}"));
        let mut args = base.to_vec();
        args.extend(["-t", t, "--posterior", s(&post), "-o", s(&out)]);
        ok(&borderflow(&args));
        outs.push(out);
    }
    assert_same_files(&outs[0], &outs[1], &FILES);
    let mut shards = Vec::new();
    for k in ["2/3", "0/3", "1/3"] {
        let out = tmp.path().join(format!("shard{}", &k[..1]));
        let mut args = base.to_vec();
        args.extend(["--shard", k, "--posterior", s(&post), "-o", s(&out)]);
        ok(&borderflow(&args));
        shards.push(out);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|p| s(p)));
    args.extend(["-o", s(&merged)]);
    ok(&borderflow(&args));
    assert_same_files(&outs[0], &merged, &FILES);
    let summary = json(&outs[0].join("summary.json"));
    assert_eq!(summary["posterior"]["draws"], 2);
    assert_eq!(
        summary["posterior"]["sha256"],
        borderflow::scenario::sha256_hex(TWO_DRAWS.as_bytes())
    );
}

/// (b) Replications really run with their draw's parameters: `draws.csv`
/// is [`Posterior::draw_for`] of each replication, each replication's
/// observed arrival rate is its draw's λ, and the KPIs move from the fixed
/// run's in the direction the draws imply (fewer arrivals, shorter waits).
#[test]
fn replications_run_with_the_parameters_of_their_draw() {
    let tmp = tempfile::tempdir().unwrap();
    let post = write(tmp.path(), "posterior.csv", TWO_DRAWS);
    let (drawn, fixed) = (tmp.path().join("drawn"), tmp.path().join("fixed"));
    let args = ["run", "scenarios/mmc.ron", "-r", "40", "-q", "--no-charts"];
    let mut with = args.to_vec();
    with.extend(["--posterior", s(&post), "-o", s(&drawn)]);
    ok(&borderflow(&with));
    let mut without = args.to_vec();
    without.extend(["-o", s(&fixed)]);
    ok(&borderflow(&without));

    let p = Posterior::from_path(&post).unwrap();
    let d = draws(&drawn);
    assert_eq!(d.len(), 40);
    let expected: Vec<usize> = (0..40).map(|r| p.draw_for(SEED, r)).collect();
    assert_eq!(d, expected, "draws.csv is not draw_for(seed, r)");
    assert!(d.contains(&0) && d.contains(&1), "both draws used: {d:?}");
    // The observed arrival rate over the 90 days after warm-up (2160 h) has
    // a standard deviation of √(λ / 2160 h) ≤ 0.06/h; 0.3/h is 5 of them,
    // while the two draws are 1.5/h apart and the scenario's own λ 1.5/h
    // above the nearest.
    let k = kpis(&drawn);
    for (r, draw) in d.iter().enumerate() {
        let rate = k[&(r as u64, "arrival_rate_per_hour".to_string())];
        assert!(
            (rate - RATES[*draw]).abs() < 0.3,
            "replication {r} (draw {draw}): arrival rate {rate}/h"
        );
    }
    let mean = |dir: &Path, kpi: &str| {
        json(&dir.join("summary.json"))["kpis"][kpi]["mean"]
            .as_f64()
            .unwrap()
    };
    // Fixed: λ = 9/h at 90% load, Erlang C wait 40 min. Drawn: λ ≤ 7.5/h
    // on 10–11 servers (≤ 68% load), Erlang C waits under 5 min; the
    // thresholds sit far from both.
    assert!(mean(&fixed, "arrival_rate_per_hour") > 8.8);
    assert!(mean(&drawn, "arrival_rate_per_hour") < 7.5);
    assert!(mean(&fixed, "mean_wait_min") > 25.0);
    assert!(mean(&drawn, "mean_wait_min") < 10.0);
}

/// (b) A one-row posterior holding the scenario's own values runs exactly
/// the plain run: same records, same summaries.
#[test]
fn a_posterior_of_the_scenarios_own_values_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let post = write(
        tmp.path(),
        "own.csv",
        "draw,weight,model.servers,model.arrival_rate_per_hour\n0,2.5,10,9.0\n",
    );
    let (drawn, plain) = (tmp.path().join("drawn"), tmp.path().join("plain"));
    let args = ["run", "scenarios/mmc.ron", "-r", "12", "-q", "--no-charts"];
    let mut with = args.to_vec();
    with.extend(["--posterior", s(&post), "-o", s(&drawn)]);
    ok(&borderflow(&with));
    let mut without = args.to_vec();
    without.extend(["-o", s(&plain)]);
    ok(&borderflow(&without));
    assert_same_files(
        &drawn,
        &plain,
        &["daily.csv", "kpis.csv", "daily_summary.csv", "scenario.ron"],
    );
    let (a, b) = (
        json(&drawn.join("summary.json")),
        json(&plain.join("summary.json")),
    );
    assert_eq!(a["kpis"], b["kpis"]);
    assert_eq!(a["scenario_hash"], b["scenario_hash"]);
    assert!(draws(&drawn).iter().all(|d| *d == 0));
}

/// (c) A what-if identical to the baseline, under a posterior: both arms of
/// each replication use the same draw and the same random numbers, so
/// every difference is exactly 0 — while the values themselves are the
/// draws' (arrival rates near 6–7.5/h, not the scenario's 9/h). A what-if
/// that changes a sampled parameter is refused.
#[test]
fn compare_under_a_posterior_stays_paired() {
    let tmp = tempfile::tempdir().unwrap();
    let post = write(tmp.path(), "posterior.csv", TWO_DRAWS);
    let mmc = fs::canonicalize("scenarios/mmc.ron").unwrap();
    let same = write(
        tmp.path(),
        "same.ron",
        &format!("(extend: {:?}, name: \"same\")", s(&mmc)),
    );
    let out = tmp.path().join("c");
    let res = borderflow(&[
        "compare",
        "scenarios/mmc.ron",
        s(&same),
        "-r",
        "16",
        "--no-charts",
        "--json",
        "--posterior",
        s(&post),
        "-o",
        s(&out),
    ]);
    ok(&res);
    let printed: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    let kpis = printed["kpis"].as_array().unwrap();
    assert!(kpis.len() >= 5, "{printed}");
    for k in kpis {
        for stat in ["mean", "ci95_low", "ci95_high"] {
            assert_eq!(k["difference"][stat], 0.0, "{k}");
        }
    }
    let rate = kpis
        .iter()
        .find(|k| k["kpi"] == "arrival_rate_per_hour")
        .unwrap();
    let base_rate = rate["base"]["mean"].as_f64().unwrap();
    assert!((6.0..7.5).contains(&base_rate), "{rate}");
    assert_eq!(draws(&out).len(), 16);
    assert!(out.join("posterior.csv").is_file());

    let more = write(
        tmp.path(),
        "more.ron",
        &format!(
            "(extend: {:?}, name: \"more\", set: {{ \"model.servers\": 12 }})",
            s(&mmc)
        ),
    );
    let res = borderflow(&[
        "compare",
        "scenarios/mmc.ron",
        s(&more),
        "-r",
        "4",
        "-q",
        "--posterior",
        s(&post),
        "-o",
        s(&tmp.path().join("refused")),
    ]);
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{err}");
    assert!(
        err.contains("more.ron") && err.contains("model.servers"),
        "{err}"
    );
    assert!(!tmp.path().join("refused").exists());
}

/// (d) A bad posterior exits with code 2, names `file:line` and the column
/// (or the scenario path of a value the model refuses), and creates nothing.
#[test]
fn bad_posteriors_are_refused_with_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let h = "draw,weight,model.servers,model.arrival_rate_per_hour\n";
    let cases: &[(&str, String, &[&str])] = &[
        (
            "not_ron",
            format!("{h}0,1,ten,9.0\n"),
            &[":2: column `model.servers`", "not a RON value"],
        ),
        (
            "bad_path",
            "draw,weight,model.servers[\n0,1,10\n".into(),
            &[":1: column `model.servers[`"],
        ),
        (
            "not_model",
            "draw,weight,seed\n0,1,10\n".into(),
            &[":1: column `seed`"],
        ),
        (
            "negative_weight",
            format!("{h}0,-1,10,9.0\n"),
            &[":2: column `weight`", "\"-1\""],
        ),
        (
            "infinite_weight",
            format!("{h}0,inf,10,9.0\n"),
            &[":2: column `weight`", "\"inf\""],
        ),
        (
            "zero_weights",
            format!("{h}0,0,10,9.0\n1,0,11,9.0\n"),
            &[":3: column `weight`", "sum to 0"],
        ),
        (
            "out_of_order",
            format!("{h}0,1,10,9.0\n2,1,11,9.0\n"),
            &[":3: column `draw`", "draw 1 belongs"],
        ),
        ("no_rows", h.to_string(), &[":2: no draws"]),
        (
            "short_row",
            format!("{h}0,1,10\n"),
            &[":2: 3 cells, but the header has 4"],
        ),
        (
            "no_such_field",
            "draw,weight,model.server\n0,1,10\n".into(),
            &[":2 (draw 0)", "model.server"],
        ),
        (
            "invalid_value",
            format!("{h}0,1,0,9.0\n"),
            &[":2 (draw 0)", "model.servers", "between 1 and"],
        ),
    ];
    for (name, text, wanted) in cases {
        let file = write(tmp.path(), &format!("{name}.csv"), text);
        let out = tmp.path().join(format!("out_{name}"));
        let res = borderflow(&[
            "run",
            "scenarios/mmc.ron",
            "-r",
            "3",
            "-q",
            "--posterior",
            s(&file),
            "-o",
            s(&out),
        ]);
        let err = String::from_utf8_lossy(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{name}: {err}");
        let at = format!("{name}.csv");
        assert!(err.contains(&at), "{name}: the file is not named: {err}");
        for w in *wanted {
            assert!(err.contains(w), "{name}: `{w}` missing from: {err}");
        }
        assert!(!out.exists(), "{name}: created {}", out.display());
        assert!(!tmp.path().join(format!(".out_{name}.partial")).exists());
    }
    // A folder without a posterior.csv, and compare with a bad posterior.
    let empty = tmp.path().join("calibration");
    fs::create_dir(&empty).unwrap();
    let res = borderflow(&[
        "run",
        "scenarios/mmc.ron",
        "-q",
        "--posterior",
        s(&empty),
        "-o",
        s(&tmp.path().join("x")),
    ]);
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&res.stderr).contains("calibration/posterior.csv"));
    let bad = tmp.path().join("not_ron.csv");
    let res = borderflow(&[
        "compare",
        "scenarios/mmc.ron",
        "scenarios/mmc.ron",
        "-q",
        "--posterior",
        s(&bad),
        "-o",
        s(&tmp.path().join("y")),
    ]);
    assert_eq!(res.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&res.stderr).contains("not_ron.csv:2: column `model.servers`"));
    // A `--set` of a sampled parameter would be overwritten by every draw.
    let good = write(tmp.path(), "good.csv", TWO_DRAWS);
    let res = borderflow(&[
        "run",
        "scenarios/mmc.ron",
        "-q",
        "--set",
        "model.servers=12",
        "--posterior",
        s(&good),
        "-o",
        s(&tmp.path().join("z")),
    ]);
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--set") && err.contains("model.servers: a parameter the posterior"),
        "{err}"
    );
    let made = ["x", "y", "z"]
        .iter()
        .filter(|d| tmp.path().join(d).exists())
        .count();
    assert_eq!(made, 0, "a refused command created its output folder");
}

/// (e) The terminal table, `--json`, `summary.json` and `report.html` say
/// "Monte Carlo only, parameters fixed" without a posterior, and with one
/// (here given as a calibration folder) "parameter + Monte Carlo
/// uncertainty (posterior: <file>, N draws)".
#[test]
fn the_uncertainty_label_says_whether_parameters_vary() {
    let tmp = tempfile::tempdir().unwrap();
    let calibration = tmp.path().join("calibration");
    fs::create_dir(&calibration).unwrap();
    let post = write(&calibration, "posterior.csv", TWO_DRAWS);
    let with = format!(
        "parameter + Monte Carlo uncertainty (posterior: {}, 2 draws)",
        s(&post)
    );
    let fixed = "Monte Carlo only, parameters fixed";
    let run_with = |extra: &[&str], out: &str| {
        let mut args = vec!["run", "scenarios/mmc.ron", "-r", "4", "-o"];
        let out = tmp.path().join(out);
        args.push(s(&out));
        args.extend(extra);
        let res = borderflow(&args);
        ok(&res);
        (res, out)
    };
    let (res, out) = run_with(
        &["--no-charts", "--json", "--posterior", s(&calibration)],
        "j1",
    );
    let printed: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(printed["uncertainty"], with.as_str());
    assert_eq!(
        json(&out.join("summary.json"))["uncertainty"],
        with.as_str()
    );
    let (res, out) = run_with(&["--no-charts", "--json"], "j0");
    let printed: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(printed["uncertainty"], fixed);
    assert_eq!(json(&out.join("summary.json"))["uncertainty"], fixed);
    // The table on the terminal, and the report beside the intervals.
    let (res, out) = run_with(&["--posterior", s(&calibration)], "t1");
    let table = String::from_utf8_lossy(&res.stdout);
    assert!(table.contains(&format!("(intervals: {with})")), "{table}");
    // The terminal ends with where the report is (issue 15).
    assert!(
        table.contains("report: ") && table.contains("report.html"),
        "{table}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains(&format!("<span id=\"uncertainty\">{with}</span>")),
        "label missing from report.html"
    );
    let (res, _) = run_with(&["--no-charts"], "t0");
    assert!(String::from_utf8_lossy(&res.stdout).contains(&format!("(intervals: {fixed})")));
    // compare --json too.
    let res = borderflow(&[
        "compare",
        "scenarios/mmc.ron",
        "scenarios/mmc.ron",
        "-r",
        "2",
        "--no-charts",
        "--json",
        "--posterior",
        s(&post),
        "-o",
        s(&tmp.path().join("c1")),
    ]);
    ok(&res);
    let printed: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(printed["uncertainty"], with.as_str());
}

fn mmc() -> Scenario {
    Scenario::from_file(Path::new("scenarios/mmc.ron")).unwrap()
}

fn opts(out: &Path, posterior: Option<&Posterior>) -> RunOptions {
    RunOptions {
        replications: Some(400),
        out: Some(out.to_path_buf()),
        threads: Some(1),
        posterior: posterior.map(|p| Arc::new(p.clone())),
        ..RunOptions::default()
    }
}

/// An interrupted run under a posterior resumes to the bytes of an
/// uninterrupted one; resuming it with another posterior, or none, is
/// refused (exit code 2), and so is merging shards of two posteriors.
#[test]
fn resume_and_merge_hold_to_one_posterior() {
    let tmp = tempfile::tempdir().unwrap();
    let post = write(tmp.path(), "posterior.csv", TWO_DRAWS);
    let other = write(
        tmp.path(),
        "other.csv",
        &TWO_DRAWS.replace("0,1,10,6.0", "0,2,10,6.0"),
    );
    let (p, q) = (
        Posterior::from_path(&post).unwrap(),
        Posterior::from_path(&other).unwrap(),
    );
    let scn = mmc();
    let reference = tmp.path().join("reference");
    run(&scn, &opts(&reference, Some(&p)), None).unwrap();

    // Stopped once a few replications are recorded: 400 replications on
    // one thread take seconds, the watcher reacts within milliseconds.
    let out = tmp.path().join("out");
    let cancel = Arc::new(AtomicBool::new(false));
    let (flag, checkpoint) = (
        cancel.clone(),
        tmp.path().join(".out.partial/checkpoint.json"),
    );
    let watcher = std::thread::spawn(move || {
        for _ in 0..60_000 {
            let done = fs::read_to_string(&checkpoint)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v["done"].as_u64());
            if done.is_some_and(|d| d >= 3) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        flag.store(true, Ordering::Relaxed);
    });
    let err = run(&scn, &opts(&out, Some(&p)), Some(&cancel)).unwrap_err();
    watcher.join().unwrap();
    assert!(matches!(err, Error::Interrupted(_)), "{err}");

    for wrong in [Some(&q), None] {
        let o = RunOptions {
            resume: true,
            ..opts(&out, wrong)
        };
        let e = run(&scn, &o, None).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(e.to_string().contains("posterior"), "{e}");
    }
    let o = RunOptions {
        resume: true,
        ..opts(&out, Some(&p))
    };
    let done = run(&scn, &o, None).unwrap();
    assert!(done.stats.replications < 400, "nothing was resumed");
    assert_same_files(&reference, &out, &FILES);

    // Shards of one batch under two posteriors do not merge.
    let base = ["run", "scenarios/mmc.ron", "-r", "4", "-q", "--no-charts"];
    let (s0, s1) = (tmp.path().join("s0"), tmp.path().join("s1"));
    for (k, file, dir) in [("0/2", &post, &s0), ("1/2", &other, &s1)] {
        let mut args = base.to_vec();
        args.extend(["--shard", k, "--posterior", s(file), "-o", s(dir)]);
        ok(&borderflow(&args));
    }
    let merged = tmp.path().join("merged");
    let res = borderflow(&["merge", s(&s0), s(&s1), "-o", s(&merged)]);
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(2), "{err}");
    assert!(err.contains("another batch"), "{err}");
    assert!(!merged.exists());
}
