//! The border model (issue 3): travel parties from the Guatemala–Mexico
//! border through Mexico to US ports of entry and between ports, as events.
//!
//! ```text
//!  origins (NHPP by group, monthly drivers)        Mexican nationals
//!        │                                          (interior origins)
//!        ▼                                                │
//!  southern crossings ──detected──► detention in Mexico ◄─┼── checkpoints,
//!  (Suchiate, El Ceibo)             relocate │ papers │    │   caravan days
//!        │                          deport   │ settle │    │
//!        ▼                                   ▼        ▼    │
//!  hubs (Tapachula, Tenosique): wait for papers ──► caravans (walk, shed,
//!        │            (capacity/day)               dissolve)
//!        ▼                                                 │
//!  routes: Pacific / central / Gulf legs, modes bus · truck · train · foot
//!        │   (departures and seats for bus and train; suspensions)
//!        ▼
//!  northern cities ──CBP One lottery──► port appointment queue ─┐
//!        │  walk-up ───────────────────► port walk-up queue ────┼─► ports of
//!        │  patience spent: cross or move city                  │   entry (OFO)
//!        ▼                                                      ┘   open/partial/closed
//!  between ports, by sector ──► apprehended (USBP) → custody → expelled/removed
//!                          └──► got away                        (retry) or final
//! ```
//!
//! | module | concept |
//! |---|---|
//! | [`params`] | the scenario's `model` section: raw structs and validated parameters |
//! | [`model`] | parties, places, events and their handlers |
//! | [`experiment`] | metric and KPI names; one replication |

pub mod experiment;
pub mod model;
pub mod params;

pub use experiment::BorderExperiment;
pub use params::BorderParams;
