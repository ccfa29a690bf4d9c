//! Fuzz target: arbitrary bytes as a scenario file, through load, validation
//! and a short checked run. Bad input must give an error, never a panic.
//!
//! Run (nightly + cargo-fuzz): `cargo +nightly fuzz run scenario fuzz/corpus/scenario`
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = borderflow::scenario::smoke::smoke(text);
    }
});
