//! Batches that are split or stopped: shards merged into the bytes of one
//! run, and an interrupted run resumed into the bytes of an uninterrupted one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use borderflow::runner::{RunOptions, merge, run};
use borderflow::shard::Shard;
use borderflow::{Error, Scenario};

const FILES: [&str; 5] = [
    "daily.csv",
    "kpis.csv",
    "daily_summary.csv",
    "summary.json",
    "scenario.ron",
];

fn mmc() -> Scenario {
    Scenario::from_file(Path::new("scenarios/mmc.ron")).expect("valid")
}

fn opts(out: PathBuf, reps: u32) -> RunOptions {
    RunOptions {
        replications: Some(reps),
        out: Some(out),
        threads: Some(2),
        ..RunOptions::default()
    }
}

fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
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

/// Three shards (of unequal size: 10 = 4 + 3 + 3) merged in scrambled order
/// give the same bytes as one run of all ten replications.
#[test]
fn shards_merge_into_the_bytes_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = mmc();
    let full = tmp.path().join("full");
    run(&scn, &opts(full.clone(), 10), None).unwrap();
    let mut dirs = Vec::new();
    for k in [2, 0, 1] {
        let d = tmp.path().join(format!("shard{k}"));
        let o = RunOptions {
            shard: Some(Shard { index: k, count: 3 }),
            ..opts(d.clone(), 10)
        };
        run(&scn, &o, None).unwrap();
        assert!(
            !d.join("summary.json").exists(),
            "a shard writes records only"
        );
        dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged, None).unwrap();
    assert_same_files(&full, &merged);
    // A missing shard is refused, naming it.
    let err = merge(&dirs[..2], &tmp.path().join("m2"), None).unwrap_err();
    assert!(err.to_string().contains("missing: [1]"), "{err}");
    assert!(!tmp.path().join("m2").exists());
}

/// A run stopped by the interrupt flag keeps its finished replications;
/// `resume` completes it to the same bytes as an uninterrupted run, and the
/// previous results in the folder survive until then.
#[test]
fn interrupted_run_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = mmc();
    let reps = 1200;
    let reference = tmp.path().join("reference");
    run(&scn, &opts(reference.clone(), reps), None).unwrap();

    let out = tmp.path().join("out");
    // Earlier complete results in the target folder must survive the
    // interruption untouched.
    run(&scn, &opts(out.clone(), 3), None).unwrap();
    let before = std::fs::read(out.join("summary.json")).unwrap();

    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        flag.store(true, Ordering::Relaxed);
    });
    let err = run(&scn, &opts(out.clone(), reps), Some(&cancel)).unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(err, Error::Interrupted(_)), "{err}");
    assert!(err.to_string().contains("--resume"), "{err}");
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);

    // Without --resume the interrupted run is not silently thrown away.
    let refused = run(&scn, &opts(out.clone(), reps), None).unwrap_err();
    assert!(refused.to_string().contains("--resume"), "{refused}");

    let o = RunOptions {
        resume: true,
        ..opts(out.clone(), reps)
    };
    let done = run(&scn, &o, None).unwrap();
    assert!(
        done.stats.replications < u64::from(reps),
        "nothing was resumed"
    );
    assert_same_files(&reference, &out);
    assert!(!tmp.path().join(".out.partial").exists());
}
