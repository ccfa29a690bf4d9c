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
//! | [`params`] | the scenario's `model` section, one file per mechanism: raw structs and validated parameters |
//! | [`model`] | travel parties in a slab of slots, levels, events, the day observer |
//! | `model::parties` | the shared party slab and its ledger (people per level and outcome) |
//! | `model::context` | the small common ground: parameters, timers, the day's national counts and their metrics |
//! | `model::daily` | a metric's declaration and its value side by side; the day's row |
//! | `model::flow` | hand-offs between mechanisms; policy changes; the pressure check |
//! | `model::arrivals` | the non-homogeneous Poisson arrivals by origin group |
//! | `model::hubs` | the walk from the river crossing; southern hubs: the papers office, resting |
//! | `model::detention` | detection by Mexico and its outcomes |
//! | `model::transit` | routes, modes, departures, legs and checkpoints |
//! | `model::caravans` | caravans: formation, marches, shedding, dissolution |
//! | `model::north` | northern cities, CBP One, patience, walk-ups |
//! | `model::ports` | ports of entry: queues, lanes, hours, closures |
//! | `model::sectors` | between ports: Border Patrol sectors, custody, returns |
//! | `model::policy` | interventions over time, pressure-triggered closures |
//! | [`experiment`] | declared metrics and KPIs; one replication |
//! | [`reference`] | the reference as tables: intervention kinds, places, metrics, KPIs |

pub mod experiment;
pub mod model;
pub mod params;
pub mod reference;

pub use experiment::BorderExperiment;
pub use params::BorderParams;

use crate::calendar::Calendar;
use crate::model::ModelKind;
use crate::montecarlo::Experiment;
use crate::validate::Checks;

/// The border model as a scenario `kind`.
pub struct Border;

impl ModelKind for Border {
    const KIND: &'static str = "border";
    type Params = Box<BorderParams>;

    fn validate(
        model: ron::Value,
        calendar: &Calendar,
        checks: &mut Checks,
    ) -> Option<Self::Params> {
        BorderParams::from_value(model, calendar, checks).map(Box::new)
    }

    fn experiment(params: Self::Params, calendar: Calendar) -> Box<dyn Experiment> {
        Box::new(BorderExperiment::new(*params, calendar))
    }
}
