//! The border model as an [`Experiment`]: its declared metrics and KPIs, and
//! one replication from a seed.

use std::sync::atomic::AtomicBool;

use chrono::Datelike;

use super::model::{BorderModel, metric_specs};
use super::params::BorderParams;
use crate::calendar::Calendar;
use crate::engine::simulate_or_stop;
use crate::metrics::{Aggregate, DailySeries, KpiSpec, MetricSpec, aggregate};
use crate::montecarlo::{Experiment, Replication};

/// Runs replications of the border model.
pub struct BorderExperiment {
    params: BorderParams,
    calendar: Calendar,
    metrics: Vec<MetricSpec>,
    kpis: Vec<Kpi>,
}

/// A declared KPI and where it reads the daily table: column, days
/// `from..to` of the horizon.
struct Kpi {
    spec: KpiSpec,
    column: usize,
    from: usize,
    to: usize,
}

/// Metrics summed by month in the KPIs, with their labels.
const MONTHLY: [&str; 3] = ["usbp_apprehensions", "ofo_encounters", "mx_detections"];

impl BorderExperiment {
    /// An experiment over `calendar` with `params`.
    pub fn new(params: BorderParams, calendar: Calendar) -> Self {
        let metrics = metric_specs(&params);
        let kpis = declare_kpis(&metrics, &calendar);
        Self {
            params,
            calendar,
            metrics,
            kpis,
        }
    }

    /// The validated parameters.
    pub fn params(&self) -> &BorderParams {
        &self.params
    }
}

/// Column of national metric `name` (one the model always declares).
fn column(metrics: &[MetricSpec], name: &str) -> usize {
    metrics
        .iter()
        .position(|m| m.is_national(name))
        .expect("national metric declared by the model")
}

/// Per calendar month `m` (YYYY-MM): `usbp_apprehensions:m`,
/// `ofo_encounters:m`, `mx_detections:m` (monthly totals [persons]) and
/// `usbp_apprehensions:peak_day:m` (busiest day [persons/day]); plus
/// `mx_detections:2023-01..2023-11` when the horizon covers it, and the final
/// outcomes and people still in the system at the end [persons].
fn declare_kpis(metrics: &[MetricSpec], calendar: &Calendar) -> Vec<Kpi> {
    let days = calendar.days as usize;
    let date = |d: usize| calendar.date(d as u32).format("%Y-%m-%d").to_string();
    let kpi =
        |name: String, metric: &str, how: Aggregate, label: String, window: (usize, usize)| {
            let column = column(metrics, metric);
            let mut spec = KpiSpec::of(name, &metrics[column], how, label);
            spec.window = Some((date(window.0), date(window.1 - 1)));
            Kpi {
                spec,
                column,
                from: window.0,
                to: window.1,
            }
        };
    let mut kpis = Vec::new();
    for (m, a, b) in calendar.months() {
        let tag = m.format("%Y-%m").to_string();
        let month = m.format("%B %Y");
        let window = (a as usize, b as usize);
        // A whole calendar month's KPIs say which month, so tables need not
        // parse names; the horizon's partial first or last month does not.
        let whole = calendar.date(a).day() == 1 && calendar.date(b).day() == 1;
        let mut add = |mut k: Kpi| {
            k.spec.month = whole.then(|| tag.clone());
            kpis.push(k);
        };
        for metric in MONTHLY {
            let label = format!("{}, {month}", metrics[column(metrics, metric)].label);
            add(kpi(
                format!("{metric}:{tag}"),
                metric,
                Aggregate::Sum,
                label,
                window,
            ));
        }
        let label = format!("USBP apprehensions, peak day of {month}");
        let name = format!("usbp_apprehensions:peak_day:{tag}");
        add(kpi(
            name,
            "usbp_apprehensions",
            Aggregate::Max,
            label,
            window,
        ));
    }
    if let Some(window) = jan_nov_2023(calendar) {
        let label = "Detections by Mexico, January–November 2023".to_string();
        let name = "mx_detections:2023-01..2023-11".to_string();
        kpis.push(kpi(name, "mx_detections", Aggregate::Sum, label, window));
    }
    for o in super::model::outcome::NAMES {
        let name = format!("outcome:{o}");
        let label = format!("{} by the end", metrics[column(metrics, &name)].label);
        kpis.push(kpi(name.clone(), &name, Aggregate::End, label, (0, days)));
    }
    let label = "In the system at the end".to_string();
    kpis.push(kpi(
        "in_system_at_end".into(),
        "in_system",
        Aggregate::End,
        label,
        (0, days),
    ));
    kpis
}

/// Days `(first, last+1)` of Jan–Nov 2023 if the horizon covers them.
fn jan_nov_2023(calendar: &Calendar) -> Option<(usize, usize)> {
    let months = calendar.months();
    let first = months
        .iter()
        .find(|m| m.0.year() == 2023 && m.0.month() == 1)?;
    let last = months
        .iter()
        .find(|m| m.0.year() == 2023 && m.0.month() == 11)?;
    Some((first.1 as usize, last.2 as usize))
}

impl Experiment for BorderExperiment {
    fn metrics(&self) -> Vec<MetricSpec> {
        self.metrics.clone()
    }

    fn kpis(&self) -> Vec<KpiSpec> {
        self.kpis.iter().map(|k| k.spec.clone()).collect()
    }

    /// One replication: the spin-up days run first and are dropped, so day
    /// 0 of the results starts with people already on the routes.
    fn run_replication(
        &self,
        seed: u64,
        replication: u64,
        check: bool,
        stop: Option<&AtomicBool>,
    ) -> Option<Replication> {
        let days = self.calendar.days;
        let spin = self.params.spinup_days as usize;
        let width = self.metrics.len();
        let total = days + self.params.spinup_days;
        let mut model = BorderModel::new(&self.params, total, seed, replication);
        let mut full = DailySeries::new(total as usize, width);
        let stats = simulate_or_stop(&mut model, total, &mut full, check, stop)?;
        // Drop the spin-up days.
        let mut daily = DailySeries::new(days as usize, width);
        for d in 0..days as usize {
            daily.row_mut(d).copy_from_slice(full.row(d + spin));
        }
        let kpis = self
            .kpis
            .iter()
            .map(|k| aggregate(&daily, k.column, k.from, k.to, k.spec.aggregate))
            .collect();
        Some(Replication {
            daily,
            kpis,
            events: stats.events,
            violations: stats.violations,
        })
    }
}
