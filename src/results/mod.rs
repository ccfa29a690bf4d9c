//! The results a job leaves in its folder, one type per file, shared by the
//! batch commands that write them and the report that reads them, so the
//! output schema is defined once.
//!
//! This layer sits between the scenario layer and the batch commands: it
//! knows nothing of how results are produced, and the report depends on it
//! instead of on the commands.

pub mod compare;
pub mod run;
pub mod sweep;
