//! Monte Carlo batches.
//!
//! - `batch64/*`: a 64-replication batch at 1 and at 2 threads, in memory (no
//!   files), for the parallel speed-up. The scenario is the embedded one, or
//!   the file in `BORDERFLOW_BENCH_SCENARIO`.
//! - `sweep_vs_run/*`: the same 64 M/M/c replications written to disk by
//!   `run` and by a one-point `sweep`, for the sweep's overhead (M/M/c
//!   replications are short, so any overhead shows).
//!
//! Run: `cargo bench --bench batch`.

use std::path::{Path, PathBuf};

use borderflow::montecarlo::{BatchConfig, run_batch};
use borderflow::runner::{Job, RunOptions, run, run_job};
use borderflow::sweep::Sweep;
use borderflow::{Scenario, cli};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn scenario() -> Scenario {
    match std::env::var_os("BORDERFLOW_BENCH_SCENARIO") {
        Some(p) => Scenario::from_file(&PathBuf::from(p)).expect("scenario"),
        None => cli::load_scenario(None).expect("embedded scenario"),
    }
}

fn batch(c: &mut Criterion) {
    let scn = scenario();
    let exp = scn.experiment();
    let mut g = c.benchmark_group("batch64");
    g.sample_size(10);
    g.throughput(Throughput::Elements(64));
    for threads in [1usize, 2] {
        g.bench_function(format!("{}_threads{threads}", scn.name), |b| {
            b.iter(|| {
                let config = BatchConfig {
                    replications: 0..64,
                    threads: Some(threads),
                    progress: false,
                };
                run_batch(|r| exp.replicate(scn.seed, r), &config, None, |_, _| Ok(())).unwrap()
            })
        });
    }
    g.finish();
}

fn sweep_vs_run(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let mmc = Scenario::from_file(Path::new("scenarios/mmc.ron")).unwrap();
    let sweep = Sweep::from_file(Path::new("benches/sweep_one_point.ron")).unwrap();
    let sexp = sweep.experiment();
    let job = Job::new(&sexp, sweep.header(), sweep.inputs().unwrap());
    let opts = |name: &str| RunOptions {
        replications: Some(64),
        threads: Some(1),
        out: Some(tmp.path().join(name)),
        ..RunOptions::default()
    };
    let mut g = c.benchmark_group("sweep_vs_run");
    g.sample_size(20);
    g.throughput(Throughput::Elements(64));
    g.bench_function("run", |b| b.iter(|| run(&mmc, &opts("run"), None).unwrap()));
    g.bench_function("sweep", |b| {
        b.iter(|| run_job(&job, &opts("sweep"), None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, batch, sweep_vs_run);
criterion_main!(benches);
