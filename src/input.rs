//! Reading what users hand us: every input file (scenarios, sweeps, shard
//! descriptions, checkpoints, saved results) goes through [`read_text`], and
//! every user value echoed to the terminal through [`shown`].
//!
//! Why one place: a path given by a user may name `/dev/zero`, a FIFO, a
//! folder or a 100 GB file. Reading it must neither hang nor exhaust memory,
//! and the refusal must be a clear message with exit code 2. A value echoed
//! back may hold ANSI escapes or be ten thousand characters long; what reaches
//! the terminal is cleaned and cut.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Largest input file accepted [bytes]. A real scenario is a few hundred
/// kilobytes; anything bigger is a mistake (or an attack) and is refused
/// before it is read into memory.
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// Most characters of a user value echoed in a message.
pub const MAX_SHOWN_CHARS: usize = 200;

/// Reads the regular file at `path` as UTF-8 text of at most `limit` bytes.
///
/// Refuses (exit code 2) anything that is not a regular file after following
/// links: a folder, a FIFO (opening one would block forever), a device such
/// as `/dev/zero` (endless). The read itself is bounded too, so a file that
/// grows while being read cannot slip past the limit.
pub fn read_text(path: &Path, limit: u64) -> Result<String> {
    let label = shown(&path.display().to_string());
    let read_err = |source| Error::Read {
        file: label.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        return Err(Error::Scenario {
            file: label,
            message: format!("is {what}; expected a file"),
        });
    }
    let too_big = |size: String| Error::Scenario {
        file: label.clone(),
        message: format!("file is {size} bytes; input files are limited to {limit} bytes"),
    };
    if meta.len() > limit {
        return Err(too_big(meta.len().to_string()));
    }
    let file = File::open(path).map_err(read_err)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(format!("more than {limit}")));
    }
    String::from_utf8(bytes).map_err(|e| Error::Scenario {
        file: label.clone(),
        message: format!(
            "is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Opens the regular file `path` for streaming (a result table that may be
/// larger than [`read_text`]'s limit), refusing folders, FIFOs and devices
/// as [`read_text`] does.
pub fn open_regular(path: &Path) -> Result<File> {
    let read_err = |source| Error::Read {
        file: shown(&path.display().to_string()),
        source,
    };
    if !std::fs::metadata(path).map_err(read_err)?.is_file() {
        return Err(Error::Scenario {
            file: shown(&path.display().to_string()),
            message: "is not a regular file; expected a file".into(),
        });
    }
    File::open(path).map_err(read_err)
}

/// Reads a JSON file borderflow wrote (a checkpoint, `shard.json`, a sweep
/// plan) through [`read_text`]; it may have been edited or crafted, so a
/// bad one is an input error naming the file.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = read_text(path, MAX_INPUT_BYTES)?;
    serde_json::from_str(&text).map_err(|e| Error::Scenario {
        file: shown(&path.display().to_string()),
        message: format!("not a valid file written by borderflow: {e}"),
    })
}

/// A user value as it may be echoed: control characters (ANSI escapes, NUL,
/// line breaks) replaced by `�`, and cut to [`MAX_SHOWN_CHARS`] characters
/// with an ellipsis.
pub fn shown(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(MAX_SHOWN_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if s.chars().nth(MAX_SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// Longest line of a message printed to the terminal [characters].
pub const MAX_LINE_CHARS: usize = 1_000;

/// A whole message as it may be printed: terminal control characters other
/// than line breaks and tabs replaced by `�`, and every line cut to
/// [`MAX_LINE_CHARS`] characters (the last line of defence behind
/// [`shown`], for values echoed by messages that do not cut them).
pub fn terminal_safe(message: &str) -> String {
    message
        .split('\n')
        .map(|line| {
            let mut out: String = line
                .chars()
                .take(MAX_LINE_CHARS)
                .map(|c| {
                    if c.is_control() && c != '\t' {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            if line.chars().nth(MAX_LINE_CHARS).is_some() {
                out.push('…');
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_cuts_and_cleans() {
        assert_eq!(shown("a\u{1b}[31mb"), "a\u{FFFD}[31mb");
        let long = "x".repeat(10_000);
        let s = shown(&long);
        assert_eq!(s.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(terminal_safe("a\nb\u{7}"), "a\nb\u{FFFD}");
        let cut = terminal_safe(&format!("{long}\nend"));
        assert_eq!(cut.chars().count(), MAX_LINE_CHARS + 1 + 4);
    }

    #[test]
    fn devices_and_folders_are_refused() {
        for p in ["/dev/zero", "/dev/urandom", "/tmp"] {
            let e = read_text(Path::new(p), MAX_INPUT_BYTES).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{p}: {e}");
        }
    }
}
