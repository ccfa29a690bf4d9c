//! Which KPIs of a comparison changed, and one plain-language headline per
//! what-if built from them: what the terminal and `report.html` lead with.
//!
//! A KPI *changed* when the 95% interval of its paired difference excludes
//! zero, or when the mean difference is at least [`MATERIAL_CHANGE`] of the
//! baseline's mean (a change an analyst would report even where a few
//! replications leave the interval wide). KPIs identical in every paired
//! replication — months before the policy starts, under common random
//! numbers — never change.

use chrono::NaiveDate;

use super::KpiDifference;
use crate::metrics::Unit;

/// Smallest change reported as one when its interval still contains zero
/// [fraction of the baseline mean]: 1%.
pub const MATERIAL_CHANGE: f64 = 0.01;

/// KPIs named in a headline: this many local ones (at a port, sector, …)
/// and [`HEADLINE_NATIONAL`] national ones, largest first.
const HEADLINE_LOCAL: usize = 3;
/// National KPIs named in a headline.
const HEADLINE_NATIONAL: usize = 2;

/// How the terminal and the report say what a changed KPI is.
pub const CHANGED_RULE: &str =
    "its 95% interval excludes zero, or it moved by at least 1% of the baseline";

impl KpiDifference {
    /// Whether the 95% interval of the difference excludes zero.
    pub fn significant(&self) -> bool {
        let d = &self.difference;
        d.ci95_low.is_finite() && d.ci95_high.is_finite() && (d.ci95_low > 0.0 || d.ci95_high < 0.0)
    }

    /// The mean difference as a fraction of the baseline's mean [fraction];
    /// none where the baseline is zero or undefined.
    pub fn relative(&self) -> Option<f64> {
        let b = self.base.mean;
        (b.is_finite() && b != 0.0 && self.difference.mean.is_finite())
            .then(|| self.difference.mean / b.abs())
    }

    /// Whether the KPI changed (see the module's rule).
    pub fn changed(&self) -> bool {
        let m = self.difference.mean;
        if !m.is_finite() || (m == 0.0 && !self.significant()) {
            return false;
        }
        // A baseline of zero makes any change infinitely large.
        self.significant() || self.relative().is_none_or(|r| r.abs() >= MATERIAL_CHANGE)
    }

    /// The label to show: the declared one, else the KPI's name.
    pub fn shown_label(&self) -> &str {
        if self.label.is_empty() {
            &self.kpi
        } else {
            &self.label
        }
    }

    /// Decimals for this KPI's values: none for people, slots and
    /// customers (whole in each replication), else enough for three
    /// significant digits of `scale`.
    pub fn decimals(&self, scale: f64) -> usize {
        if self.unit.is_some_and(Unit::whole) {
            return 0;
        }
        let a = scale.abs();
        if !a.is_finite() || a == 0.0 || a >= 100.0 {
            0
        } else {
            (2.0 - a.log10().floor()).clamp(0.0, 6.0) as usize
        }
    }

    /// The difference with its interval, signed: "−2,087 [−2,310, −1,864]".
    pub fn difference_text(&self) -> String {
        let d = &self.difference;
        let k = self.decimals(d.mean);
        let ci = if d.ci95_low.is_finite() && d.ci95_high.is_finite() {
            format!(" [{}, {}]", signed(d.ci95_low, k), signed(d.ci95_high, k))
        } else {
            String::new()
        };
        format!("{}{ci}", signed(d.mean, k))
    }

    /// The relative change with one decimal, signed ("+0.4%"); empty where
    /// the baseline is zero.
    pub fn relative_text(&self) -> String {
        self.relative()
            .map(|r| format!("{}%", signed(r * 100.0, 1)))
            .unwrap_or_default()
    }

    /// Unit as written after a number, none for shares and flags (whose
    /// label says "share" already in the table's column).
    fn unit_word(&self) -> Option<&'static str> {
        match self.unit? {
            Unit::Share | Unit::Flag => None,
            u => Some(u.label()),
        }
    }
}

/// The rows of `rows` that changed, in their order.
pub fn changed<'a>(rows: impl IntoIterator<Item = &'a KpiDifference>) -> Vec<&'a KpiDifference> {
    rows.into_iter().filter(|d| d.changed()).collect()
}

/// The KPIs a headline names, largest first: up to three local ones (at a
/// port, sector, …) then two national ones, among those with significant
/// changes (or, when none is significant, among those that changed: the
/// flag says so), within the window's KPIs when `window` is set.
pub fn leading<'a>(rows: &[&'a KpiDifference], window: bool) -> (Vec<&'a KpiDifference>, bool) {
    let pool: Vec<&KpiDifference> = rows
        .iter()
        .copied()
        .filter(|d| !window || d.in_window)
        .filter(|d| d.changed())
        .collect();
    let significant: Vec<&KpiDifference> =
        pool.iter().copied().filter(|d| d.significant()).collect();
    let (chosen, none_significant) = if significant.is_empty() {
        (pool, true)
    } else {
        (significant, false)
    };
    let mut out = largest(chosen.iter().copied().filter(|d| d.place.is_some()));
    out.truncate(HEADLINE_LOCAL);
    let national = largest(
        chosen
            .iter()
            .copied()
            .filter(|d| d.place.is_none() && d.origin.is_none()),
    );
    out.extend(national.into_iter().take(HEADLINE_NATIONAL));
    if out.is_empty() {
        // Only per-origin KPIs changed.
        out = largest(chosen.iter().copied());
        out.truncate(HEADLINE_LOCAL);
    }
    (out, none_significant && !chosen.is_empty())
}

/// One paragraph that says what a what-if did: `title` (its description or
/// name), the window when the comparison has one, then the [`leading`]
/// KPIs, each with its interval and, against a non-zero baseline, its
/// relative change, and what the intervals contain (`uncertainty`).
pub fn headline(
    title: &str,
    window: Option<(NaiveDate, NaiveDate)>,
    rows: &[&KpiDifference],
    uncertainty: &str,
) -> String {
    let when = window
        .map(|(a, b)| format!(" (window {} – {})", day(a), day(b)))
        .unwrap_or_default();
    let (lead, none_significant) = leading(rows, window.is_some());
    if lead.is_empty() {
        return format!(
            "{title}{when}: no KPI changed (no 95% interval excludes zero and no change \
             reaches 1% of the baseline)."
        );
    }
    let items: Vec<String> = lead.iter().map(|d| item(d, window.is_some())).collect();
    let caveat = if none_significant {
        "; no 95% interval excludes zero"
    } else {
        ""
    };
    format!(
        "{title}{when}: {}. 95% intervals: {uncertainty}{caveat}.",
        items.join("; ")
    )
}

/// `rows` largest first: people, slots and customers by the size of the
/// change, then the rest by the size of the relative change.
fn largest<'a>(rows: impl Iterator<Item = &'a KpiDifference>) -> Vec<&'a KpiDifference> {
    let mut v: Vec<&KpiDifference> = rows.collect();
    let key = |d: &KpiDifference| {
        let whole = d.unit.is_some_and(Unit::whole);
        let size = if whole {
            d.difference.mean.abs()
        } else {
            d.relative().map_or(0.0, f64::abs)
        };
        (whole, size)
    };
    v.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        kb.0.cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    });
    v
}

/// One KPI of a headline: "OFO encounters at Eagle Pass −2,087 persons
/// [−2,310, −1,864] (−95.1%)"; a window KPI without the window's dates,
/// which the headline states once.
fn item(d: &KpiDifference, window: bool) -> String {
    let label = d.shown_label();
    let label = if window && d.in_window {
        label.rsplit_once(", ").map_or(label, |(l, _)| l)
    } else {
        label
    };
    let unit = d.unit_word().map(|u| format!(" {u}")).unwrap_or_default();
    let (number, ci) = match d.difference_text().split_once(' ') {
        Some((n, ci)) => (n.to_string(), format!(" {ci}")),
        None => (d.difference_text(), String::new()),
    };
    let rel = d.relative_text();
    let rel = if rel.is_empty() {
        rel
    } else {
        format!(" ({rel})")
    };
    format!("{label} {number}{unit}{ci}{rel}")
}

/// A date as people write it: "20 Dec 2023".
pub fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// `v` with `decimals` decimals, thousands separated by commas and always
/// signed, with a true minus sign: "+2,100", "−0.25", "0".
pub fn signed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if !frac.is_empty() {
        grouped.push('.');
        grouped.push_str(frac);
    }
    if grouped.chars().all(|c| c == '0' || c == '.' || c == ',') {
        return grouped;
    }
    let sign = if v < 0.0 { '−' } else { '+' };
    format!("{sign}{grouped}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Summary;

    fn row(kpi: &str, place: Option<&str>, base: f64, diff: (f64, f64, f64)) -> KpiDifference {
        let s = Summary {
            n: 2,
            mean: base,
            ci95_low: base,
            ci95_high: base,
            sd: 0.0,
            p05: base,
            p25: base,
            p50: base,
            p75: base,
            p95: base,
        };
        let mut d = KpiDifference::new("w".into(), kpi.into(), s);
        d.label = format!("{kpi} label, 2023-12-20 to 2024-01-02");
        d.unit = Some(Unit::Persons);
        d.place = place.map(str::to_string);
        d.in_window = true;
        d.difference.mean = diff.0;
        d.difference.ci95_low = diff.1;
        d.difference.ci95_high = diff.2;
        d
    }

    #[test]
    fn numbers_are_signed_grouped_and_whole_for_people() {
        assert_eq!(signed(-2100.4, 0), "−2,100");
        assert_eq!(signed(500.0, 0), "+500");
        assert_eq!(signed(0.0, 2), "0.00");
        assert_eq!(signed(-0.001, 1), "0.0");
        assert_eq!(signed(1234567.25, 1), "+1,234,567.2");
        let d = row("x", None, 1000.0, (-2087.4, -2310.0, -1864.2));
        assert_eq!(d.difference_text(), "−2,087 [−2,310, −1,864]");
        assert_eq!(d.relative_text(), "−208.7%");
    }

    /// Zero in every replication: not a change; an interval excluding zero
    /// is one however small; a 1% move with a wide interval is one; 0.5%
    /// with an interval containing zero is not.
    #[test]
    fn what_counts_as_changed() {
        assert!(!row("a", None, 100.0, (0.0, 0.0, 0.0)).changed());
        assert!(row("b", None, 1e6, (1.0, 0.5, 1.5)).changed());
        assert!(row("c", None, 100.0, (1.0, -5.0, 7.0)).changed());
        assert!(!row("d", None, 1000.0, (5.0, -5.0, 15.0)).changed());
        assert!(row("e", None, 0.0, (3.0, -1.0, 7.0)).changed());
    }

    #[test]
    fn the_headline_names_the_largest_significant_changes() {
        let rows = [
            row(
                "ofo",
                Some("Eagle Pass"),
                2200.0,
                (-2100.0, -2300.0, -1900.0),
            ),
            row("usbp_dr", Some("Del Rio"), 9000.0, (500.0, 350.0, 650.0)),
            row("noise", Some("Yuma"), 9000.0, (900.0, -2000.0, 2900.0)),
            row("usbp", None, 125_000.0, (500.0, 100.0, 900.0)),
            row("zero", None, 5.0, (0.0, 0.0, 0.0)),
        ];
        let refs: Vec<&KpiDifference> = rows.iter().collect();
        let a = NaiveDate::from_ymd_opt(2023, 12, 20);
        let b = NaiveDate::from_ymd_opt(2024, 1, 2);
        let h = headline(
            "Eagle Pass closed",
            a.zip(b),
            &refs,
            "Monte Carlo only, parameters fixed",
        );
        assert_eq!(
            h,
            "Eagle Pass closed (window 20 Dec 2023 – 2 Jan 2024): \
             ofo label −2,100 persons [−2,300, −1,900] (−95.5%); \
             usbp_dr label +500 persons [+350, +650] (+5.6%); \
             usbp label +500 persons [+100, +900] (+0.4%). \
             95% intervals: Monte Carlo only, parameters fixed."
        );
        let h = headline("Nothing", None, &[&rows[4]], "x");
        assert!(h.starts_with("Nothing: no KPI changed"), "{h}");
    }
}
