//! Integration tests: the briefing in a run's `report.html` (issue 15): the
//! summary and headline KPIs before any chart, a table of contents that
//! resolves, key results by label in whole people, caveats, one band per
//! port closure with capacity cuts apart, and Mexico's detections by month.
//! Drawn from the report tests' fabricated border-model run folder.

use std::fs;

use super::report::{assert_png_drawn, fabricate};

/// The texts of an SVG chart (plotters writes each on a line of its own
/// inside `<text>`), trimmed, with `&#39;` read back as `'`.
fn texts(svg: &std::path::Path) -> Vec<String> {
    let text = fs::read_to_string(svg).expect("read svg");
    text.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
        })
        .map(|(inner, _)| inner.trim().replace("&#39;", "'").replace("&apos;", "'"))
        .collect()
}

/// The text of the element that starts at `open` in `html`, up to `close`.
fn element<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let a = html
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in the page"));
    let b = html[a..]
        .find(close)
        .map_or(html.len(), |b| a + b + close.len());
    &html[a..b]
}

/// The page opens like a briefing: a summary paragraph with the busiest
/// month's totals against the observed ones, the headline table with the
/// peak day, before any chart; a table of contents whose every link lands
/// on an id of the page; key results by label with whole numbers of people
/// and the running total counted from the report's start; the caveats.
#[test]
fn the_report_opens_with_a_briefing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fixture");
    fabricate(&dir);
    let files = borderflow::report::render(&dir).expect("render");
    let html = fs::read_to_string(dir.join("report.html")).expect("read");
    let first_chart = html.find("<svg class=\"chart\"").expect("a chart");
    for first in [
        "id=\"summary-text\"",
        "id=\"headline\"",
        "id=\"caveat-list\"",
    ] {
        assert!(
            html.find(first).is_some_and(|i| i < first_chart),
            "{first} is not before the first chart"
        );
    }
    // December is the busiest month (251,000 simulated against 249,740
    // observed: +0.5%), January the last; the means are the fixture's.
    let summary = element(&html, "<p id=\"summary-text\">", "</p>");
    for expected in [
        "In December 2023 the model gives 251,000 Border Patrol apprehensions between ports (observed 249,740, +0.5%)",
        "300,000 detections by Mexico&#39;s authorities (observed 420,000, -28.6%)",
        "In January 2024 the model gives 150,000",
        "Lukeville closed, 4 Dec 2023 – 2 Jan 2024",
        "Eagle Pass closed, 21 Dec 2023 – 30 Dec 2023",
        "The busiest simulated day for the Border Patrol is",
    ] {
        assert!(summary.contains(expected), "{expected:?} not in {summary}");
    }
    let headline = element(&html, "<table id=\"headline\">", "</table>");
    for expected in [
        "Border Patrol apprehensions on the busiest day of December 2023 [persons/day]",
        "<td class=\"n\">9,876 (9,678 – 10,074)</td>",
        "Detections by Mexico&#39;s authorities, December 2023 [persons]",
        "<td class=\"n\">-28.6%</td>",
    ] {
        assert!(
            headline.contains(expected),
            "{expected:?} not in {headline}"
        );
    }
    assert!(html.contains("<span id=\"uncertainty\">Monte Carlo only, parameters fixed</span>"));

    // Key results: labels with units, no raw `outcome:` names, whole people.
    let key = element(&html, "<table id=\"kpis\">", "</table>");
    assert!(!key.contains("outcome:"), "{key}");
    assert!(
        key.contains(
            "<td>Got away, 2 Oct 2023 – 31 Jan 2024 [persons]</td><td class=\"n\">122,000</td>"
        ),
        "the running total counts from the report's start (1,000 a day for 122 days): {key}"
    );
    assert!(!key.contains("1,919,27"), "the spin-up is counted: {key}");
    let cells: Vec<&str> = key
        .split("<td class=\"n\">")
        .skip(1)
        .filter_map(|c| c.split('<').next())
        .collect();
    assert!(cells.len() > 20, "{cells:?}");
    for c in cells {
        assert!(!c.contains('.'), "a person count with a fraction: {c}");
    }

    // Every link of the table of contents lands on an id of the page, and
    // every chart has one.
    let toc = element(&html, "<nav id=\"toc\">", "</nav>");
    let links: Vec<&str> = toc
        .split("href=\"#")
        .skip(1)
        .filter_map(|l| l.split('"').next())
        .collect();
    let charts = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "svg"))
        .count();
    assert!(links.len() >= charts + 5, "{links:?}");
    for id in &links {
        assert_eq!(
            html.matches(&format!(" id=\"{id}\"")).count(),
            1,
            "#{id} is not exactly one id of the page"
        );
    }
    assert!(links.contains(&"fig-mx_detections_monthly") && links.contains(&"caveats"));
    let caveats = element(&html, "<ul id=\"caveat-list\">", "</ul>");
    assert!(caveats.contains("Fabricated border-model run &lt;for the report test&gt;"));
    assert!(caveats.contains("60 days before 1 Oct 2023"), "{caveats}");
}

/// The national charts carry one band per closure, each labelled with its
/// own port and dates even when two overlap, and capacity cuts (a partial
/// state, a `port_capacity` intervention) marked apart from closures;
/// Mexico's detections have a monthly chart against the observed months;
/// running totals start at the report's first day.
#[test]
fn charts_mark_each_closure_and_mexico_by_month() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fixture");
    fabricate(&dir);
    borderflow::report::render(&dir).expect("render");
    let run = borderflow::report::data::RunData::load(&dir).expect("load");
    let events = borderflow::report::ports::events(&run);
    let labels: Vec<String> = events.iter().map(|e| e.label(run.start())).collect();
    assert_eq!(
        labels,
        [
            "Eagle Pass at 50% of capacity, 20 Nov 2023 – 20 Dec 2023",
            "Lukeville closed, 4 Dec 2023 – 2 Jan 2024",
            "Eagle Pass closed, 21 Dec 2023 – 30 Dec 2023",
            "San Ysidro capacity ×0.7, 10 Jan 2024 – 20 Jan 2024",
        ]
    );
    assert_eq!(events.iter().filter(|e| e.is_closure()).count(), 2);
    let svg = texts(&dir.join("usbp_apprehensions.svg"));
    for expected in [
        "Lukeville closed, 4 Dec 2023 – 2 Jan 2024",
        "Eagle Pass closed, 21 Dec 2023 – 30 Dec 2023",
        "capacity cut: Eagle Pass at 50% of capacity, 20 Nov 2023 – 20 Dec 2023",
        "capacity cut: San Ysidro capacity ×0.7, 10 Jan 2024 – 20 Jan 2024",
    ] {
        assert!(
            svg.iter().any(|t| t == expected),
            "{expected} not in the USBP chart's legend"
        );
    }
    assert!(
        !svg.iter().any(|t| t.contains("port closed:")),
        "a merged band"
    );

    let monthly = texts(&dir.join("mx_detections_monthly.svg"));
    let has = |t: &str| monthly.iter().any(|m| m == t);
    assert!(
        has("Detections by Mexico's authorities, per month"),
        "{monthly:?}"
    );
    for month in ["Oct 2023", "Nov 2023", "Dec 2023", "Jan 2024"] {
        assert!(has(month), "{month} missing");
    }
    // December's error of the mean: 300,000 against 420,000 observed.
    assert!(has("-28.6%"), "December's miss is not shown");
    assert_png_drawn(&dir.join("mx_detections_monthly.png"));

    let got_away = fs::read_to_string(dir.join("metric_outcome_got_away.svg")).expect("svg");
    assert!(
        got_away.contains("persons since 2 Oct 2023"),
        "running total's start"
    );
    let caravans = fs::read_to_string(dir.join("caravans.svg")).expect("svg");
    assert!(caravans.contains("sets off (scenario)") && caravans.contains("no observed data"));
}
