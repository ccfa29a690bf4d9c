//! `borderflow calibrate` end to end: twin experiments (data simulated by
//! the model at known parameters, then recovered), determinism across
//! thread counts, checkpoint and resume, bad files, and the fact the
//! sampler relies on: a shorter horizon gives the same early days.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::progress::Progress;

const BIN: &str = env!("CARGO_BIN_EXE_borderflow");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn borderflow(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("runs")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Mean over replications of each (metric, month) total (counts) or mean
/// (daily means), read from a run's `daily.csv`, national columns only.
fn monthly_means(dir: &Path, means: &[&str]) -> BTreeMap<(String, String), f64> {
    let mut sums: BTreeMap<(String, String), (f64, usize)> = BTreeMap::new();
    let mut reps = std::collections::BTreeSet::new();
    let mut r = csv::Reader::from_path(dir.join("daily.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        if !rec[3].is_empty() || !rec[4].is_empty() {
            continue;
        }
        reps.insert(rec[0].to_string());
        let key = (rec[2].to_string(), rec[1][..7].to_string());
        let e = sums.entry(key).or_default();
        e.0 += rec[5].parse::<f64>().unwrap();
        e.1 += 1;
    }
    let n = reps.len() as f64;
    sums.into_iter()
        .map(|((m, month), (s, days))| {
            let v = if means.contains(&m.as_str()) {
                s / days as f64
            } else {
                s / n
            };
            ((m, month), v)
        })
        .collect()
}

fn series(data: &BTreeMap<(String, String), f64>, metric: &str, months: &[&str]) -> String {
    months
        .iter()
        .map(|m| format!("(\"{m}\", {})", data[&(metric.to_string(), m.to_string())]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Asserts two files are the same bytes, showing the first differing line.
fn same_file(a: &Path, b: &Path, what: &str) {
    let (x, y) = (
        std::fs::read_to_string(a).unwrap(),
        std::fs::read_to_string(b).unwrap(),
    );
    if x != y {
        let (i, (l, r)) = x
            .lines()
            .zip(y.lines())
            .enumerate()
            .find(|(_, (l, r))| l != r)
            .unwrap_or((0, ("(lengths differ)", "")));
        panic!(
            "{what}: {} and {} differ at line {}:\n  {l}\n  {r}",
            a.display(),
            b.display(),
            i + 1
        );
    }
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("calibration.json")).unwrap()).unwrap()
}

/// (estimate, p05, p95) of parameter `path`.
fn posterior_of(s: &serde_json::Value, path: &str) -> (f64, f64, f64) {
    let p = s["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path)
        .unwrap_or_else(|| panic!("no parameter {path}"));
    (
        p["estimate"].as_f64().unwrap(),
        p["p05"].as_f64().unwrap(),
        p["p95"].as_f64().unwrap(),
    )
}

/// The M/M/c twin calibration file: data from 20 replications of the
/// model at λ = 9 /h, μ = 1 /h (seed 777), Jan – Mar 2024.
fn mmc_twin(tmp: &Path) -> PathBuf {
    let data = tmp.join("data");
    ok(&borderflow(&[
        "run",
        root().join("scenarios/mmc.ron").to_str().unwrap(),
        "-r",
        "20",
        "-s",
        "777",
        "-q",
        "--no-charts",
        "-o",
        data.to_str().unwrap(),
    ]));
    let d = monthly_means(&data, &["mean_wait_min"]);
    let months = ["2024-01", "2024-02", "2024-03"];
    let file = tmp.join("twin.ron");
    std::fs::write(
        &file,
        format!(
            r#"(
    name: "mmc-twin",
    base: "{}",
    parameters: [
        (path: "model.arrival_rate_per_hour", min: 6.0, max: 9.8, prior: "uniform"),
        (path: "model.service_rate_per_hour", min: 0.8, max: 1.5, prior: "log_uniform"),
    ],
    targets: [
        (metric: "served", role: "fit", monthly: [{}]),
        (metric: "mean_wait_min", role: "fit", monthly: [{}]),
    ],
    replications: 2,
    seed: 5,
    method: (kind: "abc_smc", particles: 200, keep: 0.5, generations: 12),
    discrepancy: (relative: 0.05),
)"#,
            root().join("scenarios/mmc.ron").display(),
            series(&d, "served", &months),
            series(&d, "mean_wait_min", &months),
        ),
    )
    .unwrap();
    file
}

/// Twin experiment (a) of issue 13: λ and μ recovered within 5% and inside
/// their 90% posterior intervals; the same bytes on 1 and 2 threads.
#[test]
fn mmc_twin_recovers_arrival_and_service_rates() {
    let progress = Progress::start("calibrate::mmc_twin_recovers_arrival_and_service_rates");
    let tmp = tempfile::tempdir().unwrap();
    progress.stage("simulating the twin's data (M/M/c, 20 replications)");
    let file = mmc_twin(tmp.path());
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        progress.stage(&format!(
            "calibrating λ and μ on {threads} thread(s): 200 particles, 12 generations"
        ));
        ok(&borderflow(&[
            "calibrate",
            file.to_str().unwrap(),
            "-q",
            "--no-charts",
            "-t",
            threads,
            "-o",
            dir.to_str().unwrap(),
        ]));
    }
    let s = summary(&a);
    for (path, truth) in [
        ("model.arrival_rate_per_hour", 9.0),
        ("model.service_rate_per_hour", 1.0),
    ] {
        let (est, lo, hi) = posterior_of(&s, path);
        assert!(
            (est / truth - 1.0).abs() < 0.05,
            "{path}: estimate {est} vs truth {truth}"
        );
        assert!(
            lo <= truth && truth <= hi,
            "{path}: 90% interval [{lo}, {hi}] misses {truth}"
        );
    }
    // (generations.csv and calibration.json also hold wall-clock seconds.)
    for f in ["posterior.csv", "fit.csv", "score.csv", "calibrated.ron"] {
        same_file(&a.join(f), &b.join(f), "1 vs 2 threads");
    }
    // calibrated.ron runs as it is, from its folder.
    progress.stage("running calibrated.ron");
    let run = tmp.path().join("run");
    ok(&borderflow(&[
        "run",
        a.join("calibrated.ron").to_str().unwrap(),
        "-r",
        "2",
        "-q",
        "--no-charts",
        "-o",
        run.to_str().unwrap(),
    ]));
}

/// A calibration stopped by SIGTERM after its first checkpoint resumes to
/// the bytes of an uninterrupted one.
#[test]
fn interrupted_calibration_resumes_to_the_same_bytes() {
    let progress = Progress::start("calibrate::interrupted_calibration_resumes_to_the_same_bytes");
    let tmp = tempfile::tempdir().unwrap();
    progress.stage("simulating the twin's data (M/M/c, 20 replications)");
    let file = mmc_twin(tmp.path());
    let whole = tmp.path().join("whole");
    progress.stage("calibrating without interruption");
    ok(&borderflow(&[
        "calibrate",
        file.to_str().unwrap(),
        "-q",
        "--no-charts",
        "-o",
        whole.to_str().unwrap(),
    ]));
    let cut = tmp.path().join("cut");
    let checkpoint = tmp.path().join(".cut.partial/calibration.checkpoint.json");
    progress.stage("calibrating again, stopped by SIGTERM after its first checkpoint");
    let mut child = Command::new(BIN)
        .args([
            "calibrate",
            file.to_str().unwrap(),
            "-q",
            "--no-charts",
            "-t",
            "1",
            "-o",
        ])
        .arg(&cut)
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while !checkpoint.exists() && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    if status.success() {
        // It finished between the checkpoint and the signal: nothing to
        // resume, and this machine is too fast for the test to say more.
        assert!(cut.join("posterior.csv").exists());
        return;
    }
    assert!(checkpoint.exists(), "the checkpoint is kept");
    progress.stage("resuming the stopped calibration");
    ok(&borderflow(&[
        "calibrate",
        file.to_str().unwrap(),
        "-q",
        "--no-charts",
        "--resume",
        "-o",
        cut.to_str().unwrap(),
    ]));
    for f in ["posterior.csv", "fit.csv", "calibrated.ron"] {
        same_file(&whole.join(f), &cut.join(f), "uninterrupted vs resumed");
    }
    let gens = |d: &Path| {
        summary(d)["generations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["generation"].clone(), g["tolerance"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(gens(&whole), gens(&cut));
}

/// Twin experiment (b) of issue 13: monthly USBP, OFO and Mexico series
/// simulated by the border baseline with three parameters moved from their
/// values (Venezuelan arrivals ×1.24, Suchiate detection 0.065 → 0.085,
/// Mexicans 900 → 700 a day), Jan – Mar 2023 (the calibration simulates
/// only those months, its `end` cutting the baseline short); calibrating those three
/// recovers each inside its 90% posterior interval. Short and small (40
/// particles) so that it fits in CI: about a minute on two cores.
#[test]
fn border_twin_recovers_three_perturbed_parameters() {
    let progress = Progress::start("calibrate::border_twin_recovers_three_perturbed_parameters");
    let tmp = tempfile::tempdir().unwrap();
    let base = root().join("scenarios/baseline.ron");
    let truth = [
        (
            "model.origins[\"Venezuela\"].persons_per_driver_person",
            2.6,
        ),
        ("model.crossings[\"Suchiate\"].detection_prob", 0.085),
        ("model.origins[\"Mexico\"].base_persons_per_day", 700.0),
    ];
    let data = tmp.path().join("data");
    let mut args: Vec<String> = [
        "run",
        base.to_str().unwrap(),
        "-r",
        "4",
        "-s",
        "99",
        "-q",
        "--no-charts",
        "-o",
        data.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (p, v) in truth {
        args.push("--set".into());
        args.push(format!("{p}={v}"));
    }
    progress
        .stage("simulating the twin's data (border baseline, 3 parameters moved, 4 replications)");
    ok(&Command::new(BIN).args(&args).output().unwrap());
    let d = monthly_means(&data, &[]);
    let months = ["2023-01", "2023-02", "2023-03"];
    let file = tmp.path().join("twin.ron");
    std::fs::write(
        &file,
        format!(
            r#"(
    name: "border-twin",
    base: "{}",
    end: "2023-03-31",
    parameters: [
        (path: "model.origins[\"Venezuela\"].persons_per_driver_person", min: 1.0, max: 4.0, prior: "log_uniform"),
        (path: "model.crossings[\"Suchiate\"].detection_prob", min: 0.03, max: 0.13),
        (path: "model.origins[\"Mexico\"].base_persons_per_day", min: 450, max: 1400),
    ],
    targets: [
        (metric: "usbp_apprehensions", role: "fit", monthly: [{}]),
        (metric: "ofo_encounters", role: "fit", monthly: [{}]),
        (metric: "mx_detections", role: "fit", monthly: [{}]),
    ],
    replications: 1,
    seed: 11,
    method: (kind: "abc_smc", particles: 40, keep: 0.5, generations: 5),
    discrepancy: (relative: 0.03),
)"#,
            base.display(),
            series(&d, "usbp_apprehensions", &months),
            series(&d, "ofo_encounters", &months),
            series(&d, "mx_detections", &months),
        ),
    )
    .unwrap();
    let out = tmp.path().join("fit");
    progress.stage("calibrating 3 parameters on Jan – Mar 2023: 40 particles, 5 generations");
    ok(&borderflow(&[
        "calibrate",
        file.to_str().unwrap(),
        "-q",
        "--no-charts",
        "-o",
        out.to_str().unwrap(),
    ]));
    let s = summary(&out);
    for (path, value) in truth {
        let (est, lo, hi) = posterior_of(&s, path);
        assert!(
            lo <= value && value <= hi,
            "{path}: 90% interval [{lo}, {hi}] (estimate {est}) misses {value}"
        );
    }
}

/// Problems of a calibration file are listed at once with their paths,
/// exit 2, and nothing is written.
#[test]
fn bad_calibration_files_exit_2_with_every_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.ron");
    std::fs::write(
        &file,
        format!(
            r#"(
    name: "bad",
    base: "{}",
    parameters: [
        (path: "model.servrs", min: 1, max: 2),
        (path: "model.service_rate_per_hour", min: 2.0, max: 1.0),
        (path: "model.arrival_rate_per_hour", min: 6, max: 9, prior: "gamma"),
    ],
    targets: [
        (metric: "served", role: "holdout", monthly: [("2024-13", 5)]),
    ],
    method: (kind: "abc", particles: 4, generations: 3),
)"#,
            root().join("scenarios/mmc.ron").display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let res = borderflow(&[
        "calibrate",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8_lossy(&res.stderr);
    for needle in [
        "parameters[0].path",
        "servers",
        "parameters[1].max",
        "parameters[2].prior",
        "targets[0].monthly[0]",
        "method.kind",
        "method.particles",
        "no target has role \"fit\"",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(!out.exists() && !tmp.path().join(".out.partial").exists());

    // A target naming a metric the model does not have gets a suggestion.
    std::fs::write(
        &file,
        format!(
            r#"(name: "bad", base: "{}",
    parameters: [(path: "model.arrival_rate_per_hour", min: 6, max: 9)],
    targets: [(metric: "servd", role: "fit", monthly: [("2024-01", 5)])],
    method: (kind: "abc_smc", particles: 16, generations: 2))"#,
            root().join("scenarios/mmc.ron").display()
        ),
    )
    .unwrap();
    let res = borderflow(&[
        "calibrate",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(2));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(
        err.contains("targets[0]") && err.contains("served"),
        "{err}"
    );
}

/// The sampler simulates candidates only to one day past the last fit
/// month: a shorter horizon must give the same days. Border baseline to Jan
/// 2024 and to Sep 2024, one replication: every value of every shared day
/// but the short run's last identical (that day may differ by a few
/// arrivals, whose random stream draws ahead into the next day when the
/// horizon has one), and the calibration targets' metrics on every day.
#[test]
fn a_shorter_horizon_gives_the_same_days() {
    let tmp = tempfile::tempdir().unwrap();
    let (short, long) = (tmp.path().join("short"), tmp.path().join("long"));
    let base = root().join("scenarios/baseline.ron");
    let b = base.to_str().unwrap();
    ok(&borderflow(&[
        "run",
        b,
        "-r",
        "1",
        "-q",
        "--no-charts",
        "-o",
        short.to_str().unwrap(),
    ]));
    ok(&borderflow(&[
        "run",
        b,
        "-r",
        "1",
        "-q",
        "--no-charts",
        "--set",
        "end=\"2024-09-30\"",
        "-o",
        long.to_str().unwrap(),
    ]));
    let rows = |d: &Path| -> BTreeMap<(String, String), String> {
        let mut r = csv::Reader::from_path(d.join("daily.csv")).unwrap();
        r.records()
            .map(|x| {
                let x = x.unwrap();
                (
                    (x[1].to_string(), format!("{}|{}|{}", &x[2], &x[3], &x[4])),
                    x[5].to_string(),
                )
            })
            .collect()
    };
    let (s, l) = (rows(&short), rows(&long));
    assert!(s.len() > 20_000, "{} rows", s.len());
    let targets = ["usbp_apprehensions|", "ofo_encounters|", "mx_detections|"];
    for ((date, key), v) in &s {
        if date.as_str() < "2024-01-31" || targets.iter().any(|t| key.starts_with(t)) {
            assert_eq!(
                l.get(&(date.clone(), key.clone())),
                Some(v),
                "{date} {key} differs"
            );
        }
    }
}
