//! Signs of life from long tests: one line per stage on the terminal,
//! shown by `cargo test` as the README and CI run it, with no flag.
//!
//! The test harness captures what `print!`/`eprint!` write and shows it
//! only for a failed test or under `--nocapture`/`--show-output`; a test
//! running for over 60 seconds then shows nothing but the harness's "has
//! been running for over 60 seconds". Bytes written to the `std::io::stderr()`
//! handle itself are not captured, so these lines reach the terminal as
//! they happen, interleaved with the harness's own lines and each led by
//! the test's name.

use std::io::Write;
use std::time::Instant;

/// A long test's clock and name, for its stage lines.
pub(crate) struct Progress {
    test: String,
    t0: Instant,
}

impl Progress {
    /// Starts the clock of test `test` (its name as the harness lists it,
    /// e.g. `calibrate::border_twin_recovers_three_perturbed_parameters`,
    /// or of the shared work it stands for).
    pub(crate) fn start(test: impl Into<String>) -> Self {
        Self {
            test: test.into(),
            t0: Instant::now(),
        }
    }

    /// Writes `[test +S s] what` to the terminal: the stage the test starts,
    /// `S` seconds since [`Progress::start`].
    pub(crate) fn stage(&self, what: &str) {
        note(&format!(
            "[{} +{:.0} s] {what}",
            self.test,
            self.t0.elapsed().as_secs_f64()
        ));
    }
}

/// Writes `line` to the terminal past the harness's capture (a skipped
/// check says so where everyone sees it). A failed write is ignored: the
/// line is a courtesy, not the test.
pub(crate) fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}
