//! One replication of the calibrated baseline (13 months plus the spin-up).
//!
//! `cargo bench --bench baseline`; the figures go in scenarios/README.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn baseline(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.ron");
    let scenario = borderflow::Scenario::from_file(&path).expect("baseline validates");
    let exp = scenario.experiment();
    let mut g = c.benchmark_group("baseline");
    g.sample_size(10);
    g.bench_function("one replication", |b| {
        let mut rep = 0u64;
        b.iter(|| {
            rep += 1;
            black_box(exp.replicate(scenario.seed, rep).events)
        })
    });
    g.finish();
}

criterion_group!(benches, baseline);
criterion_main!(benches);
