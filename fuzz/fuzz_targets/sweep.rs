//! Fuzz target: arbitrary bytes as a sweep file beside copies of the shipped
//! base scenarios, through load and validation of every point. Bad input must
//! give an error, never a panic.
//!
//! Run (nightly + cargo-fuzz): `cargo +nightly fuzz run sweep fuzz/corpus/sweep`
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// A folder of this process with the base scenarios a sweep may name.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("borderflow-fuzz-sweep-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        for f in ["mmc.ron", "baseline.ron"] {
            std::fs::copy(format!("{scenarios}/{f}"), d.join(f)).unwrap();
        }
        d
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = borderflow::smoke::sweep(text, dir());
    }
});
