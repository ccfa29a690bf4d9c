//! borderflow's integration tests, one binary with a module per concern.

mod architecture;
mod batch;
mod border;
mod briefing;
mod calibrate;
mod calibration_report;
mod cli;
mod compare;
mod determinism;
mod enforcement;
mod engine;
mod posterior;
mod progress;
mod records;
mod reference;
mod report;
mod safety;
mod scenarios;
mod scorecard;
mod sweep;
mod toy;
