//! The border model's reference as text: intervention kinds, a scenario's named places, metrics and KPIs, as aligned tables or Markdown.
//!
//! Everything here is read from the definitions — the intervention table in
//! [`super::params::reference`], validated [`BorderParams`], declared
//! [`MetricSpec`]s and [`KpiSpec`]s — so `borderflow list` and the generated
//! `docs/reference.md` cannot drift from the code (a test regenerates the
//! document and compares).

use std::str::FromStr;

use chrono::NaiveDate;

use super::params::reference::{
    COMBINING, FieldDoc, INTERVENTION_DOCS, KindDoc, PARTIAL_OR_CAPACITY, TRIGGER_EXAMPLE,
    TRIGGER_NOTE, WINDOW_FIELDS,
};
use super::params::{Action, BorderParams, MODE_NAMES, Region};
use crate::metrics::{Aggregate, KpiSpec, MetricKind, MetricSpec};

/// How a reference is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned plain-text tables, for a terminal.
    #[default]
    Text,
    /// Markdown, for `docs/reference.md`.
    Markdown,
}

impl FromStr for Format {
    type Err = String;

    /// Reads `text` or `markdown` (`md`).
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!("unknown format \"{other}\": one of text, markdown")),
        }
    }
}

/// A table of text cells: a header and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column titles.
    pub headers: Vec<String>,
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<String>>,
    /// Columns aligned right (numbers).
    right: Vec<bool>,
}

impl Table {
    /// An empty table with these column titles; a title ending in `>` is a
    /// column of numbers, aligned right (the `>` is dropped).
    pub fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers
                .iter()
                .map(|h| h.trim_end_matches('>').to_string())
                .collect(),
            rows: Vec::new(),
            right: headers.iter().map(|h| h.ends_with('>')).collect(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    /// The table in `format`, ending with a newline.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Markdown => self.markdown(),
        }
    }

    /// Aligned columns two spaces apart, a rule under the header; the
    /// Markdown code marks (backticks) dropped.
    fn text(&self) -> String {
        let plain = |c: &String| c.replace('`', "");
        let headers: Vec<String> = self.headers.iter().map(plain).collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(plain).collect())
            .collect();
        let width = |i: usize| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([headers[i].chars().count()])
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let pad = " ".repeat(widths[i] - c.chars().count());
                    if self.right[i] {
                        format!("{pad}{c}")
                    } else {
                        format!("{c}{pad}")
                    }
                })
                .collect();
            padded.join("  ").trim_end().to_string() + "\n"
        };
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let mut out = line(&headers) + &line(&rule);
        for r in &rows {
            out += &line(r);
        }
        out
    }

    /// A Markdown table, `|` in cells escaped.
    fn markdown(&self) -> String {
        let line = |cells: &[String]| {
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", cells.join(" | "))
        };
        let rule: Vec<String> = self
            .right
            .iter()
            .map(|r| if *r { "---:" } else { "---" }.to_string())
            .collect();
        let mut out = line(&self.headers) + &line(&rule);
        for r in &self.rows {
            out += &line(r);
        }
        out
    }
}

/// A heading of `level` (1 = the document's title).
fn heading(format: Format, level: usize, title: &str) -> String {
    match format {
        Format::Markdown => format!("{} {title}\n\n", "#".repeat(level)),
        Format::Text => {
            let mark = if level <= 2 { '=' } else { '-' };
            let rule: String = std::iter::repeat_n(mark, title.chars().count()).collect();
            format!("{title}\n{rule}\n\n")
        }
    }
}

/// A paragraph followed by a blank line.
fn para(text: &str) -> String {
    format!("{text}\n\n")
}

/// A block of RON.
fn code(format: Format, text: &str) -> String {
    match format {
        Format::Markdown => format!("```ron\n{text}\n```\n\n"),
        Format::Text => {
            let indented: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
            format!("{}\n\n", indented.join("\n"))
        }
    }
}

/// The field table of a kind, or of the window.
fn field_table(fields: &[FieldDoc]) -> Table {
    let mut t = Table::new(&["field", "value [unit], range", "if absent", "meaning"]);
    for f in fields {
        t.push(vec![
            format!("`{}`", f.name),
            f.value.to_string(),
            f.default.unwrap_or("required").to_string(),
            f.meaning.to_string(),
        ]);
    }
    t
}

/// One kind: what it does, its fields, an example and how it combines.
fn kind_section(format: Format, doc: &KindDoc) -> String {
    let mut out = heading(format, 3, doc.kind);
    out += &para(doc.summary);
    if doc.fields.is_empty() {
        out += &para("Fields: only the window (`name`, `from`, `until`).");
    } else {
        out += &field_table(doc.fields).render(format);
        out.push('\n');
    }
    out += &para("Example:");
    out += &code(format, doc.example);
    out += &para(&format!("Overlapping entries: {}", doc.combines));
    out
}

/// A complete what-if on the shipped baseline, as a file in `scenarios/`
/// would hold it (a test validates it there).
pub const WHATIF_EXAMPLE: &str = r#"(
    extend: "baseline.ron",
    name: "eagle-pass-closed-at-christmas",
    description: "Eagle Pass closed 20 Dec - 2 Jan, San Ysidro at half capacity",
    model: (
        add_interventions: [
            (name: "Eagle Pass closed", kind: "port_state", port: "Eagle Pass", state: "closed", from: "2023-12-20", until: "2024-01-02"),
            (name: "San Ysidro at half capacity", kind: "port_capacity", port: "San Ysidro", multiplier: 0.5, from: "2023-12-20", until: "2024-01-02"),
        ],
    ),
)"#;

/// Every intervention kind with its fields, units, defaults, an example and
/// how overlapping interventions combine.
pub fn interventions(format: Format) -> String {
    let mut out = heading(format, 2, "Interventions");
    out += &para(
        "An intervention is a policy lever with a time window, written flat in the `model` \
         section's `interventions` list (or, in a what-if that `extend`s a base, in \
         `add_interventions`, which appends to the base's list). Its `kind` selects what it \
         does and which fields it takes; unknown fields are refused. Every kind has the \
         window fields:",
    );
    out += &field_table(WINDOW_FIELDS).render(format);
    out.push('\n');
    out += &para(
        "A what-if file, whole: it `extend`s the baseline (the path is relative to the \
         what-if's folder), renames itself, and adds its interventions inside `model: ( … )`. \
         Run it against the baseline with `borderflow compare scenarios/baseline.ron \
         my-what-if.ron --from 2023-12-15 --to 2024-01-15`.",
    );
    out += &code(format, WHATIF_EXAMPLE);
    out += &heading(format, 3, "How overlapping interventions combine");
    let mut t = Table::new(&["rule", "kinds"]);
    for (rule, kinds) in COMBINING {
        t.push(vec![rule.to_string(), kinds.to_string()]);
    }
    out += &t.render(format);
    out.push('\n');
    out += &para(
        "A port or region named by one entry and covered by a `\"*\"` or `\"all\"` entry gets \
         both. A what-if's interventions stack on the base's: list the base's with \
         `borderflow list interventions BASE.ron`, and change or end one of them with `set` \
         (`set: { \"model.interventions[\\\"Lukeville closed\\\"].until\": \"2024-03-31\" }`) \
         rather than adding its opposite.",
    );
    out += &para(PARTIAL_OR_CAPACITY);
    out += &para(TRIGGER_NOTE);
    out += &code(format, TRIGGER_EXAMPLE);
    for doc in INTERVENTION_DOCS {
        out += &kind_section(format, doc);
    }
    out
}

/// An intervention's `kind` string.
fn kind_of(action: &Action) -> &'static str {
    match action {
        Action::Title42 => "title42",
        Action::CbpOneSlots(_) | Action::CbpOneMultiplier(_) => "cbp_one_slots",
        Action::PortState { .. } => "port_state",
        Action::PortCapacity { .. } => "port_capacity",
        Action::MexicoEnforcement { .. } => "mexico_enforcement",
        Action::ModeSuspension(_) => "mode_suspension",
        Action::DetentionOutcomes(_) => "detention_outcomes",
        Action::CrossingDelay(_) => "crossing_delay",
        Action::StockRelease(_) => "stock_release",
        Action::ArrivalSurge { .. } => "arrival_surge",
        Action::AsylumLimits(_) => "asylum_limits",
    }
}

/// What an intervention does, in a few words with its numbers.
fn effect(p: &BorderParams, action: &Action) -> String {
    let port = |k: &Option<usize>| k.map_or("every port".to_string(), |k| p.ports[k].name.clone());
    match action {
        Action::Title42 => "Title 42 expulsions".into(),
        Action::CbpOneSlots(s) => format!("CBP One slots = {s}/day"),
        Action::CbpOneMultiplier(x) => format!("CBP One slots × {x}"),
        Action::PortState { port: k, fraction } => match *fraction {
            f if f <= 0.0 => format!("{} closed", port(k)),
            f if f >= 1.0 => format!("{} open", port(k)),
            f => format!("{} {}% open", port(k), f * 100.0),
        },
        Action::PortCapacity {
            port: k,
            multiplier,
        } => format!("{} capacity × {multiplier}", port(k)),
        Action::MexicoEnforcement { region, multiplier } => {
            let r = match region {
                Some(Region::South) => "south",
                Some(Region::Transit) => "transit",
                Some(Region::North) => "north",
                None => "all regions",
            };
            format!("Mexican enforcement ({r}) × {multiplier}")
        }
        Action::ModeSuspension(m) => format!("{} suspended", MODE_NAMES[*m]),
        Action::DetentionOutcomes(o) => format!(
            "detention outcomes: relocate {}, papers {}, deport {}, settle {}",
            o.relocate, o.papers, o.deport, o.settle
        ),
        Action::CrossingDelay(x) => format!("crossing delay × {x}"),
        Action::StockRelease(x) => format!("leaving the central stock × {x}"),
        Action::ArrivalSurge {
            origins,
            multiplier,
        } => format!("arrivals of {} × {multiplier}", origin_names(p, origins)),
        Action::AsylumLimits(a) => {
            let mut s = format!(
                "asylum limited for {}: {}% give up, {}% wait",
                origin_names(p, &a.origins),
                a.leave * 100.0,
                a.wait * 100.0
            );
            if let Some(h) = a.fade_days {
                s += &format!(", fading with a half-life of {h} d");
                if a.applied_per_day > 0.0 {
                    s += &format!(
                        " toward the share of {}/day it is applied to",
                        a.applied_per_day
                    );
                }
            }
            if let Some(j) = a.strength_of {
                s += &format!(" (the strength of \"{}\")", p.interventions[j].name);
            }
            if let Some(t) = a.trigger {
                s += &format!(
                    ", on above {}/day, off after {} d below {}/day",
                    t.on_above_per_day, t.off_after_days, t.off_below_per_day
                );
            }
            s
        }
    }
}

/// The origin groups an entry names, or "every origin".
fn origin_names(p: &BorderParams, origins: &[usize]) -> String {
    if origins.is_empty() {
        return "every origin".to_string();
    }
    let names: Vec<&str> = origins
        .iter()
        .map(|&o| p.origins[o].name.as_str())
        .collect();
    names.join(", ")
}

/// The interventions of a scenario, in list order (the order "last entry
/// wins" refers to); `start` is the first simulated day, spin-up included.
pub fn scenario_interventions(p: &BorderParams, start: NaiveDate) -> Table {
    let date = |d: i64| {
        start
            .checked_add_signed(chrono::Duration::days(d))
            .map_or_else(|| "—".to_string(), |d| d.to_string())
    };
    let mut t = Table::new(&["#>", "name", "kind", "from", "until", "effect"]);
    for (i, iv) in p.interventions.iter().enumerate() {
        let until = if iv.until_day == i64::MAX {
            "open-ended".to_string()
        } else {
            date(iv.until_day - 1)
        };
        t.push(vec![
            i.to_string(),
            iv.name.clone(),
            kind_of(&iv.action).to_string(),
            date(iv.from_day),
            until,
            effect(p, &iv.action),
        ]);
    }
    t
}

/// The ports of entry: where they are and what they can process.
pub fn ports(p: &BorderParams) -> Table {
    let mut t = Table::new(&[
        "port",
        "city",
        "sector",
        "lanes>",
        "service [min/person]>",
        "open [h of day]",
        "capacity [persons/day]>",
        "CBP One share>",
        "pressure trigger",
    ]);
    for port in &p.ports {
        let city = p.cities.get(port.city);
        let sector = city.and_then(|c| p.sectors.get(c.sector));
        let hours = if port.hours_per_day >= 24.0 {
            "all day".to_string()
        } else {
            format!(
                "{}–{}",
                port.opens_at_hour,
                port.opens_at_hour + port.hours_per_day
            )
        };
        let trigger = port.trigger.map_or("—".to_string(), |tr| {
            format!(
                "closes > {}/day, reopens < {}/day after {} d",
                tr.close_above_per_day, tr.reopen_below_per_day, tr.reopen_after_days
            )
        });
        t.push(vec![
            port.name.clone(),
            city.map_or(String::new(), |c| c.name.clone()),
            sector.map_or(String::new(), |s| s.name.clone()),
            port.lanes.to_string(),
            port.service_minutes.to_string(),
            hours,
            format!("{:.0}", port.capacity_per_day()),
            port.cbp_one_share.to_string(),
            trigger,
        ]);
    }
    t
}

/// The Border Patrol sectors and the ports in their cities.
pub fn sectors(p: &BorderParams) -> Table {
    let mut t = Table::new(&[
        "sector",
        "apprehension probability>",
        "custody [persons]>",
        "processing [h]>",
        "boost per closed port>",
        "ports",
    ]);
    for (s, sector) in p.sectors.iter().enumerate() {
        let ports: Vec<&str> = p
            .cities
            .iter()
            .filter(|c| c.sector == s)
            .flat_map(|c| c.ports.iter().map(|&k| p.ports[k].name.as_str()))
            .collect();
        t.push(vec![
            sector.name.clone(),
            sector.apprehension_prob.to_string(),
            sector.custody_capacity.to_string(),
            sector.processing_hours.to_string(),
            sector.officers_boost_per_closed_port.to_string(),
            if ports.is_empty() {
                "—".to_string()
            } else {
                ports.join(", ")
            },
        ]);
    }
    t
}

/// The southern hubs and the river crossings that lead to them.
pub fn hubs(p: &BorderParams) -> Table {
    let mut t = Table::new(&[
        "hub",
        "papers [persons/day]>",
        "patience [d]>",
        "rest [d]>",
        "crossings (walk [km], detection at reference personnel)",
    ]);
    for (h, hub) in p.hubs.iter().enumerate() {
        let crossings: Vec<String> = p
            .crossings
            .iter()
            .filter(|c| c.hub == h)
            .map(|c| format!("{} ({} km, {})", c.name, c.km_to_hub, c.detection_prob))
            .collect();
        t.push(vec![
            hub.name.clone(),
            hub.papers_capacity_per_day.to_string(),
            hub.papers_patience_days.to_string(),
            hub.rest_days_mean.to_string(),
            crossings.join(", "),
        ]);
    }
    t
}

/// The origin groups: where they enter, their arrival rate and what it
/// follows.
pub fn origins(p: &BorderParams) -> Table {
    let mut t = Table::new(&[
        "origin",
        "enters at",
        "base [persons/day]>",
        "driver (× persons per driver person, lag)",
        "mean [persons/day]>",
        "CBP One share>",
        "walk-up share>",
        "surrender share (Title 42)>",
    ]);
    let skip = p.spinup_days as usize;
    for (o, origin) in p.origins.iter().enumerate() {
        let enters = match (origin.crossing, origin.start_place) {
            (Some(c), _) => p.crossings[c].name.clone(),
            (None, Some(place)) => p.places[place].clone(),
            (None, None) => String::new(),
        };
        let driver = origin.driver.as_ref().map_or("—".to_string(), |d| {
            format!(
                "{d} (× {}, {} d)",
                origin.persons_per_driver_person, origin.driver_lag_days
            )
        });
        let rates = p.daily_rates[o].get(skip..).unwrap_or(&[]);
        let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
        t.push(vec![
            origin.name.clone(),
            enters,
            origin.base_persons_per_day.to_string(),
            driver,
            format!("{mean:.0}"),
            origin.cbp_one_share.to_string(),
            origin.walkup_share.to_string(),
            format!(
                "{} ({})",
                origin.surrender_share, origin.surrender_share_under_title42
            ),
        ]);
    }
    t
}

/// A metric kind's name and meaning.
fn metric_kind(kind: MetricKind) -> (&'static str, &'static str) {
    match kind {
        MetricKind::Count => (
            "count",
            "events during the day; sums over days are meaningful",
        ),
        MetricKind::Level => (
            "level",
            "the value at the day's end; sums over days are not",
        ),
        MetricKind::Mean => ("mean", "a time-weighted mean over the day"),
        MetricKind::Cumulative => (
            "cumulative",
            "a running total since the start, spin-up included; a difference of two days is a count",
        ),
    }
}

/// An aggregate's name and meaning.
fn aggregate(how: Aggregate) -> (&'static str, &'static str) {
    match how {
        Aggregate::Sum => ("sum", "sum over the window's days"),
        Aggregate::Mean => ("mean", "mean over the window's days"),
        Aggregate::Max => ("max", "the largest day in the window"),
        Aggregate::End => ("end", "the value on the window's last day"),
        Aggregate::Model => (
            "model",
            "computed by the model itself, not from the daily table",
        ),
    }
}

/// The daily metrics, one row per name: its unit, kind and label, and the
/// places and origin groups it is measured at (`national` without one).
pub fn metrics(specs: &[MetricSpec]) -> Table {
    let mut names: Vec<&str> = Vec::new();
    for s in specs {
        if !names.contains(&s.name.as_str()) {
            names.push(&s.name);
        }
    }
    let mut t = Table::new(&[
        "metric", "label", "unit", "kind", "places", "origins", "note",
    ]);
    for name in names {
        let of_name: Vec<&MetricSpec> = specs.iter().filter(|s| s.name == name).collect();
        let mut places: Vec<String> = Vec::new();
        let mut origins: Vec<String> = Vec::new();
        for s in &of_name {
            let place = s.place.clone().unwrap_or_else(|| "national".into());
            if !places.contains(&place) {
                places.push(place);
            }
            if let Some(o) = &s.origin
                && !origins.contains(o)
            {
                origins.push(o.clone());
            }
        }
        let first = of_name[0];
        let internal = of_name.iter().any(|s| s.internal);
        t.push(vec![
            format!("`{name}`"),
            first.label.clone(),
            first.unit.label().to_string(),
            metric_kind(first.kind).0.to_string(),
            places.join(", "),
            if origins.is_empty() {
                "all".to_string()
            } else {
                origins.join(", ")
            },
            if internal {
                "internal check, not in reports".to_string()
            } else {
                String::new()
            },
        ]);
    }
    t
}

/// The metric kinds, explained.
pub fn metric_kinds() -> Table {
    let mut t = Table::new(&["metric kind", "meaning"]);
    for k in [
        MetricKind::Count,
        MetricKind::Level,
        MetricKind::Mean,
        MetricKind::Cumulative,
    ] {
        let (name, meaning) = metric_kind(k);
        t.push(vec![name.into(), meaning.into()]);
    }
    t
}

/// The KPI aggregates, explained.
pub fn aggregates() -> Table {
    let mut a = Table::new(&["KPI aggregate", "meaning"]);
    for how in [
        Aggregate::Sum,
        Aggregate::Mean,
        Aggregate::Max,
        Aggregate::End,
        Aggregate::Model,
    ] {
        let (name, meaning) = aggregate(how);
        a.push(vec![name.into(), meaning.into()]);
    }
    a
}

/// The KPIs: name, label, unit, how and over which days they reduce which
/// metric; a KPI of an internal metric is marked.
pub fn kpis(specs: &[KpiSpec], metrics: &[MetricSpec]) -> Table {
    let mut t = Table::new(&[
        "kpi",
        "label",
        "unit",
        "aggregate",
        "metric",
        "window",
        "note",
    ]);
    for k in specs {
        let metric = k.metric.as_deref().map_or("—".to_string(), |m| {
            let place = k.place.as_deref().map(|p| format!(" at {p}"));
            let origin = k.origin.as_deref().map(|o| format!(" of {o}"));
            format!(
                "`{m}`{}{}",
                place.unwrap_or_default(),
                origin.unwrap_or_default()
            )
        });
        let internal = metrics
            .iter()
            .any(|m| m.internal && Some(&m.name) == k.metric.as_ref() && m.place == k.place);
        t.push(vec![
            format!("`{}`", k.name),
            k.label.clone(),
            k.unit.label().to_string(),
            aggregate(k.aggregate).0.to_string(),
            metric,
            k.window
                .as_ref()
                .map_or("—".to_string(), |(a, b)| format!("{a} to {b}")),
            if internal {
                "internal check".to_string()
            } else {
                String::new()
            },
        ]);
    }
    t
}

/// What [`document`] describes: a border scenario's parameters and its
/// experiment's declarations.
pub struct Subject<'a> {
    /// How the scenario is named (`scenarios/baseline.ron`).
    pub label: &'a str,
    /// Its validated parameters.
    pub params: &'a BorderParams,
    /// Its first simulated day, spin-up included.
    pub start: NaiveDate,
    /// Its daily metrics.
    pub metrics: &'a [MetricSpec],
    /// Its KPIs.
    pub kpis: &'a [KpiSpec],
}

/// The whole reference: interventions, then the scenario's interventions,
/// ports, sectors, hubs, origins, metrics and KPIs.
pub fn document(format: Format, s: &Subject) -> String {
    let mut out = heading(format, 1, "borderflow reference");
    out += &para(&format!(
        "Generated from the code and from `{}` by `borderflow list all --format markdown > \
         docs/reference.md`; a test fails when this file is stale, so do not edit it by hand. \
         Each section is also printed, as aligned tables, by `borderflow list SECTION \
         [SCENARIO]` for any scenario.",
        s.label
    ));
    out += &interventions(format);
    let table = |title: &str, intro: &str, t: Table| {
        heading(format, 2, title) + &para(intro) + &t.render(format) + "\n"
    };
    let p = s.params;
    out += &table(
        "Interventions of the scenario",
        "In list order: where the rule is \"last entry wins\", the later row wins. A what-if \
         that extends this scenario appends its own after these.",
        scenario_interventions(p, s.start),
    );
    out += &table(
        "Ports of entry",
        "Capacity = lanes × hours open × 60 ÷ service minutes, when fully open.",
        ports(p),
    );
    out += &table(
        "Border Patrol sectors",
        "Apprehension probability of a crossing between ports; officers of the sector's closed ports add the boost per closed port.",
        sectors(p),
    );
    out += &table(
        "Southern hubs",
        "Where parties wait for papers (capacity per day) or rest before setting off north.",
        hubs(p),
    );
    out += &table(
        "Origin groups",
        "Daily arrival rate = base + persons per driver person × the driver's daily rate, lagged; the mean is over the scenario period, before surges.",
        origins(p),
    );
    out += &heading(format, 2, "Metrics");
    out += &para(
        "Daily metrics the model declares: one row per name, with the places and origin groups it is measured at. In the records a column is `metric:place:origin`.",
    );
    out += &metric_kinds().render(format);
    out.push('\n');
    out += &metrics(s.metrics).render(format);
    out.push('\n');
    out += &heading(format, 2, "KPIs");
    out += &para(
        "One value per replication (in `kpis.csv`; a sweep's in `sweep.csv`, by point), \
         summarised over replications in `summary.json` and `kpis_summary.csv` (a sweep's \
         in `sweep_summary.csv`).",
    );
    out += &aggregates().render(format);
    out.push('\n');
    out += &kpis(s.kpis, s.metrics).render(format);
    out.trim_end().to_string() + "\n"
}
