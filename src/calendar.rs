//! Calendar dates at the edges of the simulation: the clock is seconds since
//! the scenario's start, and dates appear only in scenario files and outputs.
//!
//! Every date borderflow reads (a scenario's `start` and `end`, observed
//! months, intervention dates, a shard's description) goes through
//! [`check_date`], which accepts only years 1 to 9999. Why a range: chrono
//! parses years up to ±262,143, and date arithmetic near those ends
//! overflows; with four-digit years, a start plus a 100-year horizon and a
//! 10-year spin-up stays far inside what chrono can hold. Arithmetic on dates
//! is checked all the same, so a date that came from elsewhere cannot panic.

use std::ops::RangeInclusive;

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

    /// The date of day index `day` (0 = start). Saturates at chrono's last
    /// date rather than overflow; a calendar of validated dates (years 1 to
    /// 9999, at most 100 years long) never comes near it.
    pub fn date(&self, day: u32) -> NaiveDate {
        self.start
            .checked_add_days(chrono::Days::new(u64::from(day)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The day index of `date` (negative before the start).
    pub fn day_index(&self, date: NaiveDate) -> i64 {
        (date - self.start).num_days()
    }

    /// Simulation time [s] of 00:00 on `date` (negative before the start).
    pub fn time_of(&self, date: NaiveDate) -> SimTime {
        self.day_index(date).saturating_mul(DAY)
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
            let first = date.with_day(1).unwrap_or(date);
            match out.last_mut() {
                Some((m, _, end)) if *m == first => *end = d + 1,
                _ => out.push((first, d, d + 1)),
            }
        }
        out
    }

    /// Days `(first, last+1)` of `month` (its first date) when the period
    /// covers the whole month; `None` for a month cut by the start or the
    /// end, or outside the period (a part is not comparable with a
    /// monthly total).
    pub fn whole_month(&self, month: NaiveDate) -> Option<(u32, u32)> {
        let first = u32::try_from(self.day_index(month)).ok()?;
        let next = month.checked_add_months(chrono::Months::new(1))?;
        let last = u32::try_from(self.day_index(next)).ok()?;
        (month.day() == 1 && last <= self.days).then_some((first, last))
    }
}

/// Years accepted in a date.
pub const YEARS: RangeInclusive<i32> = 1..=9999;

/// Parses an ISO date "YYYY-MM-DD" in [`YEARS`]; the error is a message
/// that quotes `s` (cleaned and cut) and says what would be valid.
pub fn check_date(s: &str) -> Result<NaiveDate, String> {
    let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") else {
        return Err(format!(
            "\"{}\" is not a date; write it as \"YYYY-MM-DD\", e.g. \"2023-12-24\"",
            crate::input::shown(s)
        ));
    };
    if !YEARS.contains(&date.year()) {
        return Err(format!(
            "\"{}\" is outside the years {} to {} that borderflow accepts",
            crate::input::shown(s),
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(date)
}

/// Parses a month "YYYY-MM" in [`YEARS`] into its first day; the error is a
/// message like [`check_date`]'s.
pub fn check_month(s: &str) -> Result<NaiveDate, String> {
    check_date(&format!("{s}-01")).map_err(|_| {
        format!(
            "\"{}\" is not a month; write it as \"YYYY-MM\" with a year from {} to {}",
            crate::input::shown(s),
            YEARS.start(),
            YEARS.end()
        )
    })
}

/// [`check_date`] without the message.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    check_date(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_outside_years_1_to_9999_are_refused() {
        for s in [
            "-262143-01-05",
            "+262142-12-30",
            "+262142-12-01",
            "0000-12-31",
            "+10000-01-01",
        ] {
            let e = check_date(s).unwrap_err();
            assert!(e.contains("outside the years 1 to 9999"), "{s}: {e}");
            assert_eq!(parse_date(s), None, "{s}");
        }
        for s in ["0001-01-01", "9999-12-31", "2023-12-24"] {
            assert!(parse_date(s).is_some(), "{s}");
        }
        assert_eq!(parse_date("10000-01-01"), None, "five digits need a sign");
        assert!(check_month("+262142-12").is_err());
        assert_eq!(
            check_month("2023-12"),
            Ok(NaiveDate::from_ymd_opt(2023, 12, 1).unwrap())
        );
        let e = check_date("01/31/2024").unwrap_err();
        assert!(
            e.contains("is not a date; write it as \"YYYY-MM-DD\""),
            "{e}"
        );
    }

    /// Dates at chrono's ends, which validation never lets in, still do not
    /// panic: day arithmetic saturates.
    #[test]
    fn calendar_arithmetic_at_the_ends_does_not_panic() {
        let cal = Calendar {
            start: NaiveDate::MAX,
            days: 31,
        };
        assert_eq!(cal.date(30), NaiveDate::MAX);
        assert_eq!(cal.end(), NaiveDate::MAX);
        assert!(!cal.months().is_empty());
        let cal = Calendar::from_dates(NaiveDate::MIN, NaiveDate::MAX);
        assert!(cal.time_of(NaiveDate::MAX) > 0);
    }
}
