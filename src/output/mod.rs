//! Where borderflow may write, and what it leaves there: the output contract.
//!
//! This module is the only one that creates, replaces or removes anything on
//! disk. Its rules, in one place:
//!
//! - **Names.** A scenario, sweep or what-if name becomes a folder name; it
//!   must pass [`check_name`] (no path separators, no leading dot, no control
//!   characters, at most [`MAX_NAME_BYTES`] bytes).
//! - **Only inside the output folder.** Everything is written into a staging
//!   folder `.<name>.partial` beside the target, then swapped into place. File
//!   names come from the program, and the inputs saved with a batch (and
//!   copied by `merge`) only from the names each kind of batch lists
//!   (`results::run::JobKind::inputs`), never from an input file.
//! - **Never earlier results, unasked.** Without `-o`, a batch writes to
//!   `outputs/<name>`, or when that exists to the first free
//!   `outputs/<name>-2`, `-3`, … ([`default_target`]); only an explicit `-o`
//!   replaces a folder, and only one borderflow wrote.
//! - **Never a user's data.** `-o DIR` replaces `DIR` only if it is a folder
//!   that borderflow wrote, recognised by its stamp file [`STAMP`]; a plain
//!   file, a link, a folder without the stamp, the working folder or a folder
//!   holding the command's own inputs is refused (exit code 2).
//! - **One writer.** A writer holds an exclusive lock on the staging folder for
//!   its whole life; a second one is refused with the first one's process id.
//! - **Never finished work.** A staging folder found by `--resume` is never
//!   removed by a failure; one with finished replications is kept whenever a
//!   run stops early, and a completed result whose final rename fails is left
//!   where it is, with a message.
//!
//! | file | content |
//! |---|---|
//! | `daily.csv` or `daily.parquet` | `replication,date,metric,place,origin,value`: every metric of every day of every replication (tidy, long; `--records daily`) |
//! | `kpis.csv` or `kpis.parquet` | `replication,kpi,value`: every KPI of every replication (`--records kpis` or `daily`; a finished sweep keeps `sweep.csv` or `sweep.parquet` instead, each row with its point) |
//! | `daily_summary.csv` | `date,metric,place,origin,mean,ci95_low,ci95_high,p05,p25,p50,p75,p95` across replications |
//! | `summary.json` | KPIs (mean, 95% CI, quantiles), seed, replications, version, scenario hash |
//! | `kpis_summary.csv` | `scenario,seed,replications,kpi,label,unit,mean,ci95_low,ci95_high,p05,p25,p50,p75,p95`: the KPI summaries as a flat table (12 significant digits; an empty field is "no number") |
//! | `observed.csv` | `metric,place,origin,role,month,observed,source`: the scenario's observed series (when it has any) |
//! | `scenario.ron` | the fully resolved scenario that was run |
//! | `posterior.csv`, `draws.csv` | under `--posterior`: its copy, and `replication,draw` |
//! | `fit.csv` | a run with observed series: `metric,place,origin,role,month,observed,mean,p05,p50,p95,rel_error`, per series and month the run covers in full |
//! | `score.csv` | a run with observed series: `metric,place,origin,role,kind,months,mean_abs_rel_error,coverage90,crps_rel,tv_distance`, per series (an empty field is "no number") |
//! | `.borderflow` | the stamp: which borderflow command wrote the folder |

mod folder;
pub mod records;

pub use folder::{
    MAX_NAME_BYTES, OUTPUTS, OutputDir, STAMP, check_name, check_results, check_target,
    default_target, staging_path, write_atomic, write_replace,
};
pub use records::{
    DAILY_HEADER, Detail, Format, KPIS_HEADER, Position, Prepared, RecordSchema, RecordSink,
    RecordSource, Stage, Table, csv_field, write_daily_summary,
};
