//! What a sweep saves about itself (`sweep.json`): the design, the swept
//! parameters and every point, written by `borderflow sweep` and read back by
//! merge and the report.

use serde::{Deserialize, Serialize};

/// How a sweep chooses its points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Every combination of each parameter's values (first parameter
    /// slowest).
    Grid,
    /// Latin hypercube: `points` points, each parameter's range cut into
    /// `points` strata with one point in each.
    Lhs,
    /// One at a time: the base point, then each parameter over its `steps`
    /// values with the others at their base values (for tornado charts).
    Oat,
    /// Saltelli's design for Sobol indices: N(k + 2) points from N base
    /// samples.
    Sobol,
}

impl Design {
    /// Names accepted in a sweep file.
    pub const NAMES: [&'static str; 4] = ["grid", "lhs", "oat", "sobol"];

    /// The design named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "grid" => Some(Design::Grid),
            "lhs" => Some(Design::Lhs),
            "oat" => Some(Design::Oat),
            "sobol" => Some(Design::Sobol),
            _ => None,
        }
    }
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Its scenario path, e.g. `model.servers`.
    pub path: String,
    /// Whether the base value is a whole number (values are then rounded).
    pub integer: bool,
    /// Explicit values (grid), if given.
    pub values: Vec<f64>,
    /// Range, for designs that sample one.
    pub min: f64,
    /// Range, for designs that sample one.
    pub max: f64,
    /// Values per range (grid, one-at-a-time).
    pub steps: u32,
    /// The base scenario's value.
    pub base: f64,
}

/// What `finalize` needs to turn KPI records into sweep tables: saved as
/// `sweep.json` beside the results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepPlan {
    /// The design.
    pub design: Design,
    /// The parameters.
    pub parameters: Vec<Parameter>,
    /// Parameter values of every point, point-major.
    pub points: Vec<Vec<f64>>,
    /// Replications per point.
    pub replications: u32,
    /// Base samples N of a Sobol design.
    pub sobol_n: usize,
}
