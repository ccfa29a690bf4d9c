//! The report's "How well does this fit?" section: the run's scorecard
//! (`score.csv`) as a table of series, with what its intervals contain and
//! what a holdout series is, in plain words.

use std::fmt::Write as _;

use super::data::RunData;
use super::html::esc;
use crate::results::score::{ScoreRow, percent};

/// A signed relative error as a percentage (`+4.2%`), or a dash.
pub fn signed_percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:+.1}%", 100.0 * x)
    } else {
        "–".into()
    }
}

/// The section, or nothing when the run scored no series.
pub fn section(run: &RunData) -> String {
    if run.scores.is_empty() {
        return String::new();
    }
    let mut h = String::from(
        "<h2>How well does this fit?</h2>\n<p>Each observed series against the simulated \
         months it covers in full: the mean absolute error of the simulated mean, the share of \
         months whose observed value lies inside the simulated 90% interval, and the CRPS \
         (how far the whole simulated spread is from the observed value), both errors relative \
         to the observed value. Lower errors and a coverage near 90% are better.</p>\n",
    );
    h.push_str(&table(&run.scores));
    let label = run.summary.uncertainty();
    let why = if run.summary.posterior.is_none() {
        " — replications differ only in their random numbers; the uncertainty of the \
         parameters themselves is not in it, so the interval is narrower than what is really \
         known"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<p class=\"note\">What the interval contains: <strong>{}</strong>{why}. A \
         <em>holdout</em> series never entered calibration: its score is an out-of-sample check; \
         a <em>fit</em> series may have been fitted to.</p>",
        esc(&label)
    );
    h
}

/// One row per series: name, role, months, the three scores.
fn table(rows: &[ScoreRow]) -> String {
    let mut h = String::from(
        "<table id=\"scorecard\"><thead><tr><th>series</th><th>role</th><th>months</th>\
         <th>mean abs error</th><th>90% coverage</th><th>CRPS</th></tr></thead><tbody>\n",
    );
    for r in rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&r.series()),
            esc(&r.role),
            r.months,
            percent(r.mean_abs_rel_error),
            percent(r.coverage90),
            percent(r.crps_rel)
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_show_percentages_and_dashes() {
        let row = ScoreRow {
            metric: "usbp_apprehensions".into(),
            place: "Tucson".into(),
            origin: String::new(),
            role: "holdout".into(),
            kind: "monthly".into(),
            months: 3,
            mean_abs_rel_error: 0.0424,
            coverage90: 2.0 / 3.0,
            crps_rel: f64::NAN,
            tv_distance: f64::NAN,
        };
        let t = table(&[row]);
        assert!(
            t.contains(
                "<td>usbp_apprehensions at Tucson</td><td>holdout</td><td class=\"n\">3</td>\
                 <td class=\"n\">4.2%</td><td class=\"n\">66.7%</td><td class=\"n\">–</td>"
            ),
            "{t}"
        );
        assert_eq!(signed_percent(-0.0123), "-1.2%");
        assert_eq!(signed_percent(0.5), "+50.0%");
    }
}
