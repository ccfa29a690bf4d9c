//! Where people are over time: a stacked area of the end-of-day levels (in
//! transit by mode, in a caravan, waiting in the south and the north, queued
//! at ports, in custody), which together are everyone still in the system.
//!
//! Layers are means across replications: means add up (the mean of a sum is
//! the sum of the means), medians do not, so a stack of medians would not
//! show the median total.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::DayAxis;
use super::data::RunData;
use super::figure::{self, Figure, band};
use super::style::{self, DrawResult, Footer, LegendItem};

/// The layers, bottom to top: (metric, legend label, colour).
const LAYERS: [(&str, &str, RGBColor); 10] = [
    ("in_transit:bus", "in transit: bus", style::SKY_BLUE),
    ("in_transit:truck", "in transit: truck", style::BLUE),
    ("in_transit:train", "in transit: train", style::GREEN),
    ("in_transit:foot", "in transit: on foot", style::YELLOW),
    ("caravan_size", "in a caravan", style::VERMILION),
    ("waiting_south", "waiting in the south", style::PURPLE),
    ("waiting_north", "waiting in the north", style::ORANGE),
    // Three greys of distinct lightness for the small layers at the top:
    // lightness, unlike hue, survives every kind of colour blindness.
    ("port_queue", "queued at ports", style::BLACK),
    ("in_custody", "in US custody", style::GREY),
    ("detained_mexico", "detained in Mexico", style::LIGHT_GREY),
];

/// Metrics a stack can use; `in_transit` stands in for the modes when the
/// model does not split it.
pub const METRICS: [&str; 11] = [
    "in_transit",
    "in_transit:bus",
    "in_transit:truck",
    "in_transit:train",
    "in_transit:foot",
    "caravan_size",
    "waiting_south",
    "waiting_north",
    "port_queue",
    "in_custody",
    "detained_mexico",
];

/// The stacked-area chart.
#[derive(Debug, Clone)]
pub struct StackFigure {
    /// Layers bottom to top: label, colour, mean by day [persons].
    layers: Vec<(String, RGBColor, Vec<f64>)>,
    /// The calendar.
    axis: DayAxis,
    /// Footer.
    footer: Footer,
}

/// The stack of the levels the run has; `None` when it has none of them.
pub fn figure(run: &RunData) -> Option<StackFigure> {
    let mean = |m: &str| {
        run.get(m)
            .map(|s| s.iter().map(|d| d.mean).collect::<Vec<f64>>())
    };
    let has_modes = LAYERS[..4].iter().any(|l| run.get(l.0).is_some());
    let mut layers = Vec::new();
    if !has_modes && let Some(total) = mean("in_transit") {
        layers.push(("in transit".to_string(), style::SKY_BLUE, total));
    }
    for (metric, label, colour) in LAYERS {
        if let Some(v) = mean(metric) {
            layers.push((label.to_string(), colour, v));
        }
    }
    if layers.is_empty() {
        return None;
    }
    let footer = Footer {
        right: "layers: mean across replications, end of day".into(),
        ..figure::footer(run, false)
    };
    Some(StackFigure {
        layers,
        axis: DayAxis::new(run.start(), run.dates.len() as u32),
        footer,
    })
}

impl Figure for StackFigure {
    fn stem(&self) -> String {
        "where_people_are".into()
    }

    fn title(&self) -> String {
        "Where people are: in transit, in caravans, waiting, queued, in custody".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        // Legend in stacking order read top-down, like the areas.
        let legend: Vec<LegendItem> = self
            .layers
            .iter()
            .rev()
            .map(|(label, colour, _)| LegendItem::fill(label.clone(), *colour, 0.85))
            .collect();
        let area = style::frame(root, &self.title(), &legend, &self.footer)?;
        let days = self.axis.days as usize;
        let mut below = vec![0.0f64; days];
        let mut stacked = Vec::with_capacity(self.layers.len());
        for (_, colour, values) in &self.layers {
            // A missing day adds nothing, so the layers above stay drawn.
            let above: Vec<f64> = (0..days)
                .map(|d| {
                    below[d]
                        + values
                            .get(d)
                            .copied()
                            .filter(|v| v.is_finite())
                            .unwrap_or(0.0)
                })
                .collect();
            stacked.push((*colour, below.clone(), above.clone()));
            below = above;
        }
        let top = below.iter().copied().fold(0.0, f64::max);
        let mut chart = figure::time_panel(&area, self.axis, top, "people [persons]", true)?;
        for (colour, lo, hi) in &stacked {
            band(&mut chart, lo, hi, *colour, 0.85)?;
        }
        Ok(())
    }
}
