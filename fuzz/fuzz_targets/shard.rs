//! Fuzz target: arbitrary bytes as a shard folder (`shard.json`, `daily.csv`,
//! `kpis.csv`, `scenario.ron`, separated by 0x1e) merged into a run. A
//! crafted description must be refused, never panic, allocate without bound
//! or touch a file outside the fuzzer's folder.
//!
//! Run (nightly + cargo-fuzz): `cargo +nightly fuzz run shard fuzz/corpus/shard`
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("borderflow-fuzz-shard-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = borderflow::smoke::shard(data, dir());
});
