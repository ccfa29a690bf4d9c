//! # borderflow
//!
//! A discrete-event simulator of migrant flows from the Guatemala–Mexico border
//! through Mexico's transit routes and caravans to US ports of entry.
//!
//! ## Where each piece lives
//!
//! Modules form layers; a module uses only modules of its own layer or
//! below, and no two modules use each other (a test,
//! `architecture::layers_have_no_cycles`, enforces this).
//!
//! | layer | module | what it owns |
//! |---|---|---|
//! | core | [`error`] | the error type and exit codes |
//! | core | [`input`] | reading input files safely (bounded, regular files only), echoing user values |
//! | core | [`engine`] | the clock, the event queue, the event loop and the day observer |
//! | core | [`rng`] | named random streams per (seed, replication, stream) |
//! | core | [`calendar`] | dates at the edges: scenario dates ↔ simulation time |
//! | core | [`metrics`] | declared metrics and KPIs; one replication's daily table |
//! | core | [`stats`] | summaries across replications |
//! | core | [`score`] | scores against observed numbers: relative error, weighted quantiles, CRPS, total variation |
//! | core | [`sensitivity`] | Sobol/Saltelli estimators |
//! | core | [`output`] | where borderflow may write: names, stamp, lock, staging and swap; the record files |
//! | validate | [`validate`] | path-aware checks (a path stack), name tables that hand out typed ids |
//! | model | [`model`] | what a model is: `ModelKind` (kind, validation, experiment) |
//! | model | [`montecarlo`] | `Experiment`; replications in parallel, consumed in order |
//! | models | [`mmc`] | the M/M/c station that proves the engine |
//! | models | [`border`] | the border model |
//! | scenario | [`scenario`] | RON loading, `extend`, overrides, the model registry |
//! | scenario | [`posterior`] | a posterior sample of parameters (`posterior.csv`): one draw per replication |
//! | results | [`results`] | the batch header and kinds, the comparison and sweep tables: written by the batch layer, read by the report |
//! | batch | [`runner`], [`shard`], [`compare`], [`sweep`], [`calibrate`] | jobs: run, merge, compare, sweep, calibrate → files |
//! | report | [`report`] | charts and `report.html` from a results folder |
//! | top | [`cli`], [`smoke`] | the command line; end-to-end checks of untrusted inputs (fuzzing) |
//!
//! A model implements [`engine::Model`] (events, handler, day observer),
//! [`montecarlo::Experiment`] (declared metrics and KPIs, one replication from
//! a seed) and [`model::ModelKind`] (its `kind` and validation), and gets one
//! line in the registry, [`scenario::MODELS`].
//!
//! ## A tutorial
//!
//! The example `examples/tutorial.rs`, compiled and run as this crate's
//! doctest:
//!
//! ```rust
#![doc = include_str!("../examples/tutorial.rs")]
//! ```

// Units are written in brackets in doc comments (`/// Walking speed [km/day]`),
// the house style; rustdoc would read each as an intra-doc link.
#![allow(rustdoc::broken_intra_doc_links)]

pub mod border;
pub mod calendar;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod engine;
pub mod error;
pub mod input;
pub mod metrics;
pub mod mmc;
pub mod model;
pub mod montecarlo;
pub mod output;
pub mod posterior;
pub mod report;
pub mod results;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod score;
pub mod sensitivity;
pub mod shard;
pub mod smoke;
pub mod stats;
pub mod sweep;
pub mod validate;

pub use error::{Error, Result};
pub use scenario::Scenario;
