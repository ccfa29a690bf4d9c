//! Calendar dates at the edges of the simulation: the clock is seconds since
//! the scenario's start, and dates appear only in scenario files and outputs.

use chrono::{Datelike, NaiveDate};

use crate::engine::{DAY, SimTime};

/// The simulated period: a first day and a number of whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// First simulated day (time 0 is its 00:00).
    pub start: NaiveDate,
    /// Number of simulated days [d], the end date included.
    pub days: u32,
}

impl Calendar {
    /// The period from `start` to `end`, both included.
    pub fn from_dates(start: NaiveDate, end: NaiveDate) -> Self {
        let days = (end - start).num_days() + 1;
        Self {
            start,
            days: days.max(0) as u32,
        }
    }

    /// The date of day index `day` (0 = start).
    pub fn date(&self, day: u32) -> NaiveDate {
        self.start + chrono::Days::new(u64::from(day))
    }

    /// The day index of `date` (negative before the start).
    pub fn day_index(&self, date: NaiveDate) -> i64 {
        (date - self.start).num_days()
    }

    /// Simulation time [s] of 00:00 on `date` (negative before the start).
    pub fn time_of(&self, date: NaiveDate) -> SimTime {
        self.day_index(date) * DAY
    }

    /// The last simulated date.
    pub fn end(&self) -> NaiveDate {
        self.date(self.days.saturating_sub(1))
    }

    /// Days `(first, last+1)` of each calendar month touched by the period,
    /// with the month's first date, for monthly totals.
    pub fn months(&self) -> Vec<(NaiveDate, u32, u32)> {
        let mut out: Vec<(NaiveDate, u32, u32)> = Vec::new();
        for d in 0..self.days {
            let date = self.date(d);
            let first = NaiveDate::from_ymd_opt(date.year(), date.month(), 1).expect("valid month");
            match out.last_mut() {
                Some((m, _, end)) if *m == first => *end = d + 1,
                _ => out.push((first, d, d + 1)),
            }
        }
        out
    }
}

/// Parses an ISO date "YYYY-MM-DD".
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}
