//! What identifies a batch (`RunHeader`, the head of `summary.json` and the
//! body of a shard's `shard.json`) and the kinds of batch.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::{KpiSpec, MetricSpec};
use crate::montecarlo::Experiment;
use crate::output::records::{Detail, Format, RecordSchema};
use crate::posterior::PosteriorId;
use crate::scenario::Scenario;

/// What a batch's replications are, and so what its folder holds beyond
/// the common files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Replications of one scenario (`borderflow run`).
    Run,
    /// Paired replications of a baseline and what-ifs (`borderflow
    /// compare`): records of differences, plus `compare.csv`.
    Compare,
    /// Replications of each point of a parameter sweep (`borderflow
    /// sweep`): KPI records only, plus the sweep tables.
    Sweep,
}

impl JobKind {
    /// All kinds.
    pub const ALL: [JobKind; 3] = [JobKind::Run, JobKind::Compare, JobKind::Sweep];

    /// The kind's name in `summary.json` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Run => "run",
            JobKind::Compare => "compare",
            JobKind::Sweep => "sweep",
        }
    }

    /// Input files a complete folder of this kind holds (saved scenarios,
    /// sweep files), which `merge` copies from a shard; a batch run under a
    /// posterior holds its copy too ([`RunHeader::inputs`]).
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            JobKind::Run => &["scenario.ron"],
            JobKind::Compare => &["scenario.ron", "whatifs.ron"],
            JobKind::Sweep => &["sweep.ron", "base.ron", "sweep.json"],
        }
    }

    /// Whether its records have a daily table.
    pub fn has_days(self) -> bool {
        self != JobKind::Sweep
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that identifies a batch; the head of `summary.json` and the
/// content of a shard's `shard.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    /// What kind of batch.
    pub kind: JobKind,
    /// borderflow's version.
    pub borderflow_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// SHA-256 of the resolved scenario.
    pub scenario_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Replications in the whole batch.
    pub replications: u64,
    /// First simulated date.
    pub start: String,
    /// Last simulated date.
    pub end: String,
    /// Simulated days.
    pub days: u32,
    /// The daily metrics as the model declares them (name, place, origin,
    /// unit, kind, label), in column order.
    pub metrics: Vec<MetricSpec>,
    /// The KPIs as the model declares them, in order.
    pub kpi_specs: Vec<KpiSpec>,
    /// The format of the per-replication records.
    #[serde(default)]
    pub format: Format,
    /// What per-replication records the finished folder keeps.
    #[serde(default)]
    pub records: Detail,
    /// The posterior the parameters of each replication were drawn from,
    /// if any (absent in folders from before the field, and in batches with
    /// fixed parameters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorId>,
}

impl RunHeader {
    /// The header of a batch of `replications` of `scn` (whose experiment is
    /// `exp`) under `seed`.
    pub fn new(scn: &Scenario, exp: &dyn Experiment, seed: u64, replications: u64) -> Self {
        Self {
            kind: JobKind::Run,
            borderflow_version: env!("CARGO_PKG_VERSION").into(),
            scenario: scn.name.clone(),
            description: scn.description.clone(),
            scenario_hash: scn.hash(),
            seed,
            replications,
            start: scn.calendar.start.to_string(),
            end: scn.calendar.end().to_string(),
            days: scn.calendar.days,
            metrics: exp.metrics(),
            kpi_specs: exp.kpis(),
            format: Format::Csv,
            records: Detail::Daily,
            posterior: None,
        }
    }

    /// What the batch's intervals contain: Monte Carlo noise only, or
    /// parameter uncertainty too ([`crate::posterior::uncertainty`]).
    pub fn uncertainty(&self) -> String {
        crate::posterior::uncertainty(self.posterior.as_ref())
    }

    /// Input files a complete folder of this batch holds: its kind's, and
    /// the posterior's copy when it ran under one. `merge` copies them from
    /// a shard.
    pub fn inputs(&self) -> Vec<&'static str> {
        let mut names = self.kind.inputs().to_vec();
        if self.posterior.is_some() {
            names.push(crate::posterior::FILE);
        }
        names
    }

    /// The KPI names, in order.
    pub fn kpi_names(&self) -> Vec<String> {
        self.kpi_specs.iter().map(|k| k.name.clone()).collect()
    }

    /// What the batch's records hold, in the header's format.
    pub fn record_schema(&self) -> Result<RecordSchema> {
        RecordSchema::new(
            self.format,
            self.dates()?,
            self.metrics.clone(),
            self.kpi_names(),
        )
    }

    /// The simulated days.
    pub fn dates(&self) -> Result<Vec<chrono::NaiveDate>> {
        let bad = || Error::Scenario {
            file: crate::input::shown(&self.scenario),
            message: format!(
                "start {} and {} days do not make dates between years 1 and 9999",
                crate::input::shown(&self.start),
                self.days
            ),
        };
        let start = crate::calendar::parse_date(&self.start).ok_or_else(bad)?;
        (0..self.days)
            .map(|d| {
                start
                    .checked_add_days(chrono::Days::new(u64::from(d)))
                    .filter(|date| crate::calendar::YEARS.contains(&chrono::Datelike::year(date)))
                    .ok_or_else(bad)
            })
            .collect()
    }
}
