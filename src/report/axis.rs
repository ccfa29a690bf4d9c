//! The calendar x axis: simulated days as a continuous coordinate (day `d`
//! spans `[d, d+1)`) with ticks spaced by the span shown (weekly or
//! fortnightly labelled "20 Dec" for a zoomed window, the first of each
//! month labelled "Dec 2023" for longer spans), so every time chart reads in
//! calendar dates.

use std::ops::Range;

use chrono::{Datelike, Months, NaiveDate};
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};

/// Days of a run as an x axis [d since the first simulated day].
#[derive(Debug, Clone, Copy)]
pub struct DayAxis {
    /// First simulated day.
    pub start: NaiveDate,
    /// Number of simulated days.
    pub days: u32,
}

impl DayAxis {
    /// The axis of `days` days from `start`.
    pub fn new(start: NaiveDate, days: u32) -> Self {
        Self {
            start,
            days: days.max(1),
        }
    }

    /// Position of `date` on the axis [d]: its first instant.
    pub fn x_of(&self, date: NaiveDate) -> f64 {
        (date - self.start).num_days() as f64
    }

    /// Date at position `x` (rounded down to a day).
    pub fn date_at(&self, x: f64) -> Option<NaiveDate> {
        self.start
            .checked_add_signed(chrono::Duration::days(x.floor() as i64))
    }

    /// Tick spacing by the span shown: every 7 days up to [`WEEKLY_MAX`]
    /// days (a zoomed window of a few weeks), every 14 days up to
    /// [`FORTNIGHTLY_MAX`], the first of each month beyond. The one place
    /// every time chart gets its ticks from.
    pub fn spacing(&self) -> Spacing {
        if self.days <= WEEKLY_MAX {
            Spacing::Days(7)
        } else if self.days <= FORTNIGHTLY_MAX {
            Spacing::Days(14)
        } else {
            Spacing::Months
        }
    }

    /// Ticks by [`Self::spacing`]: days from the first shown one, or the
    /// first day of months inside the span; at most `max` (every k-th tick
    /// when there would be more).
    fn ticks(&self, max: usize) -> Vec<f64> {
        let all = match self.spacing() {
            Spacing::Days(step) => (0..=self.days)
                .step_by(step as usize)
                .map(f64::from)
                .collect(),
            Spacing::Months => self.month_starts(),
        };
        let step = all.len().div_ceil(max.max(1));
        all.into_iter().step_by(step.max(1)).collect()
    }

    /// Positions of the first day of each month inside the span.
    fn month_starts(&self) -> Vec<f64> {
        // Saturating: a run's dates come from validated scenarios (years 1 to
        // 9999), but the axis is also drawn from saved files.
        let end = self
            .start
            .checked_add_days(chrono::Days::new(u64::from(self.days)))
            .unwrap_or(NaiveDate::MAX);
        let mut months = Vec::new();
        let mut m = self.start.with_day(1).unwrap_or(self.start);
        while m <= end {
            if m >= self.start {
                months.push(self.x_of(m));
            }
            match m.checked_add_months(Months::new(1)) {
                Some(n) => m = n,
                None => break,
            }
        }
        months
    }

    /// Tick label: "Mar 2023" on month ticks, "14 Mar" on day ticks.
    pub fn label(&self, x: f64) -> String {
        match (self.date_at(x), self.spacing()) {
            (Some(d), Spacing::Months) if d.day() == 1 => d.format("%b %Y").to_string(),
            (Some(d), _) => d.format("%-d %b").to_string(),
            (None, _) => String::new(),
        }
    }
}

/// Longest span with a tick every week [d]: five or six ticks.
pub const WEEKLY_MAX: u32 = 45;
/// Longest span with a tick every two weeks [d]: up to nine ticks; longer
/// spans have a tick a month.
pub const FORTNIGHTLY_MAX: u32 = 120;

/// How far apart the ticks of a time axis are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// Every so many days from the first shown day [d].
    Days(u32),
    /// On the first of each month.
    Months,
}

impl Ranged for DayAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let frac = value / f64::from(self.days);
        limit.0 + (frac * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        self.ticks(hint.max_num_points().min(14))
    }

    fn range(&self) -> Range<f64> {
        0.0..f64::from(self.days)
    }
}

/// Default tick labels are calendar labels, so a chart needs no formatter.
impl ValueFormatter<f64> for DayAxis {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ticks_are_on_the_first() {
        let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
        let ax = DayAxis::new(start, 396);
        let t = ax.ticks(20);
        assert_eq!(t.len(), 14, "Jan 2023 … Feb 2024");
        assert_eq!(ax.label(t[1]), "Feb 2023");
        assert_eq!(
            ax.ticks(7).len(),
            7,
            "every second month when space is short"
        );
    }

    /// A month near chrono's last date (a hand-edited results folder; a
    /// scenario cannot say it) draws ticks instead of panicking.
    #[test]
    fn ticks_at_the_last_date_do_not_panic() {
        let start = NaiveDate::MAX.with_day(1).unwrap_or_default();
        let ax = DayAxis::new(start, 31);
        assert!(!ax.ticks(20).is_empty());
        assert_eq!(ax.label(40.0), "");
    }

    /// A compare window of 15 Dec – 15 Jan (32 days) gets weekly ticks
    /// labelled by day, not the one month label it had.
    #[test]
    fn a_zoomed_month_gets_weekly_day_labels() {
        let start = NaiveDate::from_ymd_opt(2023, 12, 15).unwrap_or_default();
        let ax = DayAxis::new(start, 32);
        assert_eq!(ax.spacing(), Spacing::Days(7));
        let labels: Vec<String> = ax.ticks(14).iter().map(|&x| ax.label(x)).collect();
        assert_eq!(labels, ["15 Dec", "22 Dec", "29 Dec", "5 Jan", "12 Jan"]);
        // 1 Dec – 15 Jan (46 days) has two month starts, but a fortnightly
        // tick says more than two month labels.
        let ax = DayAxis::new(start - chrono::Days::new(14), 46);
        assert_eq!(ax.spacing(), Spacing::Days(14));
        assert_eq!(ax.label(14.0), "15 Dec");
        assert_eq!(ax.ticks(14).len(), 4, "days 0, 14, 28 and 42");
        let ax = DayAxis::new(start, 121);
        assert_eq!(ax.spacing(), Spacing::Months);
        assert_eq!(ax.label(ax.ticks(14)[0]), "Jan 2024");
    }

    #[test]
    fn short_runs_get_weekly_ticks() {
        let start = NaiveDate::from_ymd_opt(2024, 1, 10).unwrap_or_default();
        let ax = DayAxis::new(start, 30);
        assert_eq!(ax.ticks(20), vec![0.0, 7.0, 14.0, 21.0, 28.0]);
        assert_eq!(ax.label(7.0), "17 Jan");
    }
}
