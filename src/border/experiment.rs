//! The border model as an [`Experiment`]: metric and KPI names, and one
//! replication from a seed.

use std::sync::atomic::AtomicBool;

use chrono::Datelike;

use super::model::{BorderModel, Columns, metric_names};
use super::params::BorderParams;
use crate::calendar::Calendar;
use crate::engine::simulate_or_stop;
use crate::metrics::DailySeries;
use crate::montecarlo::{Experiment, Replication};

/// Runs replications of the border model.
pub struct BorderExperiment {
    params: BorderParams,
    calendar: Calendar,
    names: Vec<String>,
}

/// Metrics summed by month in the KPIs.
const MONTHLY: [&str; 3] = ["usbp_apprehensions", "ofo_encounters", "mx_detections"];

impl BorderExperiment {
    /// An experiment over `calendar` with `params`.
    pub fn new(params: BorderParams, calendar: Calendar) -> Self {
        let names = metric_names(&params);
        Self {
            params,
            calendar,
            names,
        }
    }

    /// The validated parameters.
    pub fn params(&self) -> &BorderParams {
        &self.params
    }

    /// Column index of a fixed metric.
    fn column(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .expect("fixed metric exists")
    }

    /// Days `(first, last+1)` of Jan–Nov 2023 if the horizon covers them.
    fn jan_nov_2023(&self) -> Option<(usize, usize)> {
        let months = self.calendar.months();
        let first = months
            .iter()
            .find(|m| m.0.year() == 2023 && m.0.month() == 1)?;
        let last = months
            .iter()
            .find(|m| m.0.year() == 2023 && m.0.month() == 11)?;
        Some((first.1 as usize, last.2 as usize))
    }
}

impl Experiment for BorderExperiment {
    fn metric_names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// Per calendar month `m` (YYYY-MM): `usbp_apprehensions:m`,
    /// `ofo_encounters:m`, `mx_detections:m` (monthly totals [persons]) and
    /// `usbp_apprehensions:peak_day:m` (busiest day [persons/day]); plus
    /// `mx_detections:2023-01..2023-11` when the horizon covers it, and the
    /// final outcomes and people still in the system at the end [persons].
    fn kpi_names(&self) -> Vec<String> {
        let mut k = Vec::new();
        for (m, _, _) in self.calendar.months() {
            let tag = m.format("%Y-%m");
            for metric in MONTHLY {
                k.push(format!("{metric}:{tag}"));
            }
            k.push(format!("usbp_apprehensions:peak_day:{tag}"));
        }
        if self.jan_nov_2023().is_some() {
            k.push("mx_detections:2023-01..2023-11".to_string());
        }
        for o in super::model::outcome::NAMES {
            k.push(format!("outcome:{o}"));
        }
        k.push("in_system_at_end".to_string());
        k
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
        let cols = Columns {
            ports: self.params.ports.len(),
            sectors: self.params.sectors.len(),
            caravans: self.params.caravans.len(),
        };
        debug_assert_eq!(cols.len(), self.names.len());
        let total = days + self.params.spinup_days;
        let mut model = BorderModel::new(&self.params, total, seed, replication);
        let mut full = DailySeries::new(total as usize, self.names.len());
        let stats = simulate_or_stop(&mut model, total, &mut full, check, stop)?;
        // Drop the spin-up days.
        let mut daily = DailySeries::new(days as usize, self.names.len());
        for d in 0..days as usize {
            daily.row_mut(d).copy_from_slice(full.row(d + spin));
        }
        let mut kpis = Vec::new();
        let usbp = self.column("usbp_apprehensions");
        for (_, a, b) in self.calendar.months() {
            let (a, b) = (a as usize, b as usize);
            for metric in MONTHLY {
                kpis.push(daily.sum(self.column(metric), a, b));
            }
            kpis.push((a..b).map(|d| daily.get(d, usbp)).fold(0.0, f64::max));
        }
        if let Some((a, b)) = self.jan_nov_2023() {
            kpis.push(daily.sum(self.column("mx_detections"), a, b));
        }
        let last = days as usize - 1;
        for o in super::model::outcome::NAMES {
            kpis.push(daily.get(last, self.column(&format!("outcome:{o}"))));
        }
        kpis.push(daily.get(last, self.column("in_system")));
        Some(Replication {
            daily,
            kpis,
            events: stats.events,
            violations: stats.violations,
        })
    }
}
