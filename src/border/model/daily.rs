//! Daily metrics as the mechanisms declare them: each metric's spec and how
//! its value is read at the day's end, side by side, and the row they fill.
//!
//! A mechanism lists its metrics once as [`Daily`] entries. The same list
//! gives the declared [`MetricSpec`]s (in [`super::metric_specs`]) and the
//! values written at the day's end (in [`super::BorderModel`]'s
//! `end_of_day`), so a name cannot drift away from its value, and adding a
//! metric touches only the file of the mechanism that owns it.

use crate::border::params::{BorderParams, OriginGroups};
use crate::metrics::{MetricKind, MetricSpec, Unit};

/// One daily metric of a mechanism whose state is `S`.
pub(super) struct Daily<S> {
    /// Metric name (`usbp_apprehensions`), shared by all places.
    pub(super) name: &'static str,
    /// Unit of one day's value.
    pub(super) unit: Unit,
    /// What the value means over its day.
    pub(super) kind: MetricKind,
    /// Human label without the place.
    pub(super) label: &'static str,
    /// The day's value from the mechanism's state at place (or origin
    /// group) index `i` (0 for a national metric).
    pub(super) value: fn(&S, usize) -> f64,
    /// A check of the model's bookkeeping, not a result (see
    /// [`MetricSpec::internal`]).
    pub(super) internal: bool,
}

impl<S> Daily<S> {
    /// A metric read by `value`.
    pub(super) fn new(
        name: &'static str,
        unit: Unit,
        kind: MetricKind,
        label: &'static str,
        value: fn(&S, usize) -> f64,
    ) -> Self {
        Self {
            name,
            unit,
            kind,
            label,
            value,
            internal: false,
        }
    }

    /// Marks a bookkeeping check.
    pub(super) fn internal(self) -> Self {
        Self {
            internal: true,
            ..self
        }
    }

    /// The declared spec of this metric (national).
    pub(super) fn spec(&self) -> MetricSpec {
        let spec = MetricSpec::new(self.name, self.unit, self.kind, self.label);
        if self.internal { spec.internal() } else { spec }
    }
}

/// Specs of national metrics `table`, in its order.
pub(super) fn national<S>(table: &[Daily<S>]) -> Vec<MetricSpec> {
    table.iter().map(Daily::spec).collect()
}

/// Specs of per-place metrics `table` for each of `places`: place by place,
/// each place's metrics in the table's order.
pub(super) fn per_place<'a, S>(
    table: &[Daily<S>],
    places: impl Iterator<Item = &'a str>,
) -> Vec<MetricSpec> {
    per_each(table, places, MetricSpec::at)
}

/// Specs of per-origin-group metrics `table` for each of `groups`: group
/// by group, each group's metrics in the table's order (the `origin`
/// dimension, keys `name::group`).
pub(super) fn per_origin<'a, S>(
    table: &[Daily<S>],
    groups: impl Iterator<Item = &'a str>,
) -> Vec<MetricSpec> {
    per_each(table, groups, MetricSpec::of_origin)
}

/// Specs of metrics `table` for each of `names` along one dimension,
/// `along` putting a name on a spec: name by name, each name's metrics in
/// the table's order.
fn per_each<'a, S>(
    table: &[Daily<S>],
    names: impl Iterator<Item = &'a str>,
    along: fn(MetricSpec, &str) -> MetricSpec,
) -> Vec<MetricSpec> {
    names
        .flat_map(|n| table.iter().map(move |m| along(m.spec(), n)))
        .collect()
}

/// A day's row of the table being filled, left to right.
pub(super) struct Row<'a> {
    /// The day's cells, one per declared metric.
    cells: &'a mut [f64],
    /// Index of the next cell to write.
    next: usize,
}

impl<'a> Row<'a> {
    /// An empty cursor at the start of `cells`.
    pub(super) fn new(cells: &'a mut [f64]) -> Self {
        Self { cells, next: 0 }
    }

    /// Writes the next cell. Panics past the declared width: a mechanism
    /// wrote more values than it declared metrics.
    pub(super) fn push(&mut self, value: f64) {
        self.cells[self.next] = value;
        self.next += 1;
    }

    /// Writes the national metrics `table` of `state`.
    pub(super) fn national<S>(&mut self, state: &S, table: &[Daily<S>]) {
        for m in table {
            self.push((m.value)(state, 0));
        }
    }

    /// Writes the per-place metrics `table` of `state` for places `0..n`, in
    /// the order of [`per_place`].
    pub(super) fn per_place<S>(&mut self, state: &S, n: usize, table: &[Daily<S>]) {
        for i in 0..n {
            for m in table {
                self.push((m.value)(state, i));
            }
        }
    }

    /// Writes the per-origin-group metrics `table` of `state` for groups
    /// `0..n`, in the order of [`per_origin`].
    pub(super) fn per_origin<S>(&mut self, state: &S, n: usize, table: &[Daily<S>]) {
        self.per_place(state, n, table);
    }

    /// Cells written so far.
    pub(super) fn filled(&self) -> usize {
        self.next
    }

    /// Width of the row (declared metrics).
    pub(super) fn width(&self) -> usize {
        self.cells.len()
    }
}

/// A day's count by origin group, for a mechanism's per-origin metric: the
/// groups are the scenario's [`OriginGroups`], so every mechanism splits
/// its count the same way.
pub(super) struct ByOrigin {
    /// Group index of each origin, by origin index.
    of_origin: Vec<usize>,
    /// Today's count by group [persons].
    today: Vec<u64>,
    /// The count of the day last closed by [`ByOrigin::close_day`], by
    /// group [persons]: what another mechanism writing later in the same
    /// `end_of_day` reads.
    closed: Vec<u64>,
}

impl ByOrigin {
    /// Zero counts for the scenario's origin groups.
    pub(super) fn new(p: &BorderParams) -> Self {
        let g = OriginGroups::of(&p.origins);
        Self {
            today: vec![0; g.names.len()],
            closed: vec![0; g.names.len()],
            of_origin: g.of_origin,
        }
    }

    /// Counts `n` [persons] of origin `origin` (an index of `p.origins`).
    pub(super) fn add(&mut self, origin: u16, n: u64) {
        self.today[self.of_origin[origin as usize]] += n;
    }

    /// Today's count of group `g` [persons].
    pub(super) fn get(&self, g: usize) -> f64 {
        self.today[g] as f64
    }

    /// Number of groups.
    pub(super) fn len(&self) -> usize {
        self.today.len()
    }

    /// The count of group `g` on the day last closed [persons].
    pub(super) fn closed(&self, g: usize) -> f64 {
        self.closed[g] as f64
    }

    /// Ends the day: its counts become the closed day's, and a new day
    /// starts from zero.
    pub(super) fn close_day(&mut self) {
        std::mem::swap(&mut self.today, &mut self.closed);
        self.today.iter_mut().for_each(|n| *n = 0);
    }
}
