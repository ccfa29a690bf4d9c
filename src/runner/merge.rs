//! `borderflow merge` and the shard description it reads: shard folders
//! checked as input and merged into the one run folder an unsharded batch
//! writes.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Aggregator, Charts, JobKind, RunHeader, complete, scorecard};
use crate::error::{Error, Result};
use crate::output::records::{self, Stage};
use crate::output::{OutputDir, write_atomic};
use crate::shard::Shard;

/// `shard.json`: which part of which batch a shard folder holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardJson {
    /// The batch.
    pub run: RunHeader,
    /// Which shard.
    pub shard: Shard,
    /// Its replication indices.
    pub first_replication: u64,
    /// One past its last replication index.
    pub end_replication: u64,
    /// Input files saved with the shard (copied into the merged folder).
    pub inputs: Vec<String>,
}

/// Most metric names, KPI names and characters per name a shard description
/// may claim; generous bounds on anything a scenario produces, checked before
/// anything is allocated from them.
const MAX_METRICS: usize = 100_000;
const MAX_KPIS: usize = 1_000_000;
const MAX_RECORD_NAME_BYTES: usize = 1_024;

/// Most daily values one replication may hold [days × metrics]: what a
/// reader allocates for one replication (512 MiB of `f64`); the baseline
/// holds 28,000.
const MAX_CELLS_PER_REPLICATION: u64 = 1 << 26;

/// Every string a header's metric and KPI specs hold.
fn spec_strings(h: &RunHeader) -> impl Iterator<Item = &str> {
    let metrics = h.metrics.iter().flat_map(|m| {
        [
            Some(&m.name),
            m.place.as_ref(),
            m.origin.as_ref(),
            Some(&m.label),
        ]
        .into_iter()
        .flatten()
    });
    let kpis = h.kpi_specs.iter().flat_map(|k| {
        let (from, to) = k
            .window
            .as_ref()
            .map_or((None, None), |w| (Some(&w.0), Some(&w.1)));
        [
            Some(&k.name),
            k.metric.as_ref(),
            k.place.as_ref(),
            k.origin.as_ref(),
            from,
            to,
            Some(&k.label),
            k.month.as_ref(),
        ]
        .into_iter()
        .flatten()
    });
    metrics.chain(kpis).map(String::as_str)
}

impl ShardJson {
    /// Checks every field against the limits of a scenario, and the shard's
    /// records against the size the description promises; `dir` names the
    /// shard in messages. A shard description is input: it may have been
    /// edited, copied or crafted.
    fn check(&self, dir: &Path) -> Result<()> {
        let bad = |message: String| Error::Scenario {
            file: crate::input::shown(&dir.join("shard.json").display().to_string()),
            message,
        };
        let h = &self.run;
        let expected_inputs = h.inputs();
        crate::output::check_name(&h.scenario).map_err(|m| bad(format!("run.scenario {m}")))?;
        if h.replications == 0 || h.replications > u64::from(u32::MAX) {
            return Err(bad(format!(
                "run.replications must be between 1 and {}",
                u32::MAX
            )));
        }
        if h.days > crate::scenario::MAX_HORIZON_DAYS || h.kind.has_days() != (h.days > 0) {
            return Err(bad(format!(
                "run.days must be between 1 and {} for a run or comparison, 0 for a sweep",
                crate::scenario::MAX_HORIZON_DAYS
            )));
        }
        let dates = h.dates().map_err(|e| bad(e.to_string()))?;
        if dates.last().is_some_and(|d| d.to_string() != h.end) {
            return Err(bad(format!(
                "run.end {} is not {} days after run.start {}",
                crate::input::shown(&h.end),
                h.days.saturating_sub(1),
                crate::input::shown(&h.start)
            )));
        }
        let cells = u64::from(h.days).saturating_mul(h.metrics.len() as u64);
        if h.metrics.len() > MAX_METRICS
            || h.kpi_specs.len() > MAX_KPIS
            || cells > MAX_CELLS_PER_REPLICATION
        {
            return Err(bad(format!(
                "more than {MAX_METRICS} metrics, {MAX_KPIS} KPIs or \
                 {MAX_CELLS_PER_REPLICATION} daily values per replication"
            )));
        }
        if let Some(n) = spec_strings(h).find(|n| {
            n.is_empty() || n.len() > MAX_RECORD_NAME_BYTES || n.chars().any(char::is_control)
        }) {
            return Err(bad(format!(
                "metric or KPI name, place, origin, label or date \"{}\" is empty, longer than \
                 {MAX_RECORD_NAME_BYTES} bytes or holds control characters",
                crate::input::shown(n)
            )));
        }
        if let Some(p) = &h.posterior {
            let hex = p.sha256.len() == 64 && p.sha256.chars().all(|c| c.is_ascii_hexdigit());
            let name_ok = !p.file.is_empty()
                && p.file.len() <= MAX_RECORD_NAME_BYTES
                && !p.file.chars().any(char::is_control);
            if !hex || !name_ok || p.draws == 0 {
                return Err(bad(
                    "run.posterior must name its file (without control characters), a SHA-256 \
                     of 64 hex digits and at least one draw"
                        .into(),
                ));
            }
        }
        let s = self.shard;
        if s.count == 0 || s.index >= s.count || s.count > h.replications {
            return Err(bad(format!(
                "shard {}/{} is not one of 1 to {} shards",
                s.index, s.count, h.replications
            )));
        }
        let range = s.range(h.replications);
        if (self.first_replication, self.end_replication) != (range.start, range.end) {
            return Err(bad(format!(
                "replications {}..{} are not shard {s}'s block {}..{}",
                self.first_replication, self.end_replication, range.start, range.end
            )));
        }
        let mut inputs = self.inputs.clone();
        inputs.sort();
        let mut expected: Vec<String> = expected_inputs.iter().map(|n| n.to_string()).collect();
        expected.sort();
        if inputs != expected {
            return Err(bad(format!(
                "inputs must be {expected:?} for a {}; files are never copied by other names",
                h.kind
            )));
        }
        let reps = range.end - range.start;
        let schema = h.record_schema().map_err(|e| bad(e.to_string()))?;
        records::check_size(dir, &schema, reps).map_err(bad)?;
        Ok(())
    }
}

/// Merges shard folders (in any order) into one run folder `out` whose files
/// are byte-identical to those of the unsharded run. Every shard description
/// is checked before anything is created; a shard missing, given twice, or
/// from another batch is refused (exit code 2) with the shards that are
/// missing; the records must hold exactly the replications promised.
pub fn merge(shard_dirs: &[PathBuf], out: &Path, charts: Option<Charts>) -> Result<PathBuf> {
    let mut shards: Vec<(ShardJson, &PathBuf)> = Vec::new();
    let mut unfinished = Vec::new();
    for d in shard_dirs {
        let description = d.join("shard.json");
        // A shard writes its description last, when complete: a folder
        // without one (or no folder yet) is a shard still to run.
        if !description.exists() {
            unfinished.push(crate::input::shown(&d.display().to_string()));
            continue;
        }
        let s: ShardJson = crate::input::read_json(&description)?;
        s.check(d)?;
        shards.push((s, d));
    }
    if !unfinished.is_empty() {
        return Err(Error::Incomplete(format!(
            "merge: {} of {} shard folders hold no finished shard yet: {}",
            unfinished.len(),
            shard_dirs.len(),
            unfinished.join(", ")
        )));
    }
    let Some((first, _)) = shards.first() else {
        return Err(Error::Scenario {
            file: "merge".into(),
            message: "needs at least one shard folder".into(),
        });
    };
    let header = first.run.clone();
    let count = first.shard.count;
    shards.sort_by_key(|(s, _)| s.shard.index);
    for (s, d) in &shards {
        if s.run.format != header.format {
            return Err(Error::Scenario {
                file: crate::input::shown(&d.display().to_string()),
                message: format!(
                    "this shard's records are {}, another's are {}: shards of one batch are \
                     written in one format (--format)",
                    s.run.format, header.format
                ),
            });
        }
        if s.run != header || s.shard.count != count {
            return Err(Error::Scenario {
                file: crate::input::shown(&d.display().to_string()),
                message: "this shard belongs to another batch (scenario, seed, replications or shard count differ)"
                    .into(),
            });
        }
    }
    let indices: Vec<u64> = shards.iter().map(|(s, _)| s.shard.index).collect();
    if indices != (0..count).collect::<Vec<_>>() {
        let missing: Vec<String> = (0..count)
            .filter(|i| !indices.contains(i))
            .take(50)
            .map(|i| i.to_string())
            .collect();
        let twice: Vec<String> = indices
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0].to_string())
            .collect();
        let message = format!(
            "merge needs each of the {count} shards exactly once; missing: [{}]; given twice: [{}]",
            missing.join(", "),
            twice.join(", ")
        );
        // Only missing shards: the batch is not finished yet (exit code 3).
        return Err(if twice.is_empty() {
            Error::Incomplete(message)
        } else {
            Error::Scenario {
                file: "merge".into(),
                message,
            }
        });
    }
    let schema = header.record_schema()?;
    // The shards are inputs: a target holding one of them is refused.
    let outdir = OutputDir::create(out, "merge", false, shard_dirs)?;
    let mut records = records::create(outdir.path(), &schema)?;
    let observed = match header.kind {
        JobKind::Run => saved_observed(shards[0].1)?,
        JobKind::Compare | JobKind::Sweep => Vec::new(),
    };
    let mut agg = Aggregator::new(schema.dates.len(), schema.metrics.len(), schema.kpis.len())
        .scoring(scorecard(&header, &observed)?);
    let mut next = 0u64;
    for (s, d) in &shards {
        let mut reader = records::open(d, &schema, Stage::Finished, true, true)?;
        while next < s.end_replication {
            let Some((r, daily, kpis)) = reader.next_replication()? else {
                break;
            };
            if r != next {
                return Err(Error::Scenario {
                    file: crate::input::shown(&d.display().to_string()),
                    message: format!("expected replication {next}, found {r}"),
                });
            }
            records.write(&schema.prepare(r, &daily, &kpis)?)?;
            agg.push(&daily, &kpis);
            next += 1;
        }
        if next != s.end_replication {
            return Err(Error::Scenario {
                file: crate::input::shown(&d.display().to_string()),
                message: format!(
                    "shard {} is incomplete (replications up to {next}, expected {})",
                    s.shard, s.end_replication
                ),
            });
        }
        reader.expect_end()?;
    }
    records.finish()?;
    for name in &shards[0].0.inputs {
        // Checked above: one of the contract's input file names.
        let text = crate::input::read_text(&shards[0].1.join(name), crate::input::MAX_INPUT_BYTES)?;
        write_atomic(&outdir.file(name), text.as_bytes())?;
    }
    // A merged batch is a whole batch: it gets what a whole one gets.
    complete(outdir.path(), &header, &mut agg, charts)?;
    outdir.commit()
}

/// The observed series of the scenario a run's shard saved (its
/// `scenario.ron`), for the merged run's scorecard: validated like any
/// scenario, since a shard folder is input.
fn saved_observed(shard: &Path) -> Result<Vec<crate::scenario::ObservedSeries>> {
    let path = shard.join("scenario.ron");
    let text = crate::input::read_text(&path, crate::input::MAX_INPUT_BYTES)?;
    let origin = crate::scenario::Origin {
        label: crate::input::shown(&path.display().to_string()),
        dir: None,
    };
    Ok(crate::scenario::Scenario::from_text(&text, &origin)?.observed)
}
