//! Quick end-to-end checks of untrusted input for the fuzz targets
//! (`fuzz/fuzz_targets/`) and the tests that replay their corpora: each takes
//! arbitrary bytes, must return a result or an error, and must never panic,
//! hang, exhaust memory, or write outside the folder it was given.
//!
//! Scenario text has its own check beside the loader
//! ([`crate::scenario::smoke`]); this module adds the inputs that are files of
//! other kinds: sweep files and shard folders (`shard.json` and records).

use std::path::Path;

use crate::error::{Error, Result};

/// Byte that separates the parts of a shard fuzz input, in the order of
/// [`SHARD_FILES`].
pub const SHARD_PART_SEPARATOR: u8 = 0x1e;

/// The files of a shard folder, in the order a shard fuzz input gives them.
pub const SHARD_FILES: [&str; 8] = [
    "shard.json",
    "daily.csv",
    "kpis.csv",
    "scenario.ron",
    "sweep.ron",
    "base.ron",
    "sweep.json",
    "whatifs.ron",
];

/// Writes `text` as a sweep file into `dir` (which must hold the base
/// scenarios a sweep may name, e.g. `mmc.ron`) and loads and validates it,
/// every point included; a valid sweep's header and saved inputs are built
/// too.
pub fn sweep(text: &str, dir: &Path) -> Result<()> {
    let path = dir.join("fuzz-sweep.ron");
    std::fs::write(&path, text).map_err(|e| Error::output(&path, e))?;
    let sw = crate::sweep::Sweep::from_file(&path)?;
    let _ = sw.header();
    sw.inputs().map(|_| ())
}

/// Splits `bytes` at [`SHARD_PART_SEPARATOR`] into a shard folder's files,
/// writes them into `dir/shard`, and merges that one shard into `dir/merged`.
/// A crafted description must be refused, never followed outside `dir`.
pub fn shard(bytes: &[u8], dir: &Path) -> Result<()> {
    let shard = dir.join("shard");
    std::fs::create_dir_all(&shard).map_err(|e| Error::output(&shard, e))?;
    let mut parts = bytes.splitn(SHARD_FILES.len(), |b| *b == SHARD_PART_SEPARATOR);
    for name in SHARD_FILES {
        let p = shard.join(name);
        std::fs::write(&p, parts.next().unwrap_or_default()).map_err(|e| Error::output(&p, e))?;
    }
    crate::runner::merge(&[shard], &dir.join("merged"), Some(crate::report::draw)).map(|_| ())
}
