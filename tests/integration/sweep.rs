//! Sweeps and sensitivity: the Sobol estimator against the Ishigami
//! function's analytic indices, sharded sweeps merged to the same bytes, and
//! bad sweep files reported like bad scenarios.

use std::f64::consts::PI;
use std::path::Path;

use borderflow::rng::stream;
use borderflow::runner::{Job, RunOptions, merge, run_job};
use borderflow::sensitivity::{saltelli_unit, sobol_indices};
use borderflow::shard::Shard;
use borderflow::sweep::Sweep;

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
        ..RunOptions::default()
    };
    run_job(&job, &opts("whole", None), None).unwrap();
    let mut dirs = Vec::new();
    for k in 0..2 {
        let name = format!("s{k}");
        run_job(&job, &opts(&name, Some(Shard { index: k, count: 2 })), None).unwrap();
        dirs.push(tmp.path().join(name));
    }
    merge(&dirs, &tmp.path().join("merged")).unwrap();
    for f in [
        "sweep.csv",
        "sweep_summary.csv",
        "kpis.csv",
        "summary.json",
        "sweep.json",
    ] {
        let a = std::fs::read(tmp.path().join("whole").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("merged").join(f)).unwrap();
        assert!(a == b, "{f} differs");
    }
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
                c.get(1) == Some(&servers)
                    && c.get(2) == Some(&"1")
                    && c.get(3) == Some(&"mean_wait_min")
            })
            .map(|l| l.split(',').nth(4).unwrap().parse::<f64>().unwrap())
            .next()
            .unwrap_or_else(|| panic!("no row for {servers} servers"))
    };
    assert!(mean("10") > mean("11") && mean("11") > mean("12"));
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
