//! borderflow's integration tests, one binary with a module per concern.

mod border;
mod cli;
mod engine;
mod report;
mod scenarios;
