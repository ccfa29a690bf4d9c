//! `report.html`: one self-contained page for a briefing. The scenario's
//! name and description, run facts, key parameters and interventions (read
//! generically from `scenario.ron`, so any model's parameters show), the KPI
//! table with 95% confidence intervals, and every chart as inline SVG. No
//! script, stylesheet, font or image is fetched from anywhere.

use std::fmt::Write as _;
use std::path::Path;

use ron::Value;

use chrono::NaiveDate;

use super::data::{Kpi, RunData, as_f64, as_str, field};
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
        format!("{}…", s.chars().take(max).collect::<String>())
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

/// A mean with its 95% confidence interval, for a table cell.
fn mean_ci(k: &Kpi) -> String {
    match (k.mean, k.ci95_low, k.ci95_high) {
        (Some(m), Some(a), Some(b)) => format!(
            "{}<br><small>{} – {}</small>",
            fmt_num(m, 1),
            fmt_num(a, 1),
            fmt_num(b, 1)
        ),
        (m, _, _) => num(m),
    }
}

/// The KPI table: every KPI except the monthly ones, in the model's order.
fn kpi_table(kpis: &[(&str, &Kpi)]) -> String {
    let mut h = String::from(
        "<table id=\"kpis\"><thead><tr><th>KPI</th><th>mean</th><th>95% CI of the mean</th>\
         <th>5th pct.</th><th>median</th><th>95th pct.</th><th>replications</th></tr></thead><tbody>\n",
    );
    for (name, k) in kpis {
        let ci = match (k.ci95_low, k.ci95_high) {
            (Some(a), Some(b)) => format!("{} – {}", fmt_num(a, 2), fmt_num(b, 2)),
            _ => "–".into(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(name),
            num(k.mean),
            ci,
            num(k.p05),
            num(k.p50),
            num(k.p95),
            k.n
        );
    }
    h.push_str("</tbody></table>\n");
    h
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
    for m in &metrics {
        let _ = write!(h, "<th>{}</th>", esc(m));
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
            let cell = kpis
                .iter()
                .find(|(n, _)| *n == key)
                .map_or_else(|| "–".to_string(), |(_, k)| mean_ci(k));
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

/// Writes `report.html` into the run's folder.
pub fn write(run: &RunData, charts: &[Chart], dir: &Path) -> Result<std::path::PathBuf> {
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
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&s.description));
    }
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
    let _ = writeln!(
        h,
        "<h2>Key results</h2>\n<p>Means over replications with the 95% confidence interval of the mean, and the spread across replications (5th, 50th and 95th percentiles). Intervals: <span id=\"uncertainty\">{}</span>.</p>",
        esc(&s.uncertainty())
    );
    let kpis = s.kpis_in_order();
    let (monthly, other): (Vec<_>, Vec<_>) = kpis
        .into_iter()
        .partition(|(n, _)| monthly_kpi(n).is_some());
    h.push_str(&kpi_table(&other));
    if !monthly.is_empty() {
        h.push_str(
            "<h2>Month by month</h2>\n<p>Monthly KPIs: mean over replications with its 95% confidence interval, \
             the observed total where the scenario names one (never an input to the model), and the \
             error of the mean relative to it where the month was scored.</p>\n",
        );
        h.push_str(&monthly_table(run, &monthly));
    }
    h.push_str(&super::scorecard::section(run));
    if let Some(model) = run.scenario.as_ref().and_then(|v| field(v, "model")) {
        h.push_str("<h2>Key parameters</h2>\n<table><tbody>\n");
        for (k, v) in parameter_rows(model) {
            let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(&k), esc(&v));
        }
        h.push_str("</tbody></table>\n");
        if let Some(Value::Seq(list)) = field(model, "interventions")
            && !list.is_empty()
        {
            h.push_str("<h2>Interventions</h2>\n");
            h.push_str(&interventions_table(list));
        }
    }
    if !run.observed.is_empty() {
        h.push_str("<p class=\"facts\">Observed series shown for comparison (never an input to the model): ");
        let list: Vec<String> = run
            .observed
            .iter()
            .map(|o| {
                let at = o
                    .place
                    .as_deref()
                    .map(|p| format!(" at {p}"))
                    .unwrap_or_default();
                let of = o
                    .origin
                    .as_deref()
                    .map(|g| format!(", {g}"))
                    .unwrap_or_default();
                format!(
                    "{}{} ({})",
                    esc(&o.metric),
                    esc(&format!("{at}{of}")),
                    esc(&o.source)
                )
            })
            .collect();
        h.push_str(&list.join("; "));
        h.push_str(".</p>\n");
    }
    h.push_str("<h2>Charts</h2>\n");
    for c in charts {
        let file = c
            .png
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<figure>{}<figcaption>{} · <code>{}</code></figcaption></figure>",
            inline_svg(&c.svg_text),
            esc(&c.title),
            esc(&file)
        );
    }
    h.push_str("</body></html>\n");
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
