//! Monte Carlo batches: many independent replications of one scenario, run in
//! parallel and handed back strictly in replication order.
//!
//! Why in order: summaries, CSV rows and t-digests are then built from the same
//! sequence whatever the thread count or the order in which replications
//! finish, so the same seed gives the same bytes. Replications run in chunks of
//! a few per thread; each chunk is collected in order and consumed before the
//! next starts, so memory holds at most one chunk of daily tables at a time.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::metrics::DailySeries;

/// The outcome of one replication.
#[derive(Debug, Clone)]
pub struct Replication {
    /// Daily metrics, days × metrics.
    pub daily: DailySeries,
    /// Scalar KPIs in the experiment's [`Experiment::kpi_names`] order.
    pub kpis: Vec<f64>,
    /// Events handled.
    pub events: u64,
    /// Invariant violations found, when the replication was checked.
    pub violations: Vec<String>,
}

/// Something that runs replications: a model with validated parameters.
pub trait Experiment: Sync {
    /// Names of the daily metrics, in column order.
    fn metric_names(&self) -> Vec<String>;
    /// Names of the replication KPIs, in order.
    fn kpi_names(&self) -> Vec<String>;
    /// Runs replication `replication` under master seed `seed`. Must depend on
    /// nothing else, so that any thread may run any replication.
    fn replicate(&self, seed: u64, replication: u64) -> Replication;

    /// [`Experiment::replicate`] with the model's invariants checked after
    /// every event and day end; violations come back in the replication.
    /// Models without invariant checks run unchecked.
    fn replicate_checked(&self, seed: u64, replication: u64) -> Replication {
        self.replicate(seed, replication)
    }
}

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// Replication indices to run (a shard runs part of a larger range).
    pub replications: Range<u64>,
    /// Worker threads; `None` uses rayon's default (one per core).
    pub threads: Option<usize>,
    /// Show a progress bar on stderr (only drawn when it is a terminal).
    pub progress: bool,
}

/// Fails on the first replication whose invariants broke.
pub fn check_violations(replication: u64, rep: &Replication) -> Result<()> {
    if rep.violations.is_empty() {
        Ok(())
    } else {
        Err(Error::Invariant {
            replication,
            violations: rep.violations.clone(),
        })
    }
}

/// What a batch did.
#[derive(Debug, Clone, Copy, Default)]
pub struct BatchStats {
    /// Replications completed and consumed.
    pub replications: u64,
    /// Events handled in all of them.
    pub events: u64,
}

/// Runs `replicate(r)` for each replication index r of `config.replications`
/// and calls `consume` with each result in index order. Stops between chunks
/// when `cancel` is set, returning [`Error::Interrupted`] after the finished
/// replications were consumed. `replicate` must depend on r alone (an
/// experiment's `replicate` with a fixed seed, say).
pub fn run_batch(
    replicate: impl Fn(u64) -> Replication + Sync,
    config: &BatchConfig,
    cancel: Option<&AtomicBool>,
    consume: impl FnMut(u64, Replication) -> Result<()>,
) -> Result<BatchStats> {
    run_batch_with(replicate, config, cancel, |_, rep| rep, consume)
}

/// Like [`run_batch`], with a `prepare` step that runs on the worker thread
/// right after each replication (formatting its CSV rows, say), so that the
/// in-order `consume` step, which runs on one thread, does as little as
/// possible.
pub fn run_batch_with<T: Send>(
    replicate: impl Fn(u64) -> Replication + Sync,
    config: &BatchConfig,
    cancel: Option<&AtomicBool>,
    prepare: impl Fn(u64, Replication) -> T + Sync,
    mut consume: impl FnMut(u64, T) -> Result<()>,
) -> Result<BatchStats> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = config.threads {
        builder = builder.num_threads(t.max(1));
    }
    let pool = builder
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads() as u64;
    // Several replications per thread per chunk, so a slow one rarely leaves
    // the others idle; small enough that a chunk's tables stay a few MB.
    let chunk = (threads * 4).max(8);
    let total = config
        .replications
        .end
        .saturating_sub(config.replications.start);
    let bar = progress_bar(total, config.progress);
    let mut stats = BatchStats::default();
    let mut next = config.replications.start;
    while next < config.replications.end {
        if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            bar.abandon();
            return Err(Error::Interrupted(format!(
                "stopped after {} of {total} replications",
                stats.replications
            )));
        }
        let end = (next + chunk).min(config.replications.end);
        let results: Vec<(u64, T)> = pool.install(|| {
            (next..end)
                .into_par_iter()
                .map(|r| {
                    let rep = replicate(r);
                    let events = rep.events;
                    let item = prepare(r, rep);
                    bar.inc(1);
                    (events, item)
                })
                .collect()
        });
        for (r, (events, item)) in (next..end).zip(results) {
            stats.events += events;
            stats.replications += 1;
            consume(r, item)?;
        }
        next = end;
    }
    bar.finish_and_clear();
    Ok(stats)
}

fn progress_bar(total: u64, show: bool) -> ProgressBar {
    use std::io::IsTerminal;
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} replications, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}
