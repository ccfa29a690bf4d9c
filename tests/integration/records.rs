//! The record store: a Parquet run read back with the parquet crate equals
//! the CSV run, resumes and merges like CSV, `--records` keeps what it says,
//! and a damaged Parquet shard is an input error naming the file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use borderflow::output::{Detail, Format};
use borderflow::runner::{RunOptions, merge, run};
use borderflow::shard::Shard;
use borderflow::{Error, Scenario};
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::record::Field;

const BIN: &str = env!("CARGO_BIN_EXE_borderflow");

fn mmc() -> Scenario {
    Scenario::from_file(Path::new("scenarios/mmc.ron")).expect("valid")
}

fn opts(out: PathBuf, reps: u32, format: Format) -> RunOptions {
    RunOptions {
        replications: Some(reps),
        out: Some(out),
        threads: Some(2),
        charts: false,
        format,
        ..RunOptions::default()
    }
}

/// Every row of a Parquet table as text fields, read by the parquet crate's
/// own row reader (not borderflow's): dates as `YYYY-MM-DD`, nulls as empty
/// fields, values as `f64` text.
fn parquet_rows(path: &Path) -> Vec<Vec<String>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            row.expect("a row")
                .get_column_iter()
                .map(|(_, f)| match f {
                    Field::UInt(v) => v.to_string(),
                    Field::Date(d) => (epoch + chrono::Days::new(*d as u64)).to_string(),
                    Field::Str(s) => s.clone(),
                    Field::Null => String::new(),
                    Field::Double(v) => format!("{v:?}"),
                    other => panic!("unexpected field {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// Every row of a CSV table as text fields.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|row| row.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A Parquet run, read back with the parquet crate, holds the CSV run's
/// rows exactly (values compared as `f64`, bit for bit), with typed columns;
/// the summaries are the same bytes.
#[test]
fn parquet_run_reads_back_as_the_csv_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, p) = (tmp.path().join("csv"), tmp.path().join("pq"));
    run(&mmc(), &opts(c.clone(), 5, Format::Csv), None).unwrap();
    run(&mmc(), &opts(p.clone(), 5, Format::Parquet), None).unwrap();
    for (csv_file, pq_file) in [("daily.csv", "daily.parquet"), ("kpis.csv", "kpis.parquet")] {
        let a = csv_rows(&c.join(csv_file));
        let b = parquet_rows(&p.join(pq_file));
        // 5 replications × 100 days × 5 metrics; 5 × 5 KPIs.
        assert!(
            a.len() == 2500 || a.len() == 25,
            "{csv_file}: {} rows",
            a.len()
        );
        assert_eq!(a, b, "{pq_file} differs from {csv_file}");
    }
    let meta = SerializedFileReader::new(std::fs::File::open(p.join("daily.parquet")).unwrap())
        .unwrap()
        .metadata()
        .clone();
    assert_eq!(meta.num_row_groups(), 5, "one row group per replication");
    let schema = format!("{:?}", meta.file_metadata().schema_descr());
    assert!(
        schema.contains("Date") && schema.contains("Double"),
        "{schema}"
    );
    for f in ["daily_summary.csv", "scenario.ron"] {
        assert_eq!(
            std::fs::read(c.join(f)).unwrap(),
            std::fs::read(p.join(f)).unwrap(),
            "{f}"
        );
    }
    let kpis = |d: &Path| -> serde_json::Value {
        let text = std::fs::read_to_string(d.join("summary.json")).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["kpis"].clone()
    };
    assert_eq!(kpis(&c), kpis(&p));
}

/// A Parquet run stopped by the interrupt flag keeps its closed parts;
/// `resume` completes it to the bytes of an uninterrupted run.
#[test]
fn interrupted_parquet_run_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let reps = 1200;
    let reference = tmp.path().join("reference");
    run(
        &mmc(),
        &opts(reference.clone(), reps, Format::Parquet),
        None,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(150));
        flag.store(true, Ordering::Relaxed);
    });
    let err = run(
        &mmc(),
        &opts(out.clone(), reps, Format::Parquet),
        Some(&cancel),
    )
    .unwrap_err();
    stopper.join().unwrap();
    assert!(matches!(err, Error::Interrupted(_)), "{err}");
    let staging = tmp.path().join(".out.partial");
    let cp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(staging.join("checkpoint.json")).unwrap())
            .unwrap();
    let done = cp["done"].as_u64().unwrap();
    assert!(done > 0 && done < u64::from(reps), "done = {done}");
    assert_eq!(
        cp["position"]["daily"].as_u64(),
        Some(done),
        "one part per replication"
    );
    // A part written after the checkpoint (a kill mid-write) is dropped.
    std::fs::write(
        staging.join(format!("daily.parts/{done:08}.parquet")),
        b"PAR1 cut",
    )
    .unwrap();
    // Another format is refused, leaving the parts as they are.
    let refused = run(
        &mmc(),
        &RunOptions {
            resume: true,
            ..opts(out.clone(), reps, Format::Csv)
        },
        None,
    )
    .unwrap_err();
    assert!(
        refused.to_string().contains("record format parquet"),
        "{refused}"
    );
    let o = RunOptions {
        resume: true,
        ..opts(out.clone(), reps, Format::Parquet)
    };
    let resumed = run(&mmc(), &o, None).unwrap();
    assert_eq!(resumed.stats.replications, u64::from(reps) - done);
    for f in [
        "daily.parquet",
        "kpis.parquet",
        "daily_summary.csv",
        "summary.json",
    ] {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(reference.join(f)).unwrap(),
            "{f} differs after resume"
        );
    }
    assert!(!out.join("daily.parts").exists());
}

/// Three Parquet shards merged in scrambled order are the bytes of one run.
#[test]
fn parquet_shards_merge_into_the_bytes_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full");
    run(&mmc(), &opts(full.clone(), 10, Format::Parquet), None).unwrap();
    let mut dirs = Vec::new();
    for k in [2, 0, 1] {
        let d = tmp.path().join(format!("shard{k}"));
        let o = RunOptions {
            shard: Some(Shard { index: k, count: 3 }),
            ..opts(d.clone(), 10, Format::Parquet)
        };
        run(&mmc(), &o, None).unwrap();
        dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged).unwrap();
    for f in [
        "daily.parquet",
        "kpis.parquet",
        "daily_summary.csv",
        "summary.json",
    ] {
        assert!(
            std::fs::read(full.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

/// `--records kpis` keeps no daily records and `none` no records at all;
/// the summaries are those of a run that keeps everything, and `plot`
/// still draws the folder.
#[test]
fn records_detail_keeps_what_it_says_and_the_same_summaries() {
    let tmp = tempfile::tempdir().unwrap();
    let all = tmp.path().join("daily");
    run(&mmc(), &opts(all.clone(), 4, Format::Parquet), None).unwrap();
    for (detail, kept) in [(Detail::Kpis, true), (Detail::None, false)] {
        let d = tmp.path().join(detail.to_string());
        let o = RunOptions {
            records: detail,
            ..opts(d.clone(), 4, Format::Parquet)
        };
        run(&mmc(), &o, None).unwrap();
        assert!(!d.join("daily.parquet").exists() && !d.join("daily.parts").exists());
        assert_eq!(d.join("kpis.parquet").exists(), kept, "{detail}");
        assert_eq!(
            std::fs::read(all.join("daily_summary.csv")).unwrap(),
            std::fs::read(d.join("daily_summary.csv")).unwrap()
        );
        let json = |dir: &Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap()
        };
        assert_eq!(json(&all)["kpis"], json(&d)["kpis"]);
        assert_eq!(json(&d)["records"], detail.to_string());
        borderflow::report::render(&d).expect("plot draws a folder without daily records");
    }
}

/// A shard whose Parquet records are cut short, or damaged inside, is
/// refused by `merge` with exit code 2 and a message naming the file; no
/// panic, nothing created.
#[test]
fn damaged_parquet_shards_are_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for k in 0..2 {
        let d = tmp.path().join(format!("s{k}"));
        let o = Command::new(BIN)
            .args([
                "run",
                "scenarios/mmc.ron",
                "-r",
                "4",
                "-q",
                "--format",
                "parquet",
            ])
            .args(["--shard", &format!("{k}/2"), "-o"])
            .arg(&d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        dirs.push(d);
    }
    let file = dirs[1].join("daily.parquet");
    let good = std::fs::read(&file).unwrap();
    let mut inside = good.clone();
    // Scribble over the first data page, after the magic number.
    for b in &mut inside[8..200] {
        *b ^= 0x5a;
    }
    for (what, bytes) in [
        ("cut", good[..good.len() / 2].to_vec()),
        ("scribbled", inside),
    ] {
        std::fs::write(&file, bytes).unwrap();
        let out = tmp.path().join(format!("m-{what}"));
        let o = Command::new(BIN)
            .arg("merge")
            .args(&dirs)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains("daily.parquet"), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(!out.exists(), "{what}");
    }
}
