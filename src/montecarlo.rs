//! Monte Carlo batches: many independent replications of one scenario, run in
//! parallel and handed back strictly in replication order.
//!
//! Why in order: summaries, CSV rows and t-digests are then built from the same
//! sequence whatever the thread count or the order in which replications
//! finish, so the same seed gives the same bytes. Workers run ahead of the
//! in-order consumer by at most a small window of replications, so memory
//! holds a bounded number of daily tables at a time.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{Error, Result};
use crate::metrics::{DailySeries, KpiSpec, MetricSpec};

/// The outcome of one replication.
#[derive(Debug, Clone)]
pub struct Replication {
    /// Daily metrics, days × metrics.
    pub daily: DailySeries,
    /// Scalar KPIs in the experiment's [`Experiment::kpis`] order.
    pub kpis: Vec<f64>,
    /// Events handled.
    pub events: u64,
    /// Invariant violations found, when the replication was checked.
    pub violations: Vec<String>,
}

/// Something that runs replications: a model with validated parameters.
pub trait Experiment: Sync {
    /// The daily metrics, declared once, in column order.
    fn metrics(&self) -> Vec<MetricSpec>;
    /// The replication KPIs, declared once, in the order of
    /// [`Replication::kpis`].
    fn kpis(&self) -> Vec<KpiSpec>;

    /// Column keys of the daily metrics ([`MetricSpec::key`]), in order.
    fn metric_names(&self) -> Vec<String> {
        self.metrics().iter().map(MetricSpec::key).collect()
    }

    /// Names of the replication KPIs, in order.
    fn kpi_names(&self) -> Vec<String> {
        self.kpis().into_iter().map(|k| k.name).collect()
    }
    /// Runs replication `replication` under master seed `seed`, with the
    /// model's invariants checked after every event and day end when `check`
    /// is set (violations come back in the replication; models without
    /// checks ignore it). It must depend on nothing else, so that any thread
    /// may run any replication. Once `stop` is set (a Ctrl-C) it may give up
    /// and return `None`: an interrupted batch then abandons the replications
    /// in flight instead of waiting for them (they were not finished, so
    /// nothing is lost).
    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication>;

    /// Replication `replication` to its end, checked in debug builds only.
    fn replicate(&self, seed: u64, replication: u64) -> Replication {
        // Without a stop flag a run always reaches its end.
        self.run_replication(seed, replication, cfg!(debug_assertions), None)
            .unwrap_or_else(Replication::empty)
    }

    /// Replication `replication` to its end with every invariant checked.
    fn replicate_checked(&self, seed: u64, replication: u64) -> Replication {
        self.run_replication(seed, replication, true, None)
            .unwrap_or_else(Replication::empty)
    }
}

impl Replication {
    /// A replication with nothing in it, for the path where a run without a
    /// stop flag reports that it stopped (which cannot happen).
    pub fn empty() -> Self {
        Self {
            daily: DailySeries::new(0, 0),
            kpis: Vec::new(),
            events: 0,
            violations: Vec::new(),
        }
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
/// and calls `consume` with each result in index order. When `cancel` is
/// set, starts no new replication and returns [`Error::Interrupted`] after
/// the finished ones were consumed. `replicate` must depend on r alone (an
/// experiment's `replicate` with a fixed seed, say).
pub fn run_batch(
    replicate: impl Fn(u64) -> Replication + Sync,
    config: &BatchConfig,
    cancel: Option<&AtomicBool>,
    consume: impl FnMut(u64, Replication) -> Result<()>,
) -> Result<BatchStats> {
    run_batch_with(
        |r, _: &AtomicBool| Some(replicate(r)),
        config,
        cancel,
        |_, rep| rep,
        consume,
    )
}

/// Most worker threads per core: more only adds contention, and an absurd
/// `--threads 1000000` must not start a million threads.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The worker threads a batch of `replications` uses when `requested` are
/// asked for: one per core by default, at most [`MAX_THREADS_PER_CORE`] per
/// core and never more than there are replications. Results do not depend on
/// it.
pub fn worker_threads(requested: Option<usize>, replications: u64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let wanted = requested.unwrap_or(cores).max(1);
    let by_work = usize::try_from(replications).unwrap_or(usize::MAX).max(1);
    wanted.min(cores * MAX_THREADS_PER_CORE).min(by_work)
}

/// Like [`run_batch`], with a `prepare` step that runs on the worker thread
/// right after each replication (formatting its CSV rows, say), so that the
/// in-order `consume` step, which runs on the calling thread, does as little
/// as possible.
///
/// Workers take replication indices in increasing order and hand results to
/// the calling thread, which consumes each as soon as every lower index has
/// been consumed: a finished replication waits only for slower lower ones,
/// never for a whole chunk. Workers stay at most a window of
/// max(4 × threads, 8) replications ahead of consumption, so memory holds a
/// bounded number of daily tables. When `cancel` is set, no new replication
/// starts and those in flight are abandoned at their next simulated day (see
/// [`Experiment::run_replication`]); every one that finished is consumed,
/// so an interruption loses no finished work and takes milliseconds. A
/// panic in a replication (a bug in a model) stops the batch with an error
/// naming the replication.
///
/// `replicate(r, stop)` runs replication r and may give up (`None`) once
/// `stop`, the interrupt flag, is set.
pub fn run_batch_with<T: Send>(
    replicate: impl Fn(u64, &AtomicBool) -> Option<Replication> + Sync,
    config: &BatchConfig,
    cancel: Option<&AtomicBool>,
    prepare: impl Fn(u64, Replication) -> T + Sync,
    mut consume: impl FnMut(u64, T) -> Result<()>,
) -> Result<BatchStats> {
    let range = config.replications.clone();
    let total = range.end.saturating_sub(range.start);
    let threads = worker_threads(config.threads, total);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let window = (threads as u64 * 4).max(8);
    let next = AtomicU64::new(range.start);
    let consumed = Mutex::new(range.start);
    let advanced = Condvar::new();
    let stop = AtomicBool::new(false);
    let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Relaxed));
    // What a replication in flight watches: the user's interrupt flag.
    let never = AtomicBool::new(false);
    let stop_now = cancel.unwrap_or(&never);
    let bar = progress_bar(total, config.progress);
    let mut stats = BatchStats::default();
    let mut failure: Option<Error> = None;
    let (tx, rx) = mpsc::channel::<(u64, std::thread::Result<(u64, T)>)>();
    // A small batch of long replications would show 0/1 for minutes: a
    // ticker (a plain thread, so no worker waits for it) adds the simulated
    // days so far to the bar.
    let finished = AtomicBool::new(false);
    let ticking = !bar.is_hidden() && total <= 4 * threads as u64;
    std::thread::scope(|ticker| {
        if ticking {
            let (bar, finished) = (&bar, &finished);
            let day0 = crate::engine::days_simulated();
            ticker.spawn(move || {
                while !finished.load(Ordering::Relaxed) {
                    let days = crate::engine::days_simulated() - day0;
                    bar.set_message(format!("· {days} simulated days"));
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
            });
        }
        pool.in_place_scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, consumed, advanced, stop) = (&next, &consumed, &advanced, &stop);
            let (replicate, prepare, bar) = (&replicate, &prepare, &bar);
            s.spawn(move |_| {
                loop {
                    if stop.load(Ordering::Relaxed) || cancelled() {
                        break;
                    }
                    let r = next.fetch_add(1, Ordering::Relaxed);
                    if r >= range.end {
                        break;
                    }
                    {
                        let mut c = consumed.lock().unwrap_or_else(|e| e.into_inner());
                        // Timed waits: a Ctrl-C sets `cancel` without waking anyone.
                        while r >= *c + window && !stop.load(Ordering::Relaxed) && !cancelled() {
                            c = advanced
                                .wait_timeout(c, std::time::Duration::from_millis(50))
                                .unwrap_or_else(|e| e.into_inner())
                                .0;
                        }
                    }
                    if stop.load(Ordering::Relaxed) || cancelled() {
                        break;
                    }
                    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        replicate(r, stop_now).map(|rep| (rep.events, prepare(r, rep)))
                    }));
                    let result = match result {
                        Ok(Some(done)) => Ok(done),
                        // Abandoned on a stop: not finished, nothing to hand on.
                        Ok(None) => break,
                        Err(panic) => Err(panic),
                    };
                    bar.inc(1);
                    if tx.send((r, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = range.start;
        while want < range.end {
            let item = match pending.remove(&want) {
                Some(item) => item,
                None => match rx.recv() {
                    Ok((r, item)) => {
                        pending.insert(r, item);
                        continue;
                    }
                    // Every worker has stopped (interrupted, or after a failure).
                    Err(_) => break,
                },
            };
            let done = match item {
                Ok((events, value)) => {
                    stats.events += events;
                    stats.replications += 1;
                    consume(want, value)
                }
                Err(panic) => Err(Error::Other(format!(
                    "replication {want} failed inside the model (a bug in borderflow, please report it): {}",
                    panic_message(panic.as_ref())
                ))),
            };
            if let Err(e) = done {
                failure = Some(e);
                break;
            }
            want += 1;
            *consumed.lock().unwrap_or_else(|e| e.into_inner()) = want;
            advanced.notify_all();
        }
        stop.store(true, Ordering::Relaxed);
        advanced.notify_all();
        drop(rx);
    });
        finished.store(true, Ordering::Relaxed);
    });
    if let Some(e) = failure {
        bar.abandon();
        return Err(e);
    }
    if stats.replications < total {
        bar.abandon();
        return Err(Error::Interrupted(format!(
            "stopped after {} of {total} replications",
            stats.replications
        )));
    }
    bar.finish_and_clear();
    Ok(stats)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn progress_bar(total: u64, show: bool) -> ProgressBar {
    use std::io::IsTerminal;
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} replications {msg}, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}
