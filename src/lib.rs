//! # borderflow
//!
//! A discrete-event simulator of migrant flows from the Guatemala–Mexico border
//! through Mexico's transit routes and caravans to US ports of entry.
//!
//! Where each piece lives:
//!
//! | module | what it owns |
//! |---|---|
//! | [`engine`] | the clock, the event queue, the event loop and the day observer |
//! | [`rng`] | named random streams per (seed, replication, stream) |
//! | [`calendar`] | dates at the edges: scenario dates ↔ simulation time |
//! | [`metrics`] | one replication's daily metric table |
//! | [`validate`] | path-aware checks (a path stack), name tables that hand out typed ids |
//! | [`scenario`] | RON loading, `extend`, overrides and validation |
//! | [`mmc`] | the M/M/c station that proves the engine |
//! | [`montecarlo`] | replications in parallel, consumed in order |
//! | [`stats`] | summaries across replications |
//! | [`input`] | reading input files safely (bounded, regular files only), echoing user values |
//! | [`output`] | where borderflow may write: names, stamp, lock, staging and swap; the record files |
//! | [`runner`] | `borderflow run`: batch → files |
//! | [`smoke`] | end-to-end checks of untrusted sweep files and shard folders (fuzzing) |
//! | [`cli`] | the command line |
//!
//! A model implements [`engine::Model`] (events, handler, day observer) and
//! [`montecarlo::Experiment`] (one replication from a seed), and gets a
//! `ModelSpec` variant in [`scenario`] for its validated parameters.

// Units are written in brackets in doc comments (`/// Walking speed [km/day]`),
// the house style; rustdoc would read each as an intra-doc link.
#![allow(rustdoc::broken_intra_doc_links)]

pub mod border;
pub mod calendar;
pub mod cli;
pub mod compare;
pub mod engine;
pub mod error;
pub mod input;
pub mod metrics;
pub mod mmc;
pub mod montecarlo;
pub mod output;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod smoke;
pub mod stats;
pub mod sweep;
pub mod validate;

pub use error::{Error, Result};
pub use scenario::Scenario;
