//! `report.html` of a calibration: a table of contents, a summary written
//! from the numbers (what was fitted, at what cost, why it stopped, how the
//! realised error compares with the stated discrepancy, what the intervals
//! contain), the parameter table, the scores per target and role with the
//! holdout stated for what it is, and the charts. Self-contained like the
//! run report, with its stylesheet and escaping.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::data::Calibration;
use crate::error::Result;
use crate::output::write_atomic;
use crate::report::fan::series_name;
use crate::report::figure::Chart;
use crate::report::html::{CSS, esc, inline_svg};
use crate::report::style::fmt_num;
use crate::results::calibration::ParameterSummary;
use crate::results::score::{ScoreRow, has_holdout};
use crate::scenario::Role;

/// What the holdout note says; the test of the page looks for it.
pub const HOLDOUT_NOTE: &str = "Holdout months never entered the objective";

/// The charts of the page by section, each with its caption.
pub struct Sections<'a> {
    /// One fit chart per target series.
    pub fit: &'a [Chart],
    /// The marginals grid, if there are parameters.
    pub marginals: Option<&'a Chart>,
    /// The scatter matrix, if there are two parameters or more.
    pub pairs: Option<&'a Chart>,
    /// How many parameters the scatter matrix shows.
    pub pairs_shown: usize,
    /// The convergence trace, if there are generations.
    pub convergence: Option<&'a Chart>,
}

/// A duration for a reader [s]: "42 s", "3 min 12 s", "2 h 05 min".
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "an unrecorded time".into();
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{} s", fmt_num(seconds, if seconds < 10.0 { 1 } else { 0 })),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

/// A parameter value for a table: digits enough for its size, none for an
/// integer parameter.
pub fn value(v: f64, integer: bool) -> String {
    let a = v.abs();
    let decimals = if integer || a >= 1000.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    fmt_num(v, decimals)
}

/// A share as a percentage for a table [0–1 → %].
fn percent(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{}%", fmt_num(v * 100.0, decimals))
    } else {
        "–".into()
    }
}

/// A target's name for a table: the metric's human name (or its name), its
/// place and origin.
pub fn target_name(metric: &str, place: &str, origin: &str) -> String {
    let mut t = series_name(metric).map_or_else(|| metric.to_string(), |n| n.subject.to_string());
    for dim in [place, origin] {
        if !dim.is_empty() {
            t.push_str(", ");
            t.push_str(dim);
        }
    }
    t
}

/// The summary paragraph, from the numbers.
fn summary_paragraph(cal: &Calibration) -> String {
    let s = &cal.summary;
    let series = cal.series();
    let months = |holdout: bool| {
        cal.fit
            .iter()
            .filter(|r| (r.role == Role::Holdout.name()) == holdout)
            .count()
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut h = format!(
        "<p id=\"summary-text\">“{}” calibrated {} of the base scenario “{}” against {} \
         ({} fitted, {} held out) with {}. It took {} model runs in {} on {}. It stopped: {}.</p>\n",
        esc(&s.name),
        plural(s.parameters.len(), "parameter", "parameters"),
        esc(&s.base_scenario),
        plural(series.len(), "observed series", "observed series"),
        plural(months(false), "month", "months"),
        plural(months(true), "month", "months"),
        esc(&s.method),
        fmt_num(s.simulations as f64, 0),
        duration(s.seconds),
        plural(s.threads, "worker thread", "worker threads"),
        esc(s.stopped.trim_end_matches('.')),
    );
    let verdict = if !(s.realised_error.is_finite() && s.discrepancy.is_finite()) {
        "one of the two is missing, so the fit cannot be judged against it"
    } else if s.realised_error <= s.discrepancy {
        "the calibrated model reproduces the fitted months within the discrepancy it was allowed"
    } else {
        "the calibrated model misses the fitted months by more than the discrepancy it was \
         allowed, so the stated discrepancy understates its error and the intervals are too narrow"
    };
    let _ = writeln!(
        h,
        "<p>Over the fitted months the posterior predictive mean is off by {} (root mean square \
         of the log error, weighted as in the objective), against a stated model discrepancy of \
         {}: {verdict}.</p>",
        percent(s.realised_error, 1),
        percent(s.discrepancy, 1),
    );
    let _ = writeln!(
        h,
        "<p><strong>What the intervals contain:</strong> {}</p>",
        esc(&s.uncertainty)
    );
    h
}

/// The parameter table.
fn parameter_table(params: &[ParameterSummary]) -> String {
    let mut h = String::from(
        "<table id=\"parameter-table\"><thead><tr><th>parameter</th><th>prior</th><th>range</th>\
         <th>base value</th><th>estimate</th><th>90% posterior interval</th></tr></thead><tbody>\n",
    );
    for (i, p) in params.iter().enumerate() {
        let base = p
            .base_value
            .map_or_else(|| "–".to_string(), |v| value(v, p.integer));
        let integer = if p.integer { " (integer)" } else { "" };
        let _ = writeln!(
            h,
            "<tr id=\"parameter-{i}\"><td>{}<br><code>{}</code></td><td>{}{integer}</td>\
             <td class=\"n\">{} – {}</td><td class=\"n\">{base}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{} – {}</td></tr>",
            esc(&p.label),
            esc(&p.path),
            esc(&p.prior),
            value(p.min, p.integer),
            value(p.max, p.integer),
            value(p.estimate, p.integer),
            value(p.p05, p.integer),
            value(p.p95, p.integer),
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// The score table, one row per target and role, fit rows before holdout
/// rows of the same target.
fn score_table(rows: &[ScoreRow]) -> String {
    let mut h = String::from(
        "<table id=\"score-table\"><thead><tr><th>target</th><th>role</th><th>kind</th>\
         <th>months</th><th>error</th><th>coverage of the 90% interval</th><th>CRPS</th>\
         <th>TV distance</th></tr></thead><tbody>\n",
    );
    for r in rows {
        let holdout = r.role == Role::Holdout.name();
        let _ = writeln!(
            h,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            if holdout { " class=\"holdout\"" } else { "" },
            esc(&target_name(&r.metric, &r.place, &r.origin)),
            if holdout {
                "holdout (never fitted)".to_string()
            } else {
                esc(&r.role)
            },
            esc(&r.kind),
            r.months,
            percent(r.mean_abs_rel_error, 1),
            percent(r.coverage90, 0),
            percent(r.crps_rel, 1),
            if r.tv_distance.is_finite() {
                fmt_num(r.tv_distance, 3)
            } else {
                "–".into()
            },
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// The convergence table, generation by generation.
fn generations_table(cal: &Calibration) -> String {
    let mut h = String::from(
        "<table id=\"generation-table\"><thead><tr><th>generation</th><th>tolerance</th>\
         <th>acceptance</th><th>effective sample size</th><th>model runs</th><th>time</th></tr>\
         </thead><tbody>\n",
    );
    for g in &cal.summary.generations {
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            g.generation,
            fmt_num(g.tolerance, 3),
            percent(g.acceptance, 1),
            fmt_num(g.ess, 0),
            fmt_num(g.simulations as f64, 0),
            duration(g.seconds),
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// A chart as a figure with its caption and file.
fn figure(c: &Chart, caption: &str) -> String {
    let file = c
        .png
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "<figure>{}<figcaption><strong>{}.</strong> {} · <code>{}</code></figcaption></figure>\n",
        inline_svg(&c.svg_text),
        esc(&c.title),
        esc(caption),
        esc(&file)
    )
}

/// The page's sections in order: (id, heading, body).
fn sections(cal: &Calibration, charts: &Sections) -> Vec<(&'static str, &'static str, String)> {
    let s = &cal.summary;
    let mut out = vec![("summary", "Summary", summary_paragraph(cal))];
    out.push((
        "parameters",
        "Parameters",
        format!(
            "<p>Each parameter's prior, the value in the base scenario, the estimate written to \
             <code>calibrated.ron</code> (the weighted posterior median) and the central 90% of \
             the posterior ({} draws, effective sample size {}).</p>\n{}",
            fmt_num(s.draws as f64, 0),
            fmt_num(s.ess, 0),
            parameter_table(&s.parameters)
        ),
    ));
    let note = if has_holdout(&cal.scores) {
        format!(
            "<p class=\"note\" id=\"holdout-note\"><strong>{HOLDOUT_NOTE}:</strong> the sampler \
             never saw them, so their rows are an out-of-sample check of the calibrated model; \
             the fit rows are in-sample and flatter it.</p>\n"
        )
    } else {
        "<p class=\"note\" id=\"holdout-note\">No month was held out: every score here is \
         in-sample (the sampler was fitted to these very months) and flatters the model.</p>\n"
            .to_string()
    };
    out.push((
        "scores",
        "Scores",
        format!(
            "<p>Per target and role: the mean absolute error of the posterior predictive mean \
             relative to the observed month, the share of months whose observed value lies in \
             the 90% interval (about 90% when the intervals are honest), the CRPS relative to the \
             observed month, and for shares the total-variation distance.</p>\n{note}{}",
            score_table(&cal.scores)
        ),
    ));
    let mut fit = String::new();
    for c in charts.fit {
        fit.push_str(&figure(
            c,
            "Observed monthly totals (points) against the posterior predictive mean (line) and \
             its 5–95% range (band); shaded months are held out: scored, never fitted",
        ));
    }
    if !fit.is_empty() {
        out.push(("fit", "Fit against observed", fit));
    }
    if let Some(c) = charts.marginals {
        out.push((
            "marginals",
            "Posterior marginals",
            figure(
                c,
                "Weighted histogram of the posterior draws of each parameter over its prior \
                 range, with the flat prior's level where it is flat, the 90% posterior \
                 interval, the estimate and the base scenario's value",
            ),
        ));
    }
    if let Some(c) = charts.pairs {
        let shown = if charts.pairs_shown < s.parameters.len() {
            format!(
                "; the first {} of {} parameters",
                charts.pairs_shown,
                s.parameters.len()
            )
        } else {
            String::new()
        };
        out.push((
            "pairs",
            "Pairs",
            figure(
                c,
                &format!(
                    "Posterior draws of each pair of parameters over their prior ranges (darker: \
                     more weight), with their weighted correlation above the diagonal{shown}"
                ),
            ),
        ));
    }
    let mut conv = generations_table(cal);
    if let Some(c) = charts.convergence {
        conv.push_str(&figure(
            c,
            "Tolerance after each generation (log scale) against the stated model discrepancy, \
             and the share of candidates accepted",
        ));
    }
    out.push(("convergence", "Convergence", conv));
    out
}

/// Writes `report.html` into `dir`.
pub fn write(cal: &Calibration, charts: &Sections, dir: &Path) -> Result<PathBuf> {
    let s = &cal.summary;
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>borderflow calibration: {}</title><style>{CSS}\
         tr.holdout td{{background:#ededed}}.note{{border-left:4px solid #999;padding-left:.6em}}\
         </style></head><body>\n",
        esc(&s.name)
    );
    let _ = writeln!(h, "<h1>Calibration: {}</h1>", esc(&s.name));
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&s.description));
    }
    let _ = writeln!(
        h,
        "<p class=\"facts\">base scenario “{}” (hash <code>{}</code>) · seed {} · {} replications \
         per candidate · fitted to {}, predicted to {} · borderflow {}</p>",
        esc(&s.base_scenario),
        esc(&s.base_hash),
        s.seed,
        s.replications,
        esc(&s.fit_end),
        esc(&s.predictive_end),
        esc(&s.borderflow_version)
    );
    let sections = sections(cal, charts);
    h.push_str("<nav id=\"toc\"><h2>Contents</h2><ol>\n");
    for (id, heading, _) in &sections {
        let _ = writeln!(h, "<li><a href=\"#{id}\">{heading}</a></li>");
    }
    h.push_str("</ol></nav>\n");
    for (id, heading, body) in &sections {
        let _ = write!(
            h,
            "<section id=\"{id}\"><h2>{heading}</h2>\n{body}</section>\n"
        );
    }
    h.push_str(
        "<p class=\"facts\">In this folder: <code>calibrated.ron</code> (the base scenario with the \
         estimates set), <code>posterior.csv</code> (the weighted draws), <code>fit.csv</code> and \
         <code>score.csv</code> (the numbers above), <code>generations.csv</code>, and the inputs \
         <code>calibration.ron</code> and <code>base.ron</code>.</p>\n</body></html>\n",
    );
    let path = dir.join("report.html");
    write_atomic(&path, h.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_values_read_naturally() {
        assert_eq!(duration(4.26), "4.3 s");
        assert_eq!(duration(42.0), "42 s");
        assert_eq!(duration(192.0), "3 min 12 s");
        assert_eq!(duration(7500.0), "2 h 05 min");
        assert_eq!(duration(f64::NAN), "an unrecorded time");
        assert_eq!(value(26_012.4, false), "26,012");
        assert_eq!(value(0.6234, false), "0.623");
        assert_eq!(value(7.0, true), "7");
        assert_eq!(value(12.34, false), "12.3");
        assert_eq!(
            target_name("usbp_apprehensions", "Tucson", ""),
            "Border Patrol apprehensions between ports, Tucson"
        );
        assert_eq!(target_name("x", "", "Venezuela"), "x, Venezuela");
    }
}
