//! Sweeps and sensitivity: the Sobol estimator against the Ishigami
//! function's analytic indices, sharded sweeps merged to the same bytes, and
//! bad sweep files reported like bad scenarios.
//!
//! This module also installs the test binary's allocator: the system one,
//! counting the bytes each thread holds, so that a test can measure the most
//! a call held at once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use borderflow::rng::stream;
use borderflow::runner::{Job, RunOptions, merge, run_job};
use borderflow::sensitivity::{saltelli_unit, sobol_indices};
use borderflow::shard::Shard;
use borderflow::sweep::Sweep;

/// The system allocator, keeping per thread the bytes allocated and not yet
/// freed ([`held`]) and their peak since [`reset_peak`]. Per thread, so that
/// tests running at the same time do not count each other's memory.
struct Counting;

thread_local! {
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: isize) {
    // `try_with`: a thread being torn down may still free memory.
    let _ = HELD.try_with(|h| {
        let now = h.get() + bytes;
        h.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

// SAFETY: every call goes to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes this thread holds now.
fn held() -> isize {
    HELD.with(Cell::get)
}

/// Starts a new peak of what this thread holds, from now.
fn reset_peak() {
    PEAK.with(|p| p.set(held()));
}

/// The most this thread has held since [`reset_peak`].
fn peak() -> isize {
    PEAK.with(Cell::get)
}

/// Runs `f` on a thread of its own and gives its result, failing the test if
/// it takes longer than `limit`: a read that blocks (on a FIFO) would
/// otherwise hang the whole test run. A stuck thread is left behind.
pub(crate) fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what}: no answer within {limit:?}"))
}

/// Makes a FIFO at `path` (with `mkfifo`, part of every Unix).
pub(crate) fn fifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

/// A sweep file at `dir/name` whose `base` is the absolute path of `base`.
fn sweep_file(dir: &Path, name: &str, base: &str, body: &str) -> PathBuf {
    let base = std::fs::canonicalize(base).unwrap();
    let f = dir.join(name);
    std::fs::write(&f, format!("(base: \"{}\", {body})", base.display())).unwrap();
    f
}

/// Ishigami, f = sin x1 + a sin² x2 + b x3⁴ sin x1 on [−π, π]³ with a = 7,
/// b = 0.1, has S = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437).
/// With N = 20,000 base samples the estimators' standard errors are about
/// 0.01, so 0.04 is a 4-SE tolerance that a wrong estimator (e.g. one that
/// forgets the interaction of x1 and x3) fails by far.
#[test]
fn sobol_indices_match_ishigami() {
    let (a, b) = (7.0, 0.1);
    let v = a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let expected_first = [v1 / v, v2 / v, 0.0];
    let expected_total = [(v1 + v13) / v, v2 / v, v13 / v];

    let n = 20_000;
    let rows = saltelli_unit(n, 3, &mut stream(11, 0, "ishigami"));
    let y: Vec<f64> = rows
        .iter()
        .map(|u| {
            let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
            x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
        })
        .collect();
    let idx = sobol_indices(&y, n, 3);
    for i in 0..3 {
        assert!(
            (idx[i].first - expected_first[i]).abs() < 0.04,
            "S{}: {} vs {}",
            i + 1,
            idx[i].first,
            expected_first[i]
        );
        assert!(
            (idx[i].total - expected_total[i]).abs() < 0.04,
            "ST{}: {} vs {}",
            i + 1,
            idx[i].total,
            expected_total[i]
        );
    }
}

/// A sweep split into two shards and merged gives the bytes of the whole
/// sweep, tables included.
#[test]
fn sharded_sweep_merges_to_the_same_bytes() {
    let sw = Sweep::from_file(Path::new("scenarios/sweeps/mmc_servers.ron")).unwrap();
    let exp = sw.experiment();
    let job = Job::new(&exp, sw.header(), sw.inputs().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let opts = |out: &str, shard: Option<Shard>| RunOptions {
        out: Some(tmp.path().join(out)),
        shard,
        charts: Some(borderflow::report::draw),
        ..RunOptions::default()
    };
    run_job(&job, &opts("whole", None), None).unwrap();
    let mut dirs = Vec::new();
    for k in 0..2 {
        let name = format!("s{k}");
        run_job(&job, &opts(&name, Some(Shard { index: k, count: 2 })), None).unwrap();
        dirs.push(tmp.path().join(name));
    }
    merge(
        &dirs,
        &tmp.path().join("merged"),
        Some(borderflow::report::draw),
    )
    .unwrap();
    for f in [
        "sweep.csv",
        "sweep_summary.csv",
        "summary.json",
        "sweep.json",
    ] {
        let a = std::fs::read(tmp.path().join("whole").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("merged").join(f)).unwrap();
        assert!(a == b, "{f} differs");
    }
    // `plot` redraws the merged sweep's charts from its tables alone, the
    // same files the merge drew.
    let merged = tmp.path().join("merged");
    let drawn = std::fs::read_dir(&merged)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count();
    let files = borderflow::report::draw_files(&merged).unwrap();
    let pngs = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
        .count();
    assert!(
        pngs > 0 && pngs == drawn,
        "{pngs} charts redrawn, {drawn} drawn"
    );
    // 24 points × 10 replications × 3 KPIs, plus the header.
    let rows = std::fs::read_to_string(tmp.path().join("whole/sweep.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 24 * 10 * 3);
    // More servers, shorter waits: the response is monotone at point means.
    let summary = std::fs::read_to_string(tmp.path().join("whole/sweep_summary.csv")).unwrap();
    let mean = |servers: &str| -> f64 {
        summary
            .lines()
            .filter(|l| {
                let c: Vec<&str> = l.split(',').collect();
                c.get(3) == Some(&servers)
                    && c.get(4) == Some(&"1")
                    && c.get(5) == Some(&"mean_wait_min")
            })
            .map(|l| l.split(',').nth(6).unwrap().parse::<f64>().unwrap())
            .next()
            .unwrap_or_else(|| panic!("no row for {servers} servers"))
    };
    assert!(mean("10") > mean("11") && mean("11") > mean("12"));
    // Rows lead with the sweep and seed, then the point and its parameters
    // under readable names, so tables of several sweeps join.
    assert!(
        summary.starts_with("scenario,seed,point,servers,service_rate_per_hour,kpi,mean,"),
        "{}",
        summary.lines().next().unwrap_or("")
    );
    assert!(summary.lines().nth(1).unwrap().starts_with("mmc-servers,"));
    // The heatmap of two parameters has a colour bar with the KPI's unit
    // and axes titled by the parameters' labels, not their paths (the SVG
    // holds the chart's text).
    let svg = std::fs::read_to_string(tmp.path().join("whole/heatmap_mean_wait_min.svg")).unwrap();
    assert!(tmp.path().join("whole/heatmap_mean_wait_min.png").is_file());
    for text in ["min", "servers", "service rate [customers/h per server]"] {
        assert!(svg_has_text(&svg, text), "no {text} in the heatmap");
    }
    assert!(!svg.contains("model.servers"), "a raw path on the heatmap");
}

/// A bad path in a sweep file is reported like a bad scenario value: with
/// its place in the sweep file and a suggestion.
#[test]
fn bad_sweep_path_is_reported_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::canonicalize("scenarios/mmc.ron").unwrap();
    let f = tmp.path().join("bad.ron");
    std::fs::write(
        &f,
        format!(
            r#"(name: "bad", base: "{}", design: "grid",
               parameters: [(path: "model.servrs", values: [1, 2])], kpis: ["mean_wait"])"#,
            base.display()
        ),
    )
    .unwrap();
    let Err(err) = Sweep::from_file(&f) else {
        panic!("a bad sweep was accepted")
    };
    let err = err.to_string();
    assert!(err.contains("parameters[0].path"), "{err}");
    assert!(err.contains("did you mean \"servers\""), "{err}");
    assert!(
        err.contains("kpis[0]: the base model has no KPI \"mean_wait\""),
        "{err}"
    );
}

/// Every shipped sweep file loads, with every point's scenario validated.
#[test]
fn shipped_sweeps_validate() {
    let mut n = 0;
    for e in std::fs::read_dir("scenarios/sweeps").unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "ron") {
            let Ok(sw) = Sweep::from_file(&p) else {
                panic!("{} does not load", p.display());
            };
            assert!(!sw.plan.points.is_empty());
            n += 1;
        }
    }
    assert!(n >= 3, "{n} sweep files");
}

/// A sweep's name is its default output folder's, so it follows the rule of
/// scenario names: a name that climbs out of `outputs/` or is an absolute
/// path is refused at `name` (exit code 2), and nothing is written. (It used
/// to write the sweep there, replacing what was in that folder.)
#[test]
fn sweep_name_that_leaves_the_output_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().join("a/b");
    std::fs::create_dir_all(&cwd).unwrap();
    let body =
        r#"design: "grid", parameters: [(path: "model.servers", values: [10])], replications: 1"#;
    for name in ["../../victim", "/abs/dir", ".hidden"] {
        let f = sweep_file(
            &cwd,
            "s.ron",
            "scenarios/mmc.ron",
            &format!("name: {name:?}, {body}"),
        );
        let Err(err) = Sweep::from_file(&f) else {
            panic!("{name}: accepted")
        };
        assert_eq!(err.exit_code(), 2, "{name}: {err}");
        let borderflow::error::Error::Invalid { problems, .. } = &err else {
            panic!("{name}: {err}")
        };
        assert_eq!(problems[0].path, "name", "{name}: {err}");
        let res = Command::new(env!("CARGO_BIN_EXE_borderflow"))
            .args(["sweep", "-q", "s.ron"])
            .current_dir(&cwd)
            .output()
            .unwrap();
        assert_eq!(res.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert!(
            stderr.contains("name: must not contain"),
            "{name}: {stderr}"
        );
    }
    let mut left: Vec<_> = walk(tmp.path());
    left.sort();
    assert_eq!(left, vec![cwd.join("s.ron")], "nothing but the sweep file");
}

/// Whether a chart's SVG holds a text element that says exactly `text`
/// (plotters writes each as `<text …>TEXT` and a line break).
fn svg_has_text(svg: &str, text: &str) -> bool {
    let texts: Vec<&str> = svg
        .split("</text>")
        .filter_map(|t| t.rsplit_once('>').map(|(_, s)| s.trim()))
        .collect();
    let found = texts.contains(&text);
    if !found {
        eprintln!("{text:?} is not among the chart's texts: {texts:?}");
    }
    found
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A sweep "file" that is a device, a FIFO or a folder is refused at once
/// with exit code 2, as a scenario would be: `/dev/zero` used to be read
/// until memory ran out, and a FIFO blocked forever.
#[test]
fn sweep_file_that_is_not_a_regular_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let pipe = tmp.path().join("pipe.ron");
    fifo(&pipe);
    for (path, says) in [
        (PathBuf::from("/dev/zero"), "not a regular file"),
        (pipe, "not a regular file"),
        (tmp.path().to_path_buf(), "is a folder"),
    ] {
        let t0 = Instant::now();
        let shown = path.display().to_string();
        let err = within(Duration::from_secs(10), &shown, move || {
            Sweep::from_file(&path)
                .err()
                .map(|e| (e.exit_code(), e.to_string()))
        });
        let Some((code, message)) = err else {
            panic!("{shown}: accepted")
        };
        assert_eq!(code, 2, "{shown}: {message}");
        assert!(message.contains(says), "{shown}: {message}");
        assert!(
            t0.elapsed() < Duration::from_secs(2),
            "{shown}: {:?}",
            t0.elapsed()
        );
    }
    // Larger than the input limit: refused before it is read.
    let huge = tmp.path().join("huge.ron");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let err = Sweep::from_file(&huge).err().expect("a 100 MB sweep file");
    assert!(
        err.exit_code() == 2 && err.to_string().contains("input files are limited to"),
        "{err}"
    );
}

/// `finalize` reads the saved plan (`sweep.json`) under the same rule: a
/// folder whose plan is a device is an input error, not a read without end.
#[test]
fn sweep_plan_that_is_a_device_is_refused() {
    let sw = Sweep::from_file(Path::new("scenarios/sweeps/mmc_servers.ron")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", tmp.path().join("sweep.json")).unwrap();
    let dir = tmp.path().to_path_buf();
    let header = sw.header();
    let err = within(Duration::from_secs(10), "finalize", move || {
        borderflow::results::sweep::write_tables(&dir, &header)
            .map(|_| ())
            .map_err(|e| (e.exit_code(), e.to_string()))
    })
    .expect_err("a plan that is /dev/zero");
    assert_eq!(err.0, 2, "{}", err.1);
    assert!(err.1.contains("not a regular file"), "{}", err.1);
}

/// One value named twice, as `ports["Lukeville"]` and as `ports[3]`, is
/// refused at the second parameter's path: every point would set it twice and
/// run only the last value, while `sweep.csv` showed both.
#[test]
fn one_value_swept_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let f = sweep_file(
        tmp.path(),
        "twice.ron",
        "scenarios/baseline.ron",
        r#"name: "twice", design: "grid", replications: 1, parameters: [
            (path: "model.ports[\"Lukeville\"].lanes", values: [1.0, 2.0]),
            (path: "model.mexico.enforcement_personnel", values: [30000]),
            (path: "model.ports[3].lanes", values: [3.0, 4.0]),
        ]"#,
    );
    let Err(err) = Sweep::from_file(&f) else {
        panic!("a value swept twice was accepted")
    };
    assert_eq!(err.exit_code(), 2, "{err}");
    let borderflow::error::Error::Invalid { problems, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].path, "parameters[2].path", "{err}");
    assert!(
        problems[0]
            .message
            .contains("names the same value as parameters[0]"),
        "{err}"
    );
}

/// A sweep holds its points' values, not their scenarios: loading one with
/// 60 points of the border baseline holds, and at its peak needs, at most
/// 2 KB per extra point more than one with 10 points (each point is 2
/// numbers; 2 KB leaves room for vectors and their growth; measured: 2 KB
/// for all 50). Holding every point's scenario took 217 KB more per point
/// (10.9 MB over the 50; a 5,000-point design held over a gigabyte before it
/// ran). Running a point builds its scenario again, so its results are those
/// of a scenario built up front: the byte comparisons in this module and in
/// `determinism` check that.
#[test]
fn sweep_memory_does_not_grow_with_point_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let load = |points: usize| {
        let f = sweep_file(
            tmp.path(),
            &format!("lhs{points}.ron"),
            "scenarios/baseline.ron",
            &format!(
                r#"name: "lhs", design: "lhs", points: {points}, replications: 1, parameters: [
                    (path: "model.mexico.enforcement_personnel", min: 24000, max: 48000),
                    (path: "model.ports[\"Lukeville\"].lanes", min: 1.0, max: 4.0),
                ]"#
            ),
        );
        let before = held();
        reset_peak();
        let sw = Sweep::from_file(&f).unwrap();
        let most = peak() - before;
        let kept = held() - before;
        assert_eq!(sw.plan.points.len(), points);
        drop(sw);
        (most, kept)
    };
    let (most_10, kept_10) = load(10);
    let (most_60, kept_60) = load(60);
    let allowance = 50 * 2048;
    assert!(
        kept_60 - kept_10 < allowance,
        "held after loading: {kept_10} B with 10 points, {kept_60} B with 60"
    );
    assert!(
        most_60 - most_10 < allowance,
        "peak while loading: {most_10} B with 10 points, {most_60} B with 60"
    );
}

/// A design too large is refused from its size before any point is built:
/// an LHS of 4,294,967,295 points is refused at once (it used to allocate its
/// strata first, 34 GB, and abort).
#[test]
fn design_too_large_is_refused_before_it_is_built() {
    let tmp = tempfile::tempdir().unwrap();
    let f = sweep_file(
        tmp.path(),
        "huge.ron",
        "scenarios/mmc.ron",
        r#"name: "huge", design: "lhs", points: 4294967295,
           parameters: [(path: "model.servers", min: 8, max: 16)]"#,
    );
    let t0 = Instant::now();
    let Err(err) = Sweep::from_file(&f) else {
        panic!("4,294,967,295 points were accepted")
    };
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string()
            .contains("parameters: the design has 4294967295 points; allowed: 1 to 1000000"),
        "{err}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
}

/// `sweep -r N -s SEED --no-charts` replaces the file's replications per
/// point and seed and draws no charts; the tables follow (the plan records
/// the replications, the summary the seed); no empty daily files and no
/// KPI summaries pooled across points are written.
#[test]
fn sweep_takes_replications_seed_and_no_charts_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let res = std::process::Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args([
            "sweep",
            "scenarios/sweeps/mmc_servers.ron",
            "-r",
            "2",
            "-s",
            "77",
        ])
        .args(["--no-charts", "-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(plan["replications"], 2);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 77);
    let points = plan["points"].as_array().unwrap().len() as u64;
    assert_eq!(summary["replications"], points * 2);
    let charts = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count();
    assert_eq!(charts, 0, "--no-charts drew {charts} charts");
    assert!(out.join("sweep_summary.csv").is_file());
    // No empty or pooled files: a sweep has no days, and KPIs pooled across
    // design points would mean nothing (its summaries are per point).
    assert!(!out.join("daily.csv").exists() && !out.join("daily_summary.csv").exists());
    assert_eq!(summary["kpis"], serde_json::json!({}));
}

/// `sweep.json` echoes each parameter as the design used it: explicit
/// values without a range or steps, a grid's range with its steps, a
/// sampled range without steps, each with its label; `sobol_n` only for a
/// Sobol design.
#[test]
fn sweep_json_echoes_only_what_the_design_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = |name: &str, body: &str| -> serde_json::Value {
        let f = sweep_file(tmp.path(), name, "scenarios/mmc.ron", body);
        let sw = Sweep::from_file(&f).unwrap();
        let (_, bytes) = sw
            .inputs()
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == "sweep.json")
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    };
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let grid = plan(
        "grid.ron",
        r#"name: "g", design: "grid", replications: 1, parameters: [
            (path: "model.servers", values: [10, 11], label: "servers"),
            (path: "model.service_rate_per_hour", min: 0.9, max: 1.1, steps: 3),
        ]"#,
    );
    assert_eq!(
        keys(&grid["parameters"][0]),
        ["base", "integer", "label", "path", "values"]
    );
    assert_eq!(
        keys(&grid["parameters"][1]),
        ["base", "integer", "max", "min", "path", "steps"]
    );
    assert_eq!(grid["parameters"][1]["steps"], 3);
    assert!(grid.get("sobol_n").is_none(), "{grid}");
    let sobol = plan(
        "sobol.ron",
        r#"name: "s", design: "sobol", points: 4, replications: 1, parameters: [
            (path: "model.servers", min: 10, max: 12),
        ]"#,
    );
    assert_eq!(
        keys(&sobol["parameters"][0]),
        ["base", "integer", "max", "min", "path"]
    );
    assert_eq!(sobol["sobol_n"], 4);
    // Values given to a design that samples a range would be ignored:
    // refused, at the parameter's values.
    let f = sweep_file(
        tmp.path(),
        "lhs.ron",
        "scenarios/mmc.ron",
        r#"name: "l", design: "lhs", points: 4, parameters: [
            (path: "model.servers", values: [10, 11], min: 10, max: 12),
        ]"#,
    );
    let err = Sweep::from_file(&f).err().expect("values in an lhs design");
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(
        err.to_string()
            .contains("parameters[0].values: this design samples a range"),
        "{err}"
    );
}

/// A small Sobol sweep of the M/M/c station (N = 16 base samples, 3
/// parameters: 80 points × 2 replications, well under a second) writes
/// every index with a 95% bootstrap interval that holds its estimate, the
/// same bytes twice from the same seed, other intervals from another seed,
/// and a chart of the indices with their intervals.
#[test]
fn sobol_sweep_has_repeatable_bootstrap_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let f = sweep_file(
        tmp.path(),
        "sobol.ron",
        "scenarios/mmc.ron",
        r#"name: "small-sobol", design: "sobol", points: 16, replications: 2,
           kpis: ["mean_wait_min"], parameters: [
            (path: "model.arrival_rate_per_hour", min: 7.0, max: 8.5),
            (path: "model.service_rate_per_hour", min: 0.95, max: 1.1),
            (path: "model.servers", min: 10, max: 12),
        ]"#,
    );
    // In process, as `sweep -s SEED` runs it (the test of `-s` is above).
    let run = |out: &str, seed: u64| {
        let overrides = borderflow::sweep::Overrides {
            seed: Some(seed),
            ..Default::default()
        };
        let sw = Sweep::from_file_with(&f, overrides).unwrap();
        let exp = sw.experiment();
        let job = Job::new(&exp, sw.header(), sw.inputs().unwrap());
        let opts = RunOptions {
            out: Some(tmp.path().join(out)),
            charts: Some(borderflow::report::draw),
            ..RunOptions::default()
        };
        run_job(&job, &opts, None).unwrap();
        tmp.path().join(out)
    };
    let (a, b, c) = (run("a", 5), run("b", 5), run("c", 6));
    let table = std::fs::read_to_string(a.join("sensitivity.csv")).unwrap();
    assert_eq!(
        table,
        std::fs::read_to_string(b.join("sensitivity.csv")).unwrap(),
        "same seed, other bytes"
    );
    assert_ne!(
        table,
        std::fs::read_to_string(c.join("sensitivity.csv")).unwrap(),
        "another seed, the same indices"
    );
    let mut reader = csv::Reader::from_reader(table.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut rows = 0;
    for row in reader.records() {
        let row = row.unwrap();
        for e in ["first_order", "total_order"] {
            let v = |s: &str| row[col(&format!("{e}{s}"))].parse::<f64>().unwrap();
            assert!(
                v("_low") <= v("") && v("") <= v("_high") && v("_low") < v("_high"),
                "{e}: {table}"
            );
        }
        let note = &row[col("note")];
        assert!(note.is_empty() || note.starts_with("warning: "), "{note}");
        rows += 1;
    }
    assert_eq!(rows, 3, "{table}");
    assert!(a.join("sobol_mean_wait_min.png").is_file());
    let svg = std::fs::read_to_string(a.join("sobol_mean_wait_min.svg")).unwrap();
    assert!(
        svg_has_text(&svg, "95% bootstrap interval"),
        "no interval legend"
    );
    assert!(
        svg_has_text(&svg, "arrival_rate_per_hour"),
        "parameter names"
    );
}

/// One KPI value of a sweep's per-replication table, keyed by (point,
/// replication within the point, KPI).
type Keyed = std::collections::BTreeMap<(u64, u64, String), f64>;

/// A finished sweep keeps one per-replication KPI table, whose rows name
/// their point: `sweep.csv` (or `sweep.parquet` with `--format parquet`,
/// the same columns and values) and no raw `kpis.*`, whose `replication`
/// counted over the whole batch. Each row's parameters are its point's in
/// `sweep.json`; its values are exactly (same seed, same bits) those the
/// raw records of the batch's shards hold for replication point × R + r.
#[test]
fn sweep_records_name_their_point() {
    use borderflow::output::Format;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let tmp = tempfile::tempdir().unwrap();
    let f = sweep_file(
        tmp.path(),
        "points.ron",
        "scenarios/mmc.ron",
        r#"name: "points", design: "grid", replications: 3,
           kpis: ["mean_wait_min", "p_wait"], parameters: [
            (path: "model.servers", values: [10, 12]),
            (path: "model.service_rate_per_hour", values: [1.0, 1.1]),
        ]"#,
    );
    let sw = Sweep::from_file(&f).unwrap();
    let exp = sw.experiment();
    let job = Job::new(&exp, sw.header(), sw.inputs().unwrap());
    let run = |out: &str, format: Format, shard: Option<Shard>| {
        let opts = RunOptions {
            out: Some(tmp.path().join(out)),
            format,
            shard,
            ..RunOptions::default()
        };
        run_job(&job, &opts, None).unwrap();
        tmp.path().join(out)
    };
    let (csv_dir, pq_dir) = (
        run("csv", Format::Csv, None),
        run("pq", Format::Parquet, None),
    );
    for (dir, kept, gone) in [
        (&csv_dir, "sweep.csv", ["kpis.csv", "sweep.parquet"]),
        (&pq_dir, "sweep.parquet", ["kpis.parquet", "sweep.csv"]),
    ] {
        assert!(dir.join(kept).is_file(), "no {kept}");
        for g in gone {
            assert!(!dir.join(g).exists(), "{g} kept beside {kept}");
        }
    }
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(csv_dir.join("sweep.json")).unwrap())
            .unwrap();
    let points = plan["points"].as_array().unwrap();
    // sweep.csv: every row names its point, its parameters and its
    // replication within the point.
    let mut reader = csv::Reader::from_path(csv_dir.join("sweep.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.join(","),
        "scenario,seed,point,servers,service_rate_per_hour,replication,kpi,value"
    );
    let mut from_csv = Keyed::new();
    for row in reader.records() {
        let row = row.unwrap();
        let num = |i: usize| row[i].parse::<f64>().unwrap();
        let point = row[2].parse::<u64>().unwrap();
        let at = &points[point as usize];
        assert_eq!(
            (num(3), num(4)),
            (at[0].as_f64().unwrap(), at[1].as_f64().unwrap())
        );
        let rep = row[5].parse::<u64>().unwrap();
        assert!(rep < 3, "replication {rep} of 3 in a point");
        from_csv.insert((point, rep, row[6].to_string()), num(7));
    }
    assert_eq!(
        from_csv.len(),
        4 * 3 * 2,
        "a (point, replication, KPI) twice"
    );
    // sweep.parquet: the same columns and values.
    let file = std::fs::File::open(pq_dir.join("sweep.parquet")).unwrap();
    let pq = SerializedFileReader::new(file).unwrap();
    let mut from_pq = Keyed::new();
    for row in pq.get_row_iter(None).unwrap() {
        let row = row.unwrap();
        let cols: Vec<(&String, &Field)> = row.get_column_iter().collect();
        let names: Vec<&str> = cols.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.join(","), header.join(","));
        let int = |i: usize| match cols[i].1 {
            Field::UInt(v) => u64::from(*v),
            other => panic!("column {} is {other:?}", names[i]),
        };
        let (Field::Str(kpi), Field::Double(value)) = (cols[6].1, cols[7].1) else {
            panic!("kpi and value are {:?}", &cols[6..]);
        };
        from_pq.insert((int(2), int(5), kpi.clone()), *value);
    }
    assert_eq!(from_pq, from_csv);
    // The raw records of two shards (replication counted over the batch).
    let mut from_shards = Keyed::new();
    for k in 0..2 {
        let dir = run(
            &format!("s{k}"),
            Format::Csv,
            Some(Shard { index: k, count: 2 }),
        );
        let mut raw = csv::Reader::from_path(dir.join("kpis.csv")).unwrap();
        for row in raw.records() {
            let row = row.unwrap();
            let r = row[0].parse::<u64>().unwrap();
            from_shards.insert((r / 3, r % 3, row[1].to_string()), row[2].parse().unwrap());
        }
    }
    assert_eq!(from_shards, from_csv);
}
