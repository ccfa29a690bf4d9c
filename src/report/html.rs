//! `report.html`: one self-contained page for a briefing. A table of
//! contents, then the summary and headline KPIs ([`super::briefing`]), the
//! caveats, the KPI table with 95% confidence intervals, the month table,
//! the scorecard, key parameters and interventions (read generically from
//! `scenario.ron`, so any model's parameters show), and every chart as
//! inline SVG, each section and chart with an anchor. No script,
//! stylesheet, font or image is fetched from anywhere.

use std::fmt::Write as _;
use std::path::Path;

use ron::Value;

use chrono::NaiveDate;

use super::briefing;
use super::data::{Kpi, PerReplication, RunData, as_f64, as_str, field};
use super::figure::Chart;
use super::scorecard::signed_percent;
use super::style::fmt_num;
use crate::error::Result;
use crate::output::write_atomic;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A scalar RON value as short text; `None` for lists and maps.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Bool(b) => Some(b.to_string()),
        Value::Char(c) => Some(c.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Number(_) => as_f64(v).map(|x| fmt_num(x, 4)),
        Value::Option(None) | Value::Unit => Some("–".into()),
        Value::Option(Some(inner)) => scalar(inner),
        Value::Map(_) | Value::Seq(_) | Value::Bytes(_) => None,
    }
}

/// A RON value as compact one-line text, for table cells (nested values
/// shortened past `max` characters).
fn compact(v: &Value, max: usize) -> String {
    let s = scalar(v).unwrap_or_else(|| match v {
        Value::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| compact(i, max))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(m) => format!(
            "({})",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar(k).unwrap_or_default(), compact(v, max)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    });
    if s.chars().count() > max {
        // Cut at the last space or comma before the limit, never mid-word.
        let head: String = s.chars().take(max).collect();
        let cut = head
            .rfind([' ', ','])
            .filter(|&i| i > max / 2)
            .unwrap_or(head.len());
        format!("{}…", head[..cut].trim_end_matches([',', ' ']))
    } else {
        s
    }
}

/// Rows of the key-parameter table: every scalar of `model` (the model's
/// own settings), then each list with its length, e.g. "ports: 9 entries".
fn parameter_rows(model: &Value) -> Vec<(String, String)> {
    let Value::Map(m) = model else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut lists = Vec::new();
    for (k, v) in m.iter() {
        let key = scalar(k).unwrap_or_default();
        if key == "interventions" {
            continue;
        }
        match (scalar(v), v) {
            (Some(s), _) => rows.push((key, s)),
            (None, Value::Seq(items)) => {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|i| field(i, "name").and_then(as_str).map(str::to_string))
                    .collect();
                let what = if names.is_empty() {
                    compact(v, 160)
                } else {
                    format!("{} entries: {}", items.len(), names.join(", "))
                };
                lists.push((key, what));
            }
            (None, _) => lists.push((key, compact(v, 160))),
        }
    }
    rows.extend(lists);
    rows
}

/// The interventions table: name, kind, window (`start`/`from` to
/// `end`/`to`/`until`, whichever the model uses), then the other fields.
fn interventions_table(list: &[Value]) -> String {
    let mut h = String::from(
        "<table><thead><tr><th>name</th><th>kind</th><th>from</th><th>to</th><th>details</th></tr></thead><tbody>\n",
    );
    let first = ["name", "kind", "start", "end", "from", "to", "until"];
    for item in list {
        let get = |k: &str| field(item, k).map(|v| compact(v, 80)).unwrap_or_default();
        let from = ["start", "from"]
            .iter()
            .map(|k| get(k))
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        let to = ["end", "to", "until"]
            .iter()
            .map(|k| get(k))
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        let details = match item {
            Value::Map(m) => m
                .iter()
                .filter_map(|(k, v)| {
                    let k = scalar(k)?;
                    (!first.contains(&k.as_str())).then(|| format!("{k}: {}", compact(v, 80)))
                })
                .collect::<Vec<_>>()
                .join("; "),
            other => compact(other, 160),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&get("name")),
            esc(&get("kind")),
            esc(&from),
            esc(&to),
            esc(&details)
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// A number cell, or a dash when undefined.
fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |x| fmt_num(x, 2))
}

/// A KPI named `<metric>:<YYYY-MM>`, split into its metric and month.
fn monthly_kpi(name: &str) -> Option<(&str, NaiveDate)> {
    let (metric, month) = name.rsplit_once(':')?;
    let date = crate::calendar::check_month(month).ok()?;
    (month.len() == 7).then_some((metric, date))
}

/// A mean with its 95% confidence interval, for a table cell, with
/// `decimals` decimals (none for people).
fn mean_ci(k: &Kpi, decimals: usize) -> String {
    match (k.mean, k.ci95_low, k.ci95_high) {
        (Some(m), Some(a), Some(b)) => format!(
            "{}<br><small>{} – {}</small>",
            fmt_num(m, decimals),
            fmt_num(a, decimals),
            fmt_num(b, decimals)
        ),
        (m, _, _) => m.map_or_else(|| "–".into(), |x| fmt_num(x, decimals)),
    }
}

/// The KPI table: every KPI except the monthly ones, in the model's order,
/// by its label with its unit, people as whole numbers.
fn kpi_table(run: &RunData, per_rep: &PerReplication, kpis: &[(&str, &Kpi)]) -> String {
    let mut h = String::from(
        "<table id=\"kpis\"><thead><tr><th>KPI</th><th>mean</th><th>95% CI of the mean</th>\
         <th>5th pct.</th><th>median</th><th>95th pct.</th><th>replications</th></tr></thead><tbody>\n",
    );
    for (name, k) in kpis {
        let s = briefing::shown(run, per_rep, name, k);
        let (k, d) = (&s.kpi, s.decimals);
        let n = |v: Option<f64>| v.map_or_else(|| "–".into(), |x| fmt_num(x, d));
        let ci = match (k.ci95_low, k.ci95_high) {
            (Some(a), Some(b)) => format!("{} – {}", fmt_num(a, d), fmt_num(b, d)),
            _ => "–".into(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&s.label),
            n(k.mean),
            ci,
            n(k.p05),
            n(k.p50),
            n(k.p95),
            k.n
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// The column heading of monthly metric `metric` (a KPI name without its
/// month): the declared label of its first month without the month, else
/// the series' own name, else the bare name.
fn column_label(run: &RunData, metric: &str, first: NaiveDate) -> String {
    let name = format!("{metric}:{}", first.format("%Y-%m"));
    let month = first.format("%B %Y").to_string();
    let declared = run
        .summary
        .kpi_specs
        .iter()
        .find(|s| s.name == name)
        .filter(|s| s.label != name && s.label.contains(&month))
        .map(|s| {
            let l = s.label.replace(&month, "");
            let l = l.trim_end_matches([' ', ',']);
            let l = l.strip_suffix(" of").unwrap_or(l);
            format!("{l} [{}]", s.unit.label())
        });
    declared
        .or_else(|| super::fan::series_name(metric).map(|n| format!("{} [{}]", n.subject, n.unit)))
        .unwrap_or_else(|| metric.to_string())
}

/// Monthly KPIs pivoted: a row per month, a column per metric with its
/// mean and 95% CI, and beside it the observed monthly total where the
/// scenario names one, so simulated and observed read side by side, and the
/// scorecard's relative error of the mean where the month was scored.
fn monthly_table(run: &RunData, kpis: &[(&str, &Kpi)]) -> String {
    let mut metrics: Vec<&str> = Vec::new();
    let mut months: Vec<NaiveDate> = Vec::new();
    for (name, _) in kpis {
        if let Some((m, d)) = monthly_kpi(name) {
            if !metrics.contains(&m) {
                metrics.push(m);
            }
            if !months.contains(&d) {
                months.push(d);
            }
        }
    }
    months.sort();
    let observed = |metric: &str, month: NaiveDate| {
        run.observed(metric)?
            .monthly
            .iter()
            .find(|(d, _)| *d == month)
            .map(|(_, v)| *v)
    };
    // The error column of a metric, when any of its months was scored.
    let scored = |metric: &str| {
        run.fit
            .iter()
            .any(|r| r.metric == metric && r.place.is_empty() && r.origin.is_empty())
    };
    let mut h = String::from("<table id=\"monthly\"><thead><tr><th>month</th>");
    let first = months.first().copied().unwrap_or_default();
    for m in &metrics {
        let _ = write!(h, "<th>{}</th>", esc(&column_label(run, m, first)));
        if run.observed(m).is_some() {
            let _ = write!(h, "<th>observed</th>");
        }
        if scored(m) {
            let _ = write!(h, "<th>error %</th>");
        }
    }
    h.push_str("</tr></thead><tbody>\n");
    for month in months {
        let _ = write!(h, "<tr><td>{}</td>", month.format("%Y-%m"));
        for m in &metrics {
            let key = format!("{m}:{}", month.format("%Y-%m"));
            let d = briefing::decimals(run.summary.kpi_specs.iter().find(|s| s.name == key));
            let cell = kpis
                .iter()
                .find(|(n, _)| *n == key)
                .map_or_else(|| "–".to_string(), |(_, k)| mean_ci(k, d));
            let _ = write!(h, "<td class=\"n\">{cell}</td>");
            if run.observed(m).is_some() {
                let _ = write!(h, "<td class=\"n obs\">{}</td>", num(observed(m, month)));
            }
            if scored(m) {
                let error = run
                    .fit(m, &month.format("%Y-%m").to_string())
                    .map_or_else(|| "–".into(), |r| signed_percent(r.rel_error));
                let _ = write!(h, "<td class=\"n\">{error}</td>");
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    h
}

/// An SVG ready to inline: without an XML prologue, scaled to the page.
pub fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.replacen("<svg ", "<svg class=\"chart\" ", 1)
}

/// The page's stylesheet (every report page of the house uses it).
pub const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1240px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
figure{margin:1.5em 0}svg.chart{width:100%;height:auto;border:1px solid #e4e4e4}\
figcaption{color:#555;font-size:.9em}td.obs{background:#f7f7f7}small{color:#666}.facts{color:#555}\
.note{background:#f7f7f7;border-left:3px solid #999;padding:.5em .8em}";

/// The sections of the page before the charts, in order: (anchor,
/// heading, body). A section with nothing to say is left out.
fn sections(run: &RunData, per_rep: &PerReplication) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = vec![
        ("summary".into(), "Summary".into(), briefing::summary(run)),
        ("caveats".into(), "Caveats".into(), briefing::caveats(run)),
    ];
    let kpis = run.summary.kpis_in_order();
    let (monthly, other): (Vec<_>, Vec<_>) = kpis
        .into_iter()
        .partition(|(n, _)| monthly_kpi(n).is_some());
    out.push((
        "key-results".into(),
        "Key results".into(),
        format!(
            "<p>Means over replications with the 95% confidence interval of the mean, and the \
             spread across replications (5th, 50th and 95th percentiles).</p>\n{}",
            kpi_table(run, per_rep, &other)
        ),
    ));
    if !monthly.is_empty() {
        out.push((
            "month-by-month".into(),
            "Month by month".into(),
            format!(
                "<p>Monthly KPIs: mean over replications with its 95% confidence interval, the \
                 observed total where the scenario names one (never an input to the model), and \
                 the error of the mean relative to it where the month was scored.</p>\n{}",
                monthly_table(run, &monthly)
            ),
        ));
    }
    let fit = super::scorecard::section(run);
    if let Some(body) = fit.strip_prefix("<h2>How well does this fit?</h2>\n") {
        out.push((
            "fit".into(),
            "How well does this fit?".into(),
            body.to_string(),
        ));
    }
    if let Some(model) = run.scenario.as_ref().and_then(|v| field(v, "model")) {
        let mut t = String::from("<table><tbody>\n");
        for (k, v) in parameter_rows(model) {
            let _ = writeln!(t, "<tr><th>{}</th><td>{}</td></tr>", esc(&k), esc(&v));
        }
        t.push_str("</tbody></table>\n");
        out.push(("parameters".into(), "Key parameters".into(), t));
        if let Some(Value::Seq(list)) = field(model, "interventions")
            && !list.is_empty()
        {
            out.push((
                "interventions".into(),
                "Interventions".into(),
                interventions_table(list),
            ));
        }
    }
    out
}

/// The anchor of a chart in the page: `fig-` and its file's stem.
fn chart_id(c: &Chart) -> String {
    let stem = c
        .png
        .file_stem()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("fig-{}", super::fan::slug(&stem))
}

/// The list of observed series with their sources, for the charts section.
fn observed_sources(run: &RunData) -> String {
    if run.observed.is_empty() {
        return String::new();
    }
    let list: Vec<String> = run
        .observed
        .iter()
        .map(|o| {
            let dims =
                crate::metrics::dimensions_text(o.place.as_deref(), o.origin.as_deref(), " at ");
            format!("{}{} ({})", esc(&o.metric), esc(&dims), esc(&o.source))
        })
        .collect();
    format!(
        "<p class=\"facts\">Observed series shown for comparison (never an input to the model): {}.</p>\n",
        list.join("; ")
    )
}

/// Writes `report.html` into the run's folder: the title and run facts, a
/// table of contents, the summary and headline KPIs, caveats, the tables,
/// then every chart, each section and chart with an anchor.
pub fn write(
    run: &RunData,
    per_rep: &PerReplication,
    charts: &[Chart],
    dir: &Path,
) -> Result<std::path::PathBuf> {
    let s = &run.summary;
    let mut h =
        String::with_capacity(charts.iter().map(|c| c.svg_text.len()).sum::<usize>() + 16_384);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>borderflow: {}</title><style>{CSS}</style></head><body>\n",
        esc(&s.scenario)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&s.scenario));
    let _ = writeln!(
        h,
        "<p class=\"facts\">{} to {} ({} days) · seed {} · {} replications · borderflow {} · scenario hash <code>{}</code></p>",
        s.start,
        s.end,
        run.dates.len(),
        s.seed,
        s.replications,
        esc(&s.borderflow_version),
        esc(&s.scenario_hash)
    );
    let sections = sections(run, per_rep);
    h.push_str("<nav id=\"toc\"><h2>Contents</h2><ol>\n");
    for (id, heading, _) in &sections {
        let _ = writeln!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(heading));
    }
    if !charts.is_empty() {
        h.push_str("<li><a href=\"#charts\">Charts</a><ol>\n");
        for c in charts {
            let _ = writeln!(
                h,
                "<li><a href=\"#{}\">{}</a></li>",
                chart_id(c),
                esc(&c.title)
            );
        }
        h.push_str("</ol></li>\n");
    }
    h.push_str("</ol></nav>\n");
    for (id, heading, body) in &sections {
        let _ = write!(
            h,
            "<section id=\"{id}\"><h2>{}</h2>\n{body}</section>\n",
            esc(heading)
        );
    }
    h.push_str("<section id=\"charts\"><h2>Charts</h2>\n");
    h.push_str(&observed_sources(run));
    for c in charts {
        let file = c
            .png
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<figure id=\"{}\">{}<figcaption>{} · <code>{}</code></figcaption></figure>",
            chart_id(c),
            inline_svg(&c.svg_text),
            esc(&c.title),
            esc(&file)
        );
    }
    h.push_str("</section>\n</body></html>\n");
    let path = dir.join("report.html");
    write_atomic(&path, h.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_kpis_are_recognised() {
        let d = NaiveDate::from_ymd_opt(2023, 12, 1);
        assert_eq!(
            monthly_kpi("usbp_apprehensions:2023-12"),
            d.map(|d| ("usbp_apprehensions", d))
        );
        assert_eq!(
            monthly_kpi("usbp_apprehensions:peak_day:2023-12"),
            d.map(|d| ("usbp_apprehensions:peak_day", d))
        );
        assert_eq!(monthly_kpi("outcome:got_away"), None);
        assert_eq!(monthly_kpi("mx_detections:2023-01..2023-11"), None);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn parameters_and_interventions_are_read_generically() {
        let v: Value = ron::from_str(
            r#"(kind: "border", ports: [(name: "Lukeville"), (name: "Nogales")], speed_km_per_day: 12.5,
               interventions: [(name: "Lukeville closed", kind: "port_state", start: "2023-12-04", end: "2024-01-03", state: "closed"),
                              (name: "Title 42", kind: "title42", from: "2020-03-21", until: "2023-05-11")])"#,
        )
        .unwrap_or(Value::Unit);
        let rows = parameter_rows(&v);
        assert!(rows.contains(&("speed_km_per_day".into(), "12.5".into())));
        assert!(rows.contains(&("ports".into(), "2 entries: Lukeville, Nogales".into())));
        let Some(Value::Seq(list)) = field(&v, "interventions") else {
            panic!("interventions not found");
        };
        let t = interventions_table(list);
        assert!(t.contains("<td>Lukeville closed</td><td>port_state</td><td>2023-12-04</td><td>2024-01-03</td><td>state: closed</td>"));
        assert!(t.contains(
            "<td>Title 42</td><td>title42</td><td>2020-03-21</td><td>2023-05-11</td><td></td>"
        ));
    }
}
