//! Scenario files: every shipped one validates; every file in the bad-input
//! corpus is refused with its expected message, exit code 2 and no output.

use std::path::{Path, PathBuf};
use std::process::Command;

use borderflow::Scenario;
use borderflow::scenario::source;

fn ron_files(dir: &Path, skip: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            if !skip.contains(&name.as_str()) {
                out.extend(ron_files(&p, skip));
            }
        } else if name.ends_with(".ron") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Every calibration file in `scenarios/calibration/` (and every scenario
/// there that one uses as its base) loads and validates, and so does every
/// shipped calibration result's `calibrated.ron` (a scenario that extends
/// the `base.ron` beside it).
#[test]
fn shipped_calibrations_validate() {
    let dir = Path::new("scenarios/calibration");
    let mut checked = 0;
    for f in ron_files(dir, &[]) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let result = if f.parent() == Some(dir) {
            // A calibration, or a scenario a calibration uses as its base.
            let text = std::fs::read_to_string(&f).unwrap();
            let value = source::parse_value(&text, &name).unwrap();
            match source::FileKind::of(&value) {
                source::FileKind::Calibration => borderflow::calibrate::load(&f, &[]).map(|_| ()),
                _ => Scenario::from_file(&f).map(|_| ()),
            }
        } else if name == "calibrated.ron" {
            Scenario::from_file(&f).map(|_| ())
        } else {
            continue;
        };
        if let Err(e) = result {
            panic!("{} does not validate:\n{e}", f.display());
        }
        checked += 1;
    }
    assert!(checked >= 1);
}

/// Every scenario under `scenarios/` (not sweep or calibration files) loads
/// and validates.
#[test]
fn shipped_scenarios_validate() {
    let files = ron_files(Path::new("scenarios"), &["sweeps", "data", "calibration"]);
    assert!(!files.is_empty());
    for f in files {
        if let Err(e) = Scenario::from_file(&f) {
            panic!("{} does not validate:\n{e}", f.display());
        }
    }
}

/// Each file in `tests/bad/` starts with `// expect: <text>` lines; running it
/// must exit with code 2, print every expected text on stderr, and leave no
/// output folder (nor a staging folder) behind.
#[test]
fn bad_scenarios_are_refused_cleanly() {
    let files = ron_files(Path::new("tests/bad"), &[]);
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read(f).unwrap_or_default();
        let text = String::from_utf8_lossy(&text[..text.len().min(4096)]);
        let expected: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("// expect: "))
            .map(str::to_string)
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no `// expect:` line",
            f.display()
        );
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let res = Command::new(env!("CARGO_BIN_EXE_borderflow"))
            .args(["run", "-q", "-r", "2", "--out"])
            .arg(&out)
            .arg(f)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&res.stderr);
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().collect();
        let mut why = Vec::new();
        if res.status.code() != Some(2) {
            why.push(format!("exit code {:?}", res.status.code()));
        }
        for e in &expected {
            if !stderr.contains(e.as_str()) {
                why.push(format!("stderr lacks {e:?}"));
            }
        }
        if stderr.contains("panicked") {
            why.push("panicked".into());
        }
        if !leftovers.is_empty() {
            why.push(format!(
                "left {} entries in the output's parent",
                leftovers.len()
            ));
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}: {}\n--- stderr:\n{stderr}",
                f.display(),
                why.join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every input the fuzzer kept as interesting (`fuzz/corpus/scenario/`) still
/// loads, validates and runs briefly without a panic; each gives a result or
/// an error message. A panic here fails the test with the file's name.
#[test]
fn fuzz_corpus_replays_without_panics() {
    let mut files: Vec<_> = std::fs::read_dir("fuzz/corpus/scenario")
        .expect("the fuzz corpus is in the repository")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() > 50, "corpus has {} files", files.len());
    let mut valid = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let r = std::panic::catch_unwind(|| borderflow::scenario::smoke::smoke(text));
        match r {
            Ok(Ok(())) => valid += 1,
            Ok(Err(e)) => assert!(!e.to_string().is_empty()),
            Err(_) => panic!("{} panicked", f.display()),
        }
    }
    // The corpus keeps valid scenarios too, so the short runs are exercised.
    assert!(valid > 0, "no valid scenario in the corpus");
}

/// A 100 MB scenario file is refused before it is read, naming the limit.
#[test]
fn huge_file_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("huge.ron");
    let file = std::fs::File::create(&f).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let out = tmp.path().join("out");
    let res = Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(
        stderr.contains(
            "huge.ron: file is 104857600 bytes; input files are limited to 8388608 bytes"
        ),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// The baseline, the calibrated baseline, the 2024 hindcast and every
/// what-if run one full replication with every invariant checked after
/// every event (conservation, no negative queue, no port serving while
/// closed, custody within capacity) and break none.
#[test]
fn baseline_and_whatifs_keep_their_invariants() {
    use rayon::prelude::*;
    let mut files: Vec<std::path::PathBuf> = [
        "scenarios/baseline.ron",
        "scenarios/calibration/baseline-fit/calibrated.ron",
        "scenarios/hindcast-2024.ron",
    ]
    .iter()
    .map(std::path::PathBuf::from)
    .collect();
    files.extend(ron_files(Path::new("scenarios/whatif"), &[]));
    assert!(files.len() >= 10, "{files:?}");
    let progress =
        super::progress::Progress::start("scenarios::baseline_and_whatifs_keep_their_invariants");
    let failures: Vec<String> = files
        .par_iter()
        .filter_map(|f| {
            progress.stage(&format!(
                "{}: one replication, invariants checked",
                f.display()
            ));
            let scn = Scenario::from_file(f).unwrap();
            let rep = scn.experiment().replicate_checked(scn.seed, 0);
            (!rep.violations.is_empty()).then(|| format!("{}: {:?}", f.display(), rep.violations))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The fuzz entry point runs the shipped baseline (cut to its first days)
/// without error: the fuzzer's valid inputs really reach the simulation.
#[test]
fn smoke_runs_the_baseline() {
    let text = std::fs::read_to_string("scenarios/baseline.ron").unwrap();
    borderflow::scenario::smoke::smoke(&text).unwrap();
}
