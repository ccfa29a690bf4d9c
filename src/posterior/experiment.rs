//! The experiment of a batch under a posterior: each replication runs the
//! experiment of its draw.

use std::sync::atomic::AtomicBool;

use super::Posterior;
use crate::error::{Error, Result};
use crate::metrics::{KpiSpec, MetricSpec};
use crate::montecarlo::{Experiment, Replication};

/// An experiment under a posterior: replication r runs the experiment of
/// its draw, [`Posterior::draw_for`]`(seed, r)`, with the same seed and
/// replication index, so every draw sees the same random numbers (common
/// random numbers across draws).
pub struct PosteriorExperiment<'a> {
    posterior: &'a Posterior,
    metrics: Vec<MetricSpec>,
    kpis: Vec<KpiSpec>,
    /// The experiment of each draw built, by increasing draw.
    arms: Vec<(usize, Box<dyn Experiment + 'a>)>,
}

impl<'a> PosteriorExperiment<'a> {
    /// The experiment that runs replication r with `arms`' experiment of
    /// its draw; `base` (the scenario's own parameters) declares the metrics
    /// and KPIs, and every arm must declare the same (a parameter that
    /// changes them, such as a list of places, is refused, naming the draw).
    pub fn new(
        posterior: &'a Posterior,
        base: &dyn Experiment,
        mut arms: Vec<(usize, Box<dyn Experiment + 'a>)>,
    ) -> Result<Self> {
        let (metrics, kpis) = (base.metrics(), base.kpis());
        for (d, arm) in &arms {
            if arm.metrics() != metrics || arm.kpis() != kpis {
                return Err(Error::Scenario {
                    file: posterior.row_label(*d),
                    message: "with this draw's values the model declares other metrics or KPIs \
                              than with the scenario's own: a posterior may change parameter \
                              values, not what the model reports"
                        .into(),
                });
            }
        }
        arms.sort_by_key(|(d, _)| *d);
        Ok(Self {
            posterior,
            metrics,
            kpis,
            arms,
        })
    }
}

impl Experiment for PosteriorExperiment<'_> {
    fn metrics(&self) -> Vec<MetricSpec> {
        self.metrics.clone()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        self.kpis.clone()
    }

    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let d = self.posterior.draw_for(seed, replication);
        let Ok(i) = self.arms.binary_search_by_key(&d, |(a, _)| *a) else {
            // The arms were built for the batch's seed and replications: a
            // caller that runs others has a bug (the batch reports it).
            panic!(
                "replication {replication} under seed {seed} uses posterior draw {d}, which was not built"
            );
        };
        self.arms[i]
            .1
            .run_replication(seed, replication, check, stop)
    }
}
