//! What a job leaves in its folder beyond the records: the batch header and
//! its kind (`summary.json`, `shard.json`), a comparison's `compare.csv`, a
//! sweep's tables, and the scorecard against observed data (`fit.csv`,
//! `score.csv`), shared by the batch commands that write them and the
//! report that reads them. (`summary.json`'s reader in the report is still
//! its own type; the record files have theirs in `output::records`.)
//!
//! This layer sits between the scenario layer and the batch commands: it
//! knows nothing of how results are produced, and the report depends on it
//! instead of on the commands.

pub mod calibration;
pub mod compare;
pub mod run;
pub mod score;
pub mod sweep;
