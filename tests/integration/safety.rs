//! Where borderflow may write, what it never destroys, and how it fails:
//! the file-system findings of the hostile review (issue 10), each as the
//! exact reproduction, run against temporary folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use borderflow::output::OutputDir;

const BIN: &str = env!("CARGO_BIN_EXE_borderflow");

/// Runs borderflow with `args` in the folder `cwd`.
fn bf_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

/// Runs borderflow with `args` in the crate's folder.
fn bf(args: &[&str]) -> Output {
    bf_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn mmc_path() -> String {
    format!("{}/scenarios/mmc.ron", env!("CARGO_MANIFEST_DIR"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Every entry under `dir`, recursively, as sorted relative paths.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Writes shards 0..n of a 4-replication mmc run into `dir/shardK`.
fn shards(dir: &Path, n: u32) -> Vec<PathBuf> {
    (0..n)
        .map(|k| {
            let d = dir.join(format!("shard{k}"));
            let o = bf(&[
                "run",
                &mmc_path(),
                "-r",
                "4",
                "-q",
                "--shard",
                &format!("{k}/{n}"),
                "-o",
                s(&d),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            d
        })
        .collect()
}

// ---- Finding 2: merge copies only the contract's input files. ----

#[test]
fn merge_never_copies_a_path_from_a_shard_description() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("w/evil/victim.txt");
    std::fs::create_dir_all(victim.parent().unwrap()).unwrap();
    std::fs::write(&victim, "precious").unwrap();
    let dirs = shards(tmp.path(), 2);
    for d in &dirs {
        let p = d.join("shard.json");
        let text = std::fs::read_to_string(&p).unwrap();
        let crafted = text.replace(
            "\"scenario.ron\"",
            "\"scenario.ron\", \"../../w/evil/victim.txt\", \"../w/evil/victim.txt\"",
        );
        assert_ne!(text, crafted);
        std::fs::write(&p, crafted).unwrap();
    }
    let out = tmp.path().join("a/b/merged");
    let o = bf(&["merge", s(&dirs[0]), s(&dirs[1]), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("inputs must be"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!tmp.path().join("a").exists(), "bad input created folders");
}

// ---- Finding 3: only a folder borderflow wrote is ever replaced. ----

#[test]
fn a_folder_borderflow_did_not_write_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let important = tmp.path().join("important");
    std::fs::create_dir(&important).unwrap();
    std::fs::write(important.join("thesis.txt"), "t").unwrap();
    for cmd in [
        vec!["run", &mmc_path(), "-r", "2", "-q"],
        vec!["compare", &mmc_path(), &mmc_path(), "-r", "2", "-q"],
    ] {
        let mut args = cmd.clone();
        args.extend(["-o", s(&important)]);
        let o = bf(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("not written by borderflow"),
            "{}",
            stderr(&o)
        );
    }
    let dirs = shards(tmp.path(), 2);
    let o = bf(&["merge", s(&dirs[0]), s(&dirs[1]), "-o", s(&important)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(tree(&important), vec!["thesis.txt"]);
    assert_eq!(
        std::fs::read_to_string(important.join("thesis.txt")).unwrap(),
        "t"
    );
    // No staging folder or other leftovers beside it.
    let mut left = tree(tmp.path());
    left.retain(|p| !p.starts_with("shard"));
    assert_eq!(left, vec!["important", "important/thesis.txt"]);
}

/// Issue 15: a second run, compare or calibration with the default folder
/// keeps the first one's results and writes to `<name>-2`; `--resume` goes
/// to the newest folder (here complete, so nothing is rerun or added).
#[test]
fn a_second_run_with_the_default_folder_keeps_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let run = ["run", &mmc_path(), "-r", "2", "--no-charts", "-q"];
    let first = bf_in(tmp.path(), &run);
    assert!(first.status.success(), "{}", stderr(&first));
    let summary = tmp.path().join("outputs/mmc/summary.json");
    let before = std::fs::read(&summary).unwrap();
    let second = bf_in(tmp.path(), &run[..5]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("mmc-2"),
        "the terminal names the new folder: {}",
        String::from_utf8_lossy(&second.stdout)
    );
    assert_eq!(
        std::fs::read(&summary).unwrap(),
        before,
        "first results kept"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("outputs/mmc-2/summary.json")).unwrap(),
        before,
        "same seed, same bytes"
    );
    let mut resume = run.to_vec();
    resume.push("--resume");
    let o = bf_in(tmp.path(), &resume);
    assert!(o.status.success(), "{}", stderr(&o));
    let compare = [
        "compare",
        &mmc_path(),
        &mmc_path(),
        "-r",
        "2",
        "--no-charts",
        "-q",
    ];
    for _ in 0..2 {
        let o = bf_in(tmp.path(), &compare);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut outputs: Vec<String> = std::fs::read_dir(tmp.path().join("outputs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    outputs.sort();
    assert_eq!(outputs, ["compare-mmc", "compare-mmc-2", "mmc", "mmc-2"]);
}

#[test]
fn the_working_folder_and_plain_files_are_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::fs::copy(mmc_path(), work.join("mmc.ron")).unwrap();
    // Even a folder borderflow once wrote is not replaced while it is the
    // working folder.
    std::fs::write(work.join(".borderflow"), "{}").unwrap();
    let before = tree(&work);
    let o = bf_in(&work, &["run", "mmc.ron", "-r", "2", "-q", "-o", s(&work)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("working folder"), "{}", stderr(&o));
    assert_eq!(tree(&work), before);

    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "n").unwrap();
    let o = bf(&["run", &mmc_path(), "-r", "2", "-q", "-o", s(&file)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "n");
    assert!(!tmp.path().join(".notes.txt.old").exists());
    assert!(!tmp.path().join(".notes.txt.partial").exists());
}

#[test]
fn merging_into_one_of_its_shards_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shards(tmp.path(), 2);
    let before = tree(&dirs[1]);
    let o = bf(&["merge", s(&dirs[0]), s(&dirs[1]), "-o", s(&dirs[1])]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("an input of this command"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&dirs[1]), before);
    // Merging beside them works, and a second merge replaces the first
    // (a folder borderflow wrote).
    let out = tmp.path().join("merged");
    for _ in 0..2 {
        let o = bf(&["merge", s(&dirs[0]), s(&dirs[1]), "-o", s(&out)]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(out.join(".borderflow").is_file());
    assert!(!out.join(".lock").exists());
}

// ---- Finding 4: a failed resume never deletes finished work. ----

/// Makes `out`'s staging folder hold an interrupted run of `reps` mmc
/// replications (seed 7) with `done` finished, by interrupting it.
fn interrupted(out: &Path, reps: u32, done_at_least: u64) -> PathBuf {
    use borderflow::runner::{RunOptions, run};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let scn = borderflow::Scenario::from_file(Path::new(&mmc_path())).unwrap();
    let opts = RunOptions {
        replications: Some(reps),
        seed: Some(7),
        threads: Some(2),
        out: Some(out.to_path_buf()),
        charts: None,
        ..RunOptions::default()
    };
    let staging = out.parent().unwrap().join(format!(
        ".{}.partial",
        out.file_name().unwrap().to_str().unwrap()
    ));
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let watch = staging.join("checkpoint.json");
    let stopper = std::thread::spawn(move || {
        // Stop as soon as the checkpoint records enough replications.
        for _ in 0..2000 {
            if let Ok(t) = std::fs::read_to_string(&watch)
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&t)
                && v["done"].as_u64().unwrap_or(0) >= done_at_least
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        flag.store(true, Ordering::Relaxed);
    });
    let err = run(&scn, &opts, Some(&cancel)).unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(err, borderflow::Error::Interrupted(_)), "{err}");
    staging
}

#[test]
fn a_failed_resume_keeps_the_interrupted_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let staging = interrupted(&out, 3000, 8);
    let snapshot = |p: &Path| -> Vec<(String, Vec<u8>)> {
        tree(p)
            .into_iter()
            .filter(|f| f != ".lock")
            .map(|f| {
                let b = std::fs::read(p.join(&f)).unwrap();
                (f, b)
            })
            .collect()
    };
    let before = snapshot(&staging);
    let mmc = mmc_path();
    let resume = |extra: &[&str]| {
        let mut args = vec!["run", mmc.as_str(), "-r", "3000", "-q", "--resume"];
        args.extend(extra);
        args.extend(["-o", s(&out)]);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        bf(&args)
    };
    // Another seed.
    let o = resume(&["-s", "5"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("seed 7"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("deleting"), "{}", stderr(&o));
    assert_eq!(snapshot(&staging), before);
    // Another replication count.
    let o = bf(&[
        "run",
        &mmc_path(),
        "-r",
        "10",
        "-s",
        "7",
        "-q",
        "--resume",
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(snapshot(&staging), before);
    // A truncated daily.csv.
    let daily = staging.join("daily.csv");
    let bytes = std::fs::read(&daily).unwrap();
    std::fs::write(&daily, &bytes[..bytes.len() / 2]).unwrap();
    let o = resume(&["-s", "7"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("damaged"), "{}", stderr(&o));
    assert!(staging.join("checkpoint.json").exists());
    std::fs::write(&daily, &bytes).unwrap();
    // A garbage checkpoint.
    let cp = staging.join("checkpoint.json");
    let saved = std::fs::read(&cp).unwrap();
    std::fs::write(&cp, "{ not json").unwrap();
    let o = resume(&["-s", "7"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(daily.exists());
    std::fs::write(&cp, saved).unwrap();
    assert_eq!(snapshot(&staging), before);
    // And the untouched folder still resumes to the bytes of one run.
    let o = resume(&["-s", "7", "--no-charts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = tmp.path().join("reference");
    let o = bf(&[
        "run",
        &mmc_path(),
        "-r",
        "3000",
        "-s",
        "7",
        "-q",
        "--no-charts",
        "-o",
        s(&reference),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["daily.csv", "kpis.csv", "summary.json", "daily_summary.csv"] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(reference.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
}

// ---- Finding 5: one writer at a time. ----

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("same");
    // This process is writer A (the lock is per open file, so it conflicts
    // with a child process exactly as with another borderflow).
    let a = OutputDir::create(&out, "run", false, &[]).unwrap();
    let o = bf(&[
        "run",
        &mmc_path(),
        "-r",
        "16",
        "-s",
        "5",
        "-q",
        "--resume",
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let msg = stderr(&o);
    assert!(
        msg.contains(&format!("in use by process {}", std::process::id())),
        "{msg}"
    );
    assert!(!msg.contains("interrupted"), "{msg}");
    // A's staging folder is intact: only its lock and stamp.
    assert_eq!(tree(a.path()), vec![".borderflow", ".lock"]);
    drop(a);
    assert!(!tmp.path().join(".same.partial").exists());
}

// ---- Finding 13: a completed run is never thrown away by the last step. ----

#[test]
fn a_failed_final_swap_keeps_the_complete_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("res");
    let dir = OutputDir::create(&out, "run", false, &[]).unwrap();
    std::fs::write(dir.file("summary.json"), "{}").unwrap();
    let staging = dir.path().to_path_buf();
    // Meanwhile the user puts a folder of their own at the target.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "m").unwrap();
    let err = dir.commit().unwrap_err();
    assert!(err.to_string().contains("kept in"), "{err}");
    assert!(staging.join("summary.json").exists());
    assert_eq!(tree(&out), vec!["mine.txt"]);
    // `-o x/.` names the folder x: it runs and lands there.
    let o = bf(&[
        "run",
        &mmc_path(),
        "-r",
        "2",
        "-q",
        "--no-charts",
        "-o",
        &format!("{}/.", s(&tmp.path().join("dot"))),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("dot/summary.json").exists());
}

// ---- Finding 14: bad input exits 2 and creates nothing. ----

#[test]
fn bad_names_and_targets_exit_2_and_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("w");
    std::fs::create_dir(&work).unwrap();
    let mmc = std::fs::read_to_string(mmc_path()).unwrap();
    let long = "x".repeat(10_000);
    for (file, name) in [
        ("nul.ron", "a\0b"),
        ("esc.ron", "red\u{1b}[31mname"),
        ("long.ron", &long[..300]),
        ("huge.ron", &long),
    ] {
        std::fs::write(
            work.join(file),
            mmc.replace("name: \"mmc\"", &format!("name: \"{name}\"")),
        )
        .unwrap();
        let o = bf_in(&work, &["run", file, "-r", "2", "-q"]);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        let msg = stderr(&o);
        assert!(!msg.contains('\u{1b}'), "{file}: escape echoed");
        assert!(!msg.contains('\0'), "{file}: NUL echoed");
        // The name rule's message (under 200 bytes) plus the file name and
        // path; a name echoed whole would pass 10,000 bytes.
        assert!(msg.len() < 1500, "{file}: {} bytes of message", msg.len());
    }
    for target in ["/", ".", "..", "x/.."] {
        let o = bf_in(&work, &["run", &mmc_path(), "-r", "2", "-q", "-o", target]);
        assert_eq!(o.status.code(), Some(2), "-o {target}: {}", stderr(&o));
    }
    let o = bf_in(&work, &["run", &mmc_path(), "-r", "20000000", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Nothing was created: no outputs/ folder, no staging folders.
    let mut left = tree(&work);
    left.retain(|f| !f.ends_with(".ron"));
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn merge_refuses_missing_duplicate_and_corrupt_shards_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shards(tmp.path(), 3);
    let out = tmp.path().join("deep/er/merged");
    let merge = |ds: &[&PathBuf]| {
        let mut args: Vec<&str> = vec!["merge"];
        args.extend(ds.iter().map(|d| s(d)));
        args.extend(["-o", s(&out)]);
        bf(&args)
    };
    // A missing shard is not bad input but an unfinished batch: exit 3, so a
    // job script can tell it from a broken one.
    let o = merge(&[&dirs[0], &dirs[2]]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("missing: [1]"), "{}", stderr(&o));
    let not_yet = tmp.path().join("shard-not-run");
    let o = merge(&[&dirs[0], &dirs[1], &not_yet]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("shard-not-run"), "{}", stderr(&o));
    let o = merge(&[&dirs[0], &dirs[1], &dirs[1], &dirs[2]]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("given twice: [1]"), "{}", stderr(&o));
    // Finding 12: an absurd day count is refused before any allocation.
    let p = dirs[1].join("shard.json");
    let good = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, good.replace("\"days\": 100", "\"days\": 400000000")).unwrap();
    let o = merge(&[&dirs[0], &dirs[1], &dirs[2]]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Finding 6: a date past year 9999.
    std::fs::write(
        &p,
        good.replace("\"start\": \"2024-01-01\"", "\"start\": \"+262142-12-30\""),
    )
    .unwrap();
    let o = merge(&[&dirs[0], &dirs[1], &dirs[2]]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    std::fs::write(&p, &good).unwrap();
    // Finding 12: garbage rows appended to a shard's kpis.csv.
    let k = dirs[2].join("kpis.csv");
    let mut kp = std::fs::read_to_string(&k).unwrap();
    kp.push_str("3,mean_wait_min,1e308\n");
    std::fs::write(&k, kp).unwrap();
    let o = merge(&[&dirs[0], &dirs[1], &dirs[2]]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("after the last replication"),
        "{}",
        stderr(&o)
    );
    assert!(
        !tmp.path().join("deep").exists(),
        "bad input created folders"
    );
}

// ---- Finding 7: names with quotes survive the records both ways. ----

#[test]
fn names_with_quotes_round_trip_through_the_records() {
    use borderflow::metrics::{DailySeries, MetricKind, MetricSpec, Unit};
    use borderflow::output::{Format, RecordSchema, Stage, records};
    let spec = |n: &str| MetricSpec::new(n, Unit::Persons, MetricKind::Count, n);
    let metrics = vec![
        spec("caravan_size").at("\"Exodo\""),
        spec("a,b"),
        spec("\"").of_origin("x\ny"),
    ];
    let kpis = vec!["\"Exodo\":peak".to_string()];
    let day = |d| chrono::NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    for format in [Format::Csv, Format::Parquet] {
        let tmp = tempfile::tempdir().unwrap();
        let schema =
            RecordSchema::new(format, vec![day(1), day(2)], metrics.clone(), kpis.clone()).unwrap();
        let mut daily = DailySeries::new(2, 3);
        daily.row_mut(1)[2] = 4.5;
        let mut w = records::create(tmp.path(), &schema).unwrap();
        for r in 0..2 {
            w.write(&schema.prepare(r, &daily, &[r as f64]).unwrap())
                .unwrap();
        }
        w.finish().unwrap();
        let mut reader = records::open(tmp.path(), &schema, Stage::Finished, true, true).unwrap();
        for r in 0..2 {
            let (i, d, k) = reader.next_replication().unwrap().unwrap();
            assert_eq!((i, d.get(1, 2), k), (r, 4.5, vec![r as f64]), "{format}");
        }
        assert!(reader.next_replication().unwrap().is_none());
        reader.expect_end().unwrap();
    }
}

// ---- Finding 8: unbounded reads. ----

#[test]
fn devices_and_fifos_are_refused_without_reading_them() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo.ron");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for base in ["/dev/zero", "/dev/urandom", s(&fifo)] {
        let f = tmp.path().join("extend.ron");
        std::fs::write(&f, format!("(extend: \"{base}\", name: \"x\")")).unwrap();
        let t0 = std::time::Instant::now();
        let o = bf(&["validate", s(&f)]);
        assert_eq!(o.status.code(), Some(2), "{base}: {}", stderr(&o));
        // A refusal reads nothing: milliseconds; 10 s allows a loaded CI
        // machine and still catches a read of /dev/zero or a blocked FIFO.
        assert!(
            t0.elapsed().as_secs() < 10,
            "{base}: took {:?}",
            t0.elapsed()
        );
    }
    let o = bf(&["validate", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

// ---- Finding 9: absurd thread counts. ----

#[test]
fn absurd_thread_counts_are_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let out = tmp.path().join("t");
    let o = bf(&[
        "run",
        &mmc_path(),
        "-r",
        "4",
        "-q",
        "--no-charts",
        "-t",
        "1000000",
        "-o",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("more than this machine can use"),
        "{}",
        stderr(&o)
    );
    // Four replications of mmc take well under a second; 60 s allows a
    // loaded CI machine and still fails if a million threads were started.
    assert!(t0.elapsed().as_secs() < 60, "{:?}", t0.elapsed());
}

// ---- Finding 15: prompt interruption, nothing finished lost. ----

/// SIGTERM mid-run: the process stops within a couple of seconds, keeps
/// every finished replication (the checkpoint matches the records), and
/// `--resume` completes to the bytes of an uninterrupted run.
#[test]
fn sigterm_stops_promptly_and_resume_completes_the_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    // A year-long M/M/c: each replication takes tens of milliseconds.
    let scn = tmp.path().join("long.ron");
    let mmc = std::fs::read_to_string(mmc_path()).unwrap();
    std::fs::write(
        &scn,
        mmc.replace("end: \"2024-04-09\"", "end: \"2025-06-30\""),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["run", s(&scn), "-r", "400", "-t", "2", "-q", "--no-charts"]
            .iter()
            .map(|x| x.to_string())
            .collect();
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let mut child = Command::new(BIN)
        .args(args(&["-o", s(&out)]))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staging = tmp.path().join(".out.partial");
    // Wait until some replications are recorded, then stop it.
    let t0 = std::time::Instant::now();
    while !std::fs::read_to_string(staging.join("checkpoint.json"))
        .is_ok_and(|t| !t.contains("\"done\": 0"))
    {
        assert!(t0.elapsed().as_secs() < 60, "no progress");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let stopped = std::time::Instant::now();
    let status = child.wait().unwrap();
    let latency = stopped.elapsed();
    assert_eq!(status.code(), Some(1));
    // Two replications in flight of a few tens of ms each; 3 s leaves room
    // for a loaded machine and still catches a stop that waits for a chunk.
    assert!(latency.as_secs_f64() < 3.0, "stopped after {latency:?}");
    let cp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(staging.join("checkpoint.json")).unwrap())
            .unwrap();
    let done = cp["done"].as_u64().unwrap();
    assert!(done > 0 && done < 400, "done = {done}");
    let kpi_rows = std::fs::read_to_string(staging.join("kpis.csv"))
        .unwrap()
        .lines()
        .count();
    let per_rep = borderflow::mmc::KPIS.len();
    // The header line plus `done` replications' rows, at least.
    assert!(
        kpi_rows > done as usize * per_rep,
        "checkpoint {done} but {kpi_rows} kpi rows"
    );
    let o = Command::new(BIN)
        .args(args(&["--resume", "-o", s(&out)]))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = tmp.path().join("ref");
    let o = Command::new(BIN)
        .args(args(&["-o", s(&reference)]))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["daily.csv", "kpis.csv", "summary.json", "daily_summary.csv"] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(reference.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
}

/// Runs `borderflow run <mmc> <args>` under `ulimit -f blocks` (POSIX sh
/// counts 512-byte blocks).
fn with_file_size_limit(blocks: u32, args: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f {blocks}; exec {BIN} run {} {args}",
            mmc_path()
        ))
        .output()
        .unwrap()
}

/// A write over the file size limit is a clear error (exit 1), not a silent
/// death by SIGXFSZ, and the message names the file.
#[test]
fn file_size_limit_is_a_clear_write_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("big");
    let o = with_file_size_limit(64, &format!("-r 50 -q --no-charts -o {}", s(&out)));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("too large"), "{}", stderr(&o));
    // The replications it says it kept are those its checkpoint records.
    let cp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join(".big.partial/checkpoint.json")).unwrap(),
    )
    .unwrap();
    let done = cp["done"].as_u64().unwrap();
    assert!(
        stderr(&o).contains(&format!("{done} finished replications are kept")),
        "checkpoint says {done}: {}",
        stderr(&o)
    );
}

// ---- Fuzzing: the kept corpora of sweep files and shard folders replay. ----

/// Every input the sweep and shard fuzzers kept (`fuzz/corpus/sweep`,
/// `fuzz/corpus/shard`) gives a result or an error, never a panic, and the
/// seeds taken from real runs still succeed.
#[test]
fn sweep_and_shard_fuzz_corpora_replay_without_panics() {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["mmc.ron", "baseline.ron"] {
        std::fs::copy(
            format!("{}/scenarios/{f}", env!("CARGO_MANIFEST_DIR")),
            tmp.path().join(f),
        )
        .unwrap();
    }
    for (corpus, min_files) in [("sweep", 4), ("shard", 3)] {
        let mut files: Vec<_> = std::fs::read_dir(format!(
            "{}/fuzz/corpus/{corpus}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("the fuzz corpus is in the repository")
        .flatten()
        .map(|e| e.path())
        .collect();
        files.sort();
        assert!(files.len() >= min_files, "{corpus}: {} files", files.len());
        let mut valid = 0;
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let seed = f
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("seed-");
            let r = std::panic::catch_unwind(|| match corpus {
                "sweep" => match std::str::from_utf8(&bytes) {
                    Ok(text) => borderflow::smoke::sweep(text, tmp.path()),
                    Err(_) => Ok(()),
                },
                _ => borderflow::smoke::shard(&bytes, tmp.path()),
            });
            match r {
                Ok(Ok(())) => valid += 1,
                Ok(Err(e)) => {
                    assert!(!seed, "{}: {e}", f.display());
                    assert!(!e.to_string().is_empty());
                }
                Err(_) => panic!("{} panicked", f.display()),
            }
        }
        assert!(valid > 0, "{corpus}: no valid input in the corpus");
    }
    // Nothing escaped the folder the smoke checks were given.
    let mut left = tree(tmp.path());
    left.retain(|p| !p.starts_with("shard/") && !p.starts_with("merged/"));
    left.retain(|p| !p.starts_with(".merged.partial"));
    assert_eq!(
        left,
        vec![
            "baseline.ron",
            "fuzz-sweep.ron",
            "merged",
            "mmc.ron",
            "shard"
        ]
    );
}

/// A failure after every replication is recorded (here a chart over the file
/// size limit) keeps the staging folder, and --resume completes it without
/// running a replication again.
#[test]
fn a_failure_while_finishing_keeps_the_finished_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("charts");
    // 128 blocks of 512 bytes (POSIX sh): the 2 replications' records
    // (36 KB) fit, the daily summary and the charts do not.
    let o = with_file_size_limit(128, &format!("-r 2 -q -o {}", s(&out)));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 finished replications are kept"),
        "{}",
        stderr(&o)
    );
    let staging = tmp.path().join(".charts.partial");
    assert!(staging.join("checkpoint.json").is_file());
    let o = bf(&["run", &mmc_path(), "-r", "2", "--resume", "-o", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(": 0 replications"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(out.join("report.html").is_file() && !staging.exists());
}

/// When `path` was last written.
fn modified(path: &Path) -> std::time::SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// `--resume` of a job that already completed (a requeued cluster task, a
/// repeated command) does nothing: the finished folder is neither rerun nor
/// rewritten, for a shard and for a whole run; another batch still runs.
#[test]
fn resuming_a_complete_job_does_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, shard) in [("shard1", Some("1/2")), ("whole", None)] {
        let out = tmp.path().join(dir);
        let mut args = vec!["run", "-r", "4", "-q", "--no-charts", "-o", s(&out)];
        let mmc = mmc_path();
        args.insert(1, &mmc);
        if let Some(k) = shard {
            args.extend(["--shard", k]);
        }
        let o = bf(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let file = if shard.is_some() {
            "shard.json"
        } else {
            "summary.json"
        };
        let before = modified(&out.join(file));
        args.push("--resume");
        let o = bf(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let after = modified(&out.join(file));
        assert_eq!(before, after, "{dir}: rewritten");
        // Another seed is another batch: it runs and replaces the folder.
        args.extend(["-s", "99"]);
        let o = bf(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let again = modified(&out.join(file));
        assert_ne!(before, again, "{dir}: not rerun for another seed");
    }
}
