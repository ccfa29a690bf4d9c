//! `report.html` of a comparison: per what-if a plain-language headline,
//! the table of the KPIs that changed (absolute and % differences with
//! their intervals, labels and units as declared) and the difference charts
//! zoomed to the intervention window, behind a table of contents. Drawn
//! from the folder's files only (`summary.json`, `daily_summary.csv`,
//! `compare.csv`, `scenario.ron`, `whatifs.ron`), so `plot` redraws it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ron::Value;

use super::data::{RunData, as_str, field};
use super::diff::{self, ChartWindow};
use super::figure::Chart;
use super::html::{CSS, esc, inline_svg};
use super::style::fmt_num;
use crate::error::Result;
use crate::input::{MAX_INPUT_BYTES, read_text};
use crate::output::write_atomic;
use crate::results::compare::KpiDifference;
use crate::results::compare::changes::{CHANGED_RULE, day, headline};

/// A complete comparison folder, read back.
pub struct Comparison {
    /// The paired daily differences and the baseline's scenario.
    pub run: RunData,
    /// Every KPI of every what-if, labelled from the declarations.
    pub kpis: Vec<KpiDifference>,
    /// The what-ifs, in the comparison's order.
    pub whatifs: Vec<Whatif>,
    /// The `--from/--to` window, when the comparison has one.
    pub window: Option<(NaiveDate, NaiveDate)>,
}

/// One what-if of a comparison.
pub struct Whatif {
    /// Its name.
    pub name: String,
    /// What it represents (its description, else its name).
    pub title: String,
    /// The days its charts show and the window they mark.
    pub chart: ChartWindow,
    /// What the marked window is, for the charts' legends.
    pub marked_label: String,
}

impl Comparison {
    /// Reads the comparison folder `dir`. The what-ifs' resolved scenarios
    /// (`whatifs.ron`) give their descriptions and the window of their
    /// interventions; without it, names only and whole-run charts.
    pub fn load(dir: &Path) -> Result<Self> {
        let run = RunData::load(dir)?;
        let mut kpis = crate::results::compare::read_table(&dir.join("compare.csv"))?;
        crate::results::compare::annotate(&mut kpis, &run.summary.kpi_specs);
        let window = crate::results::compare::window(&run.summary.kpi_specs);
        let resolved: Vec<Value> = read_text(&dir.join("whatifs.ron"), MAX_INPUT_BYTES)
            .ok()
            .and_then(|t| ron::from_str::<Value>(&t).ok())
            .and_then(|v| match v {
                Value::Seq(items) => Some(items),
                _ => None,
            })
            .unwrap_or_default();
        let mut names: Vec<&str> = kpis.iter().map(|k| k.whatif.as_str()).collect();
        for m in &run.summary.metrics {
            if let Some(s) = m.scenario.as_deref() {
                names.push(s);
            }
        }
        let mut seen = Vec::new();
        for n in names {
            if !seen.iter().any(|s: &String| s == n) {
                seen.push(n.to_string());
            }
        }
        let (start, days) = (run.start(), run.dates.len());
        let end = run.dates.last().copied().unwrap_or(run.summary.end);
        let whatifs = seen
            .into_iter()
            .map(|name| {
                let scenario = resolved
                    .iter()
                    .find(|v| field(v, "name").and_then(as_str) == Some(name.as_str()));
                let description = scenario
                    .and_then(|v| field(v, "description"))
                    .and_then(as_str)
                    .filter(|d| !d.trim().is_empty());
                let span = match (scenario, run.scenario.as_ref()) {
                    (Some(w), Some(b)) => diff::intervention_span(b, w, start, end),
                    _ => None,
                };
                let (marked, label) = match (window, span) {
                    (Some(w), _) => (Some(w), "window (--from/--to)"),
                    (None, Some(s)) => (Some(s), "interventions changed"),
                    (None, None) => (None, ""),
                };
                Whatif {
                    title: description.unwrap_or(&name).to_string(),
                    name,
                    chart: ChartWindow::around(start, days, marked),
                    marked_label: label.into(),
                }
            })
            .collect();
        Ok(Self {
            run,
            kpis,
            whatifs,
            window,
        })
    }

    /// The KPI rows of what-if `name`.
    pub fn rows(&self, name: &str) -> Vec<&KpiDifference> {
        self.kpis.iter().filter(|k| k.whatif == name).collect()
    }

    /// The headline of what-if `w`.
    pub fn headline(&self, w: &Whatif) -> String {
        headline(
            &w.title,
            self.window,
            &self.rows(&w.name),
            &self.run.summary.uncertainty(),
        )
    }
}

/// Draws a comparison folder's charts and `report.html`; returns the files
/// written.
pub fn render(dir: &Path) -> Result<Vec<PathBuf>> {
    let c = Comparison::load(dir)?;
    let charts = diff::draw(dir, &c)?;
    let mut files: Vec<PathBuf> = charts
        .iter()
        .flat_map(|(_, c)| [c.png.clone(), c.svg.clone()])
        .collect();
    files.push(write(&c, &charts, dir)?);
    Ok(files)
}

/// The table of the KPIs of `rows` that changed: window KPIs first, then
/// the rest, each in the declared order.
fn changed_table(id: &str, rows: &[&KpiDifference]) -> String {
    let mut changed: Vec<&KpiDifference> = rows.iter().copied().filter(|d| d.changed()).collect();
    changed.sort_by_key(|d| !d.in_window);
    let mut h = format!(
        "<table id=\"{id}\" class=\"changed\"><thead><tr><th>KPI</th><th>unit</th>\
         <th>baseline</th><th>what-if</th><th>difference [95% CI]</th><th>change</th>\
         </tr></thead><tbody>\n"
    );
    for d in changed {
        let k = d.decimals(d.base.mean);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(d.shown_label()),
            esc(d.unit.map_or("", |u| u.label())),
            fmt_num(d.base.mean, k),
            fmt_num(d.whatif_value.mean, k),
            esc(&d.difference_text()),
            esc(&d.relative_text()),
        );
    }
    h.push_str("</tbody></table>\n");
    h
}

/// The page's head, title and facts.
fn head(c: &Comparison) -> String {
    let s = &c.run.summary;
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>borderflow: what-ifs against {0}</title><style>{CSS}\
         .headline{{font-size:1.08em;background:#f4f8fb;border-left:3px solid #0072b2;padding:.5em .8em}}\
         </style></head><body>\n<h1>What-ifs against “{0}”</h1>\n",
        esc(&s.scenario)
    );
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p>Baseline: {}</p>", esc(&s.description));
    }
    let window = c
        .window
        .map(|(a, b)| format!(" · window {} – {}", day(a), day(b)))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<p class=\"facts\">{} to {} · seed {} · {} paired replications{window} · borderflow {} · \
         intervals: <span id=\"uncertainty\">{}</span></p>",
        s.start,
        s.end,
        s.seed,
        s.replications,
        esc(&s.borderflow_version),
        esc(&s.uncertainty())
    );
    h
}

/// The table of contents.
fn contents(c: &Comparison) -> String {
    let mut h = String::from(
        "<nav id=\"contents\"><h2>Contents</h2><ol>\n<li><a href=\"#headlines\">Headlines</a></li>\n",
    );
    for (i, w) in c.whatifs.iter().enumerate() {
        let _ = writeln!(
            h,
            "<li><a href=\"#whatif-{i}\">{}</a><ol><li><a href=\"#changed-{i}\">KPIs that changed</a></li>\
             <li><a href=\"#charts-{i}\">Charts</a></li></ol></li>",
            esc(&w.name)
        );
    }
    h.push_str("<li><a href=\"#reading\">How to read this page</a></li>\n</ol></nav>\n");
    h
}

/// Writes `report.html` into the comparison's folder `dir`.
pub fn write(c: &Comparison, charts: &[(String, Chart)], dir: &Path) -> Result<PathBuf> {
    let mut h = head(c);
    h.push_str(&contents(c));
    h.push_str("<h2 id=\"headlines\">Headlines</h2>\n");
    for (i, w) in c.whatifs.iter().enumerate() {
        let _ = writeln!(
            h,
            "<p class=\"headline\" id=\"headline-{i}\">{}</p>",
            esc(&c.headline(w))
        );
    }
    for (i, w) in c.whatifs.iter().enumerate() {
        let rows = c.rows(&w.name);
        let n = rows.iter().filter(|d| d.changed()).count();
        let _ = writeln!(h, "<h2 id=\"whatif-{i}\">{}</h2>", esc(&w.name));
        if w.title != w.name {
            let _ = writeln!(h, "<p>{}</p>", esc(&w.title));
        }
        let _ = writeln!(
            h,
            "<h3>KPIs that changed</h3>\n<p>{n} of {} KPIs changed: {CHANGED_RULE}. \
             Every KPI, changed or not, is in <code>compare.csv</code>.</p>",
            rows.len()
        );
        h.push_str(&changed_table(&format!("changed-{i}"), &rows));
        let _ = writeln!(h, "<h3 id=\"charts-{i}\">Charts</h3>");
        let (a, b) = w.chart.days;
        if let (Some(first), Some(last)) =
            (c.run.dates.get(a), c.run.dates.get(b.saturating_sub(1)))
        {
            let why = match w.chart.marked {
                Some(_) => format!(
                    "the shaded {} with {} days either side",
                    esc(&w.marked_label),
                    diff::MARGIN_DAYS
                ),
                None => "the whole run".into(),
            };
            let _ = writeln!(
                h,
                "<p>Daily differences from {} to {}: {why}.</p>",
                day(*first),
                day(*last)
            );
        }
        for (_, chart) in charts.iter().filter(|(name, _)| *name == w.name) {
            let file = chart
                .png
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<figure>{}<figcaption>{} · <code>{}</code></figcaption></figure>",
                inline_svg(&chart.svg_text),
                esc(&chart.title),
                esc(&file)
            );
        }
    }
    let _ = writeln!(
        h,
        "<h2 id=\"reading\">How to read this page</h2>\n<p>Replication r of the baseline and of \
         every what-if runs with the same random numbers, so a difference is the policy's effect \
         within one simulated history; the intervals are 95% intervals of the mean paired \
         difference ({}). A KPI is listed as changed when {CHANGED_RULE}. Counts of people are \
         whole numbers; a percentage is of the baseline's mean.</p>",
        esc(&c.run.summary.uncertainty())
    );
    h.push_str("</body></html>\n");
    let path = dir.join("report.html");
    write_atomic(&path, h.as_bytes())?;
    Ok(path)
}
