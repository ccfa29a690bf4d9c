//! Integration tests: report. Charts and `report.html` drawn from a
//! fabricated border-model run folder (every metric of the naming contract,
//! with plausible numbers) and from a real short M/M/c run; the page is then
//! opened in headless Chromium when it is installed.
//!
//! Set `BORDERFLOW_REPORT_KEEP=<folder>` to keep the fixture's run folder
//! there and look at its charts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use borderflow::runner::{RunOptions, run};
use chrono::NaiveDate;

/// First day of the fixture run.
const START: (i32, u32, u32) = (2023, 10, 1);
/// Days of the fixture run: 1 Oct 2023 – 31 Jan 2024.
const DAYS: usize = 123;
/// Replications of the fixture run.
const REPS: usize = 8;
/// The fixture's ports.
const PORTS: [&str; 3] = ["San Ysidro", "Lukeville", "Eagle Pass"];
/// The nine Border Patrol sectors, with each one's share of apprehensions.
const SECTORS: [(&str, f64); 9] = [
    ("San Diego", 0.14),
    ("El Centro", 0.04),
    ("Yuma", 0.06),
    ("Tucson", 0.24),
    ("El Paso", 0.13),
    ("Big Bend", 0.01),
    ("Del Rio", 0.18),
    ("Laredo", 0.04),
    ("Rio Grande Valley", 0.16),
];

/// A small deterministic generator (SplitMix64), so the fixture needs no
/// seeding machinery and is the same on every machine.
pub(crate) struct Noise(pub(crate) u64);

impl Noise {
    /// Uniform in [0, 1).
    pub(crate) fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `v` scaled by a factor uniform in [1 - spread, 1 + spread].
    pub(crate) fn jitter(&mut self, v: f64, spread: f64) -> f64 {
        (v * (1.0 + spread * (2.0 * self.next() - 1.0)))
            .max(0.0)
            .round()
    }
}

/// The fixture's first day.
fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(START.0, START.1, START.2).expect("valid fixture date")
}

/// Quantile `p` of sorted `v`, linear between order statistics.
fn quantile(v: &[f64], p: f64) -> f64 {
    let h = p * (v.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// One replication's metrics by day, in the border model's naming contract.
fn replication(noise: &mut Noise) -> BTreeMap<String, Vec<f64>> {
    let mut m: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut put =
        |name: String, d: usize, v: f64| m.entry(name).or_insert_with(|| vec![0.0; DAYS])[d] = v;
    let lukeville_closed = (64..94).collect::<Vec<usize>>(); // 4 Dec 2023 – 3 Jan 2024
    let level = noise.jitter(1.0, 0.15);
    for d in 0..DAYS {
        // A build-up to a December peak, then January's fall.
        let t = d as f64;
        let season = if d < 70 {
            1.0 + t / 90.0
        } else {
            (1.0 + 70.0 / 90.0) * (1.0 - (t - 70.0) / 110.0)
        };
        let usbp = noise.jitter(5200.0 * season * level, 0.12);
        put("usbp_apprehensions".into(), d, usbp);
        for (s, share) in SECTORS {
            put(format!("usbp_apprehensions:{s}"), d, (usbp * share).round());
        }
        put(
            "mx_detections".into(),
            d,
            noise.jitter(12_000.0 * season, 0.15),
        );
        put("gotaways".into(), d, noise.jitter(1500.0 * season, 0.2));
        put("arrivals".into(), d, noise.jitter(14_000.0 * season, 0.1));
        let mut ofo = 0.0;
        let mut queue = 0.0;
        for (i, p) in PORTS.iter().enumerate() {
            // Two closures that overlap (Lukeville 4 Dec – 2 Jan, Eagle Pass
            // 21–30 Dec, after a month at half capacity), so the charts must
            // keep them apart.
            let open = match (*p, d) {
                ("Lukeville", d) if lukeville_closed.contains(&d) => 0.0,
                ("Eagle Pass", 50..=80) => 0.5,
                ("Eagle Pass", 81..=90) => 0.0,
                _ => 1.0,
            };
            let processed = noise.jitter(open * [900.0, 120.0, 450.0][i], 0.1);
            let q = noise.jitter([600.0, 80.0, 300.0][i] * (2.0 - open) * season, 0.25);
            put(format!("ofo_encounters:{p}"), d, processed);
            put(format!("port_queue:{p}"), d, q);
            put(format!("port_open:{p}"), d, open);
            ofo += processed;
            queue += q;
        }
        put("ofo_encounters".into(), d, ofo);
        put("port_queue".into(), d, queue);
        let modes = [
            ("bus", 38_000.0),
            ("truck", 15_000.0),
            ("train", 9_000.0),
            ("foot", 6_000.0),
        ];
        let mut transit = 0.0;
        for (mode, base) in modes {
            let v = noise.jitter(base * season, 0.1);
            put(format!("in_transit:{mode}"), d, v);
            transit += v;
        }
        put("in_transit".into(), d, transit);
        put("waiting_south".into(), d, noise.jitter(40_000.0, 0.1));
        put(
            "waiting_north".into(),
            d,
            noise.jitter(25_000.0 * season, 0.1),
        );
        // A caravan leaves Tapachula on 24 Dec, walks ~12 km/day and sheds
        // members until it is dissolved after 12 days.
        let (size, km) = match d.checked_sub(84) {
            Some(k) if k < 12 => (
                noise.jitter(7000.0 * 0.9f64.powi(k as i32), 0.1),
                12.0 * (k + 1) as f64,
            ),
            _ => (0.0, 0.0),
        };
        put("caravan_size:Christmas Eve".into(), d, size);
        put("caravan_km:Christmas Eve".into(), d, km);
        put("caravan_size".into(), d, size);
        // A running total that already holds 120,000 people from the
        // spin-up on the first day, then grows by 1,000 a day in every
        // replication: 122,000 from the second day to the last.
        put("outcome:got_away".into(), d, 120_000.0 + 1000.0 * t);
    }
    m
}

/// The fixture's months, in order.
const MONTHS: [&str; 4] = ["2023-10", "2023-11", "2023-12", "2024-01"];

/// Writes a run folder with every file a border-model run leaves.
pub(crate) fn fabricate(dir: &Path) {
    fs::create_dir_all(dir).expect("create fixture folder");
    // A fabricated borderflow result carries the stamp `plot` requires.
    fs::write(dir.join(".borderflow"), "{}\n").expect("stamp");
    let mut noise = Noise(42);
    let reps: Vec<BTreeMap<String, Vec<f64>>> =
        (0..REPS).map(|_| replication(&mut noise)).collect();
    let metrics: Vec<String> = reps[0].keys().cloned().collect();
    let dates: Vec<String> = (0..DAYS)
        .map(|d| (start() + chrono::Duration::days(d as i64)).to_string())
        .collect();
    let date = |d: usize| dates[d].clone();

    // A key `name:place` is metric `name` at `place` in the records;
    // `outcome:*` are national metrics with a colon in their name.
    let split = |m: &str| -> (String, String) {
        if m.starts_with("outcome:") {
            return (m.to_string(), String::new());
        }
        match m.split_once(':') {
            Some((n, p)) => (n.to_string(), p.to_string()),
            None => (m.to_string(), String::new()),
        }
    };
    let mut daily = String::from("replication,date,metric,place,origin,value\n");
    for (r, rep) in reps.iter().enumerate() {
        for (d, day) in dates.iter().enumerate() {
            for m in &metrics {
                let (name, place) = split(m);
                let _ = writeln!(daily, "{r},{day},{name},{place},,{:?}", rep[m][d]);
            }
        }
    }
    let specs: Vec<serde_json::Value> = metrics
        .iter()
        .map(|m| {
            let (name, place) = split(m);
            let kind = if name.starts_with("outcome:") {
                "cumulative"
            } else {
                "count"
            };
            let label = if name == "outcome:got_away" {
                "Got away".to_string()
            } else {
                name.clone()
            };
            let mut spec =
                serde_json::json!({"name": name, "unit": "persons", "kind": kind, "label": label});
            if !place.is_empty() {
                spec["place"] = serde_json::Value::String(place);
            }
            spec
        })
        .collect();
    fs::write(dir.join("daily.csv"), daily).expect("write daily.csv");

    let mut summary = String::from("date,metric,mean,ci95_low,ci95_high,p05,p25,p50,p75,p95\n");
    for d in 0..DAYS {
        for m in &metrics {
            let mut v: Vec<f64> = reps.iter().map(|r| r[m][d]).collect();
            v.sort_by(f64::total_cmp);
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let _ = writeln!(
                summary,
                "{},{m},{mean},{},{},{},{},{},{},{}",
                date(d),
                mean * 0.97,
                mean * 1.03,
                quantile(&v, 0.05),
                quantile(&v, 0.25),
                quantile(&v, 0.5),
                quantile(&v, 0.75),
                quantile(&v, 0.95)
            );
        }
    }
    fs::write(dir.join("daily_summary.csv"), summary).expect("write daily_summary.csv");

    let kpi = |mean: f64| {
        serde_json::json!({"n": REPS, "mean": mean, "ci95_low": mean * 0.98, "ci95_high": mean * 1.02,
            "sd": mean * 0.05, "p05": mean * 0.92, "p25": mean * 0.96, "p50": mean, "p75": mean * 1.04, "p95": mean * 1.08})
    };
    let mut kpi_specs: Vec<serde_json::Value> = [
        (
            "usbp_apprehensions_total",
            "Border Patrol apprehensions, whole run",
        ),
        ("ofo_encounters_total", "OFO encounters, whole run"),
        ("undefined_ci", "A KPI of one replication"),
    ]
    .iter()
    .map(|(k, l)| serde_json::json!({"name": k, "aggregate": "sum", "unit": "persons", "label": l}))
    .collect();
    kpi_specs.push(
        serde_json::json!({"name": "outcome:got_away", "metric": "outcome:got_away",
        "aggregate": "end", "unit": "persons", "label": "Got away by the end"}),
    );
    // Monthly totals (means chosen; the December ones against the observed
    // 249,740 USBP and 420,000 Mexico: +0.5% and -28.6%) and peak days.
    let monthly = [
        (
            "usbp_apprehensions",
            "USBP apprehensions",
            [170_000.0, 190_000.0, 251_000.0, 150_000.0],
        ),
        (
            "ofo_encounters",
            "OFO encounters",
            [50_000.0, 51_000.0, 48_000.0, 52_000.0],
        ),
        (
            "mx_detections",
            "Detections by Mexico",
            [380_000.0, 350_000.0, 300_000.0, 250_000.0],
        ),
        (
            "usbp_apprehensions:peak_day",
            "USBP apprehensions, peak day of",
            [7_000.0, 7_500.0, 9_876.0, 6_000.0],
        ),
    ];
    let mut kpis = serde_json::json!({"usbp_apprehensions_total": kpi(812_345.0), "ofo_encounters_total": kpi(171_000.0),
        "undefined_ci": {"n": 1, "mean": 3.0, "ci95_low": null, "ci95_high": null},
        // The spin-up counted, in fractional people: what the report must not show.
        "outcome:got_away": kpi(1_919_278.29)});
    for (metric, label, means) in monthly {
        for (month, mean) in MONTHS.iter().zip(means) {
            let name = format!("{metric}:{month}");
            let date =
                NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("month");
            let label = if metric.ends_with("peak_day") {
                format!("{label} {}", date.format("%B %Y"))
            } else {
                format!("{label}, {}", date.format("%B %Y"))
            };
            let base = metric.split(':').next().unwrap_or(metric);
            kpi_specs.push(
                serde_json::json!({"name": name, "metric": base, "aggregate": "sum",
                "unit": "persons", "label": label, "month": month}),
            );
            kpis[name] = kpi(mean);
        }
    }
    let json = serde_json::json!({
        "borderflow_version": "0.1.0",
        "scenario": "fixture",
        "description": "Fabricated border-model run <for the report test> & nothing else",
        "scenario_hash": "0123abcd",
        "seed": 7,
        "replications": REPS,
        "start": start().to_string(),
        "end": date(DAYS - 1),
        "days": DAYS,
        "metrics": specs,
        "kpis": kpis,
        "kpi_specs": kpi_specs,
    });
    fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(&json).expect("json"),
    )
    .expect("write summary.json");

    let ron = r#"(
    name: "fixture",
    description: "Fabricated border-model run",
    start: "2023-10-01",
    end: "2024-01-31",
    seed: 7,
    replications: 8,
    observed: [
        (metric: "usbp_apprehensions", source: "CBP", monthly: [("2023-09", 219000.0), ("2023-10", 188000.0), ("2023-11", 191000.0), ("2023-12", 249740.0), ("2024-01", 124000.0)]),
        (metric: "ofo_encounters", source: "CBP", monthly: [("2023-10", 52000.0), ("2023-11", 51000.0), ("2023-12", 52241.0), ("2024-01", 52000.0)]),
        (metric: "mx_detections", source: "UPM", monthly: [("2023-10", 390000.0), ("2023-11", 360000.0), ("2023-12", 420000.0), ("2024-01", 240000.0)]),
    ],
    model: (
        kind: "border",
        spinup_days: 60,
        caravans: [(name: "Christmas Eve", hub: "Tapachula", start: "2023-12-24", dissolve_on: "2024-01-05", halt_at_km: 100)],
        cbp_one_slots_per_day: 1450,
        caravan_speed_km_per_day: 12.0,
        ports: [(name: "San Ysidro"), (name: "Lukeville"), (name: "Eagle Pass")],
        interventions: [
            (name: "Lukeville closed", kind: "port_state", start: "2023-12-04", end: "2024-01-03", port: "Lukeville", state: "closed"),
            (name: "Eagle Pass partly open", kind: "port_state", start: "2023-11-20", end: "2023-12-20", port: "Eagle Pass", fraction: 0.5),
            (name: "San Ysidro officers reassigned", kind: "port_capacity", from: "2024-01-10", until: "2024-01-20", port: "San Ysidro", multiplier: 0.7),
        ],
    ),
)"#;
    fs::write(dir.join("scenario.ron"), ron).expect("write scenario.ron");
}

/// Asserts a PNG decodes, has the expected size and is not blank: at least
/// 2% of its pixels differ from the background and it has some variety of
/// colours (text anti-aliasing and bands alone give dozens).
pub(crate) fn assert_png_drawn(path: &Path) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    let bg = *img.get_pixel(0, 0);
    let differing = img.pixels().filter(|p| **p != bg).count();
    let total = (img.width() * img.height()) as usize;
    let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        differing * 50 > total && colours.len() > 20,
        "{} looks blank: {differing} of {total} pixels drawn, {} colours",
        path.display(),
        colours.len()
    );
}

/// Checks the files `render` wrote: every PNG drawn, every SVG with text,
/// the report self-contained with the KPI table and one inline SVG per chart.
fn check_rendered(dir: &Path, files: &[PathBuf]) -> String {
    let pngs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
        .collect();
    let svgs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert!(!pngs.is_empty() && pngs.len() == svgs.len(), "{files:?}");
    for p in &pngs {
        assert_png_drawn(p);
    }
    for s in &svgs {
        let text = fs::read_to_string(s).expect("read svg");
        assert!(text.contains("<text"), "{} has no text", s.display());
    }
    let html = fs::read_to_string(dir.join("report.html")).expect("read report.html");
    assert!(html.contains("<table id=\"kpis\">"), "no KPI table");
    assert_eq!(
        html.matches("<svg class=\"chart\"").count(),
        svgs.len(),
        "one inline SVG per chart"
    );
    for external in ["<script", "<link", "src=\"http", "@import", "url(http"] {
        assert!(
            !html.contains(external),
            "report.html fetches something: {external}"
        );
    }
    html
}

#[test]
fn renders_every_chart_of_a_border_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = std::env::var_os("BORDERFLOW_REPORT_KEEP")
        .map_or_else(|| tmp.path().join("fixture"), PathBuf::from);
    fabricate(&dir);
    let files = borderflow::report::render(&dir).expect("render");
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for expected in [
        "usbp_apprehensions.png",
        "ofo_encounters.png",
        "mx_detections_cumulative.png",
        "where_people_are.png",
        "port_san_ysidro.png",
        "port_lukeville.png",
        "port_eagle_pass.svg",
        "caravans.png",
        "sectors.png",
        "metric_gotaways.png",
        "metric_arrivals.png",
        "report.html",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    // Everything with a specific chart has no generic one as well.
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("metric_usbp") || n.starts_with("metric_in_transit"))
    );
    let html = check_rendered(&dir, &files);
    assert!(
        html.contains("Fabricated border-model run &lt;for the report test&gt; &amp; nothing else")
    );
    assert!(html.contains(
        "<td>Lukeville closed</td><td>port_state</td><td>2023-12-04</td><td>2024-01-03</td>"
    ));
    assert!(html.contains("812,345"), "KPI mean formatted");
    // KPIs in the model's order; monthly ones pivoted beside the observed.
    let (total, ofo) = (
        html.find("Border Patrol apprehensions, whole run [persons]"),
        html.find("OFO encounters, whole run [persons]"),
    );
    assert!(total.is_some() && total < ofo, "model's KPI order");
    assert!(html.contains("<table id=\"monthly\">"), "no monthly table");
    assert!(
        html.contains("<td>2023-12</td><td class=\"n\">251,000<br>"),
        "monthly mean"
    );
    assert!(
        html.contains("<td class=\"n obs\">249,740</td>"),
        "observed beside simulated"
    );
    check_in_chromium(&dir.join("report.html"), "id=\"summary-text\"");
}

#[test]
fn renders_a_real_mmc_run_and_redraws_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("mmc");
    let scn = borderflow::Scenario::from_file(Path::new("scenarios/mmc.ron")).expect("scenario");
    let opts = RunOptions {
        replications: Some(4),
        out: Some(out.clone()),
        charts: Some(borderflow::report::draw),
        ..Default::default()
    };
    run(&scn, &opts, None).expect("run");
    // The run drew its charts before the folder was committed.
    assert!(out.join("report.html").is_file() && out.join("metric_queue_length.png").is_file());
    let files = borderflow::report::render(&out).expect("render");
    assert_eq!(
        files.len(),
        2 * 5 + 1,
        "a generic fan per M/M/c metric, and the report"
    );
    check_rendered(&out, &files);
}

#[test]
fn a_missing_or_broken_folder_is_an_input_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let missing = borderflow::report::render(&tmp.path().join("nope")).expect_err("missing folder");
    assert_eq!(missing.exit_code(), 2, "{missing}");
    fs::write(tmp.path().join("summary.json"), "{not json").expect("write");
    let broken = borderflow::report::render(tmp.path()).expect_err("broken summary");
    assert_eq!(broken.exit_code(), 2, "{broken}");
    assert!(broken.to_string().contains("summary.json"), "{broken}");

    // A damaged fixture: each damage is an input error naming the file, or
    // (for the optional scenario.ron) a report without parameter tables.
    let dir = tmp.path().join("fixture");
    fabricate(&dir);
    fs::write(dir.join("scenario.ron"), "(name: \"unterminated").expect("write");
    borderflow::report::render(&dir).expect("renders without a readable scenario.ron");
    let html = fs::read_to_string(dir.join("report.html")).expect("read");
    assert!(!html.contains("Key parameters"));
    let daily = fs::read_to_string(dir.join("daily.csv")).expect("read");
    fs::write(
        dir.join("daily.csv"),
        daily.replacen("Yuma,,", "Yuma,,many", 1),
    )
    .expect("write");
    let err = borderflow::report::render(&dir).expect_err("bad value in daily.csv");
    assert!(
        err.exit_code() == 2 && err.to_string().contains("daily.csv"),
        "{err}"
    );
    fs::write(
        dir.join("daily_summary.csv"),
        "date,metric,mean\n2023-13-45,x,1\n",
    )
    .expect("write");
    let err = borderflow::report::render(&dir).expect_err("bad daily_summary.csv");
    assert!(
        err.exit_code() == 2 && err.to_string().contains("daily_summary.csv"),
        "{err}"
    );
}

/// Opens `report.html` in headless Chromium: the parsed page must hold
/// `must_hold` (the run report's KPI table, `id="kpis"`) and a chart, and
/// the screenshot must not be blank. Skipped, saying so, where Chromium is
/// not installed.
pub(crate) fn check_in_chromium(report: &Path, must_hold: &str) {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok()
        })
    else {
        // CI installs Chromium (.ci/run): there, its absence is a failure.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but no chromium on PATH for the report check"
        );
        // Shown past the harness's capture, so a skip is seen.
        super::progress::note(&format!(
            "SKIPPED: headless Chromium check of {} (no `chromium` on PATH; `apt-get install chromium`)",
            report.display()
        ));
        return;
    };
    let work = tempfile::tempdir().expect("tempdir");
    let shot = work.path().join("report.png");
    let url = format!(
        "file://{}",
        report.canonicalize().expect("report path").display()
    );
    let common = |cmd: &mut Command| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.path().join("profile").display()
        ));
    };
    let mut shoot = Command::new(chromium);
    common(&mut shoot);
    shoot
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2000")
        .arg(&url);
    run_with_timeout(shoot, Duration::from_secs(90));
    assert_png_drawn(&shot);
    let mut dump = Command::new(chromium);
    common(&mut dump);
    dump.arg("--dump-dom").arg(&url);
    let dom = run_with_timeout(dump, Duration::from_secs(90));
    assert!(
        dom.contains(must_hold),
        "Chromium's DOM does not hold {must_hold}"
    );
    assert!(dom.contains("<svg"), "Chromium's DOM has no chart");
}

/// Runs `cmd`, killing it after `limit`; returns its stdout.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> String {
    let out_file = tempfile::NamedTempFile::new().expect("temp file");
    let mut child = cmd
        .stdout(out_file.reopen().expect("reopen"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            panic!("chromium did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    fs::read_to_string(out_file.path()).expect("read chromium output")
}

#[test]
fn plot_redraws_a_run_folder_and_rejects_a_bad_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fixture");
    fabricate(&dir);
    let bin = env!("CARGO_BIN_EXE_borderflow");
    let ok = Command::new(bin)
        .arg("plot")
        .arg(&dir)
        .output()
        .expect("run borderflow plot");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(dir.join("report.html").is_file() && dir.join("sectors.png").is_file());
    let bad = Command::new(bin)
        .arg("plot")
        .arg(tmp.path().join("no-such-run"))
        .output()
        .expect("run borderflow plot");
    assert_eq!(bad.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("no-such-run") && msg.contains("not a folder"),
        "{msg}"
    );
    // A folder borderflow did not write is not drawn into.
    let foreign = tmp.path().join("foreign");
    fs::create_dir(&foreign).unwrap();
    let bad = Command::new(bin)
        .arg("plot")
        .arg(&foreign)
        .output()
        .expect("run borderflow plot");
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(fs::read_dir(&foreign).unwrap().count(), 0);
}

/// The files a report reads back must be regular files, read within the
/// input limit: a FIFO in place of the optional `scenario.ron` is skipped
/// like an unreadable one (it used to block forever), and one in place of
/// `daily_summary.csv`, or `summary.json` linked to `/dev/zero`, is an input
/// error naming the file (exit code 2), not a read without end.
#[test]
fn saved_files_that_are_not_regular_files_are_refused() {
    use super::sweep::{fifo, within};
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fixture");
    fabricate(&dir);
    let render = |what: &str| {
        let d = dir.clone();
        within(Duration::from_secs(60), what, move || {
            borderflow::report::render(&d)
                .map(|_| ())
                .map_err(|e| (e.exit_code(), e.to_string()))
        })
    };

    fs::remove_file(dir.join("scenario.ron")).expect("remove");
    fifo(&dir.join("scenario.ron"));
    render("scenario.ron as a FIFO").expect("renders without the scenario");
    let html = fs::read_to_string(dir.join("report.html")).expect("read");
    assert!(!html.contains("Key parameters"));

    fs::rename(dir.join("daily_summary.csv"), dir.join("kept.csv")).expect("rename");
    fifo(&dir.join("daily_summary.csv"));
    let (code, err) = render("daily_summary.csv as a FIFO").expect_err("a FIFO");
    assert!(
        code == 2 && err.contains("daily_summary.csv") && err.contains("not a regular file"),
        "{err}"
    );
    fs::remove_file(dir.join("daily_summary.csv")).expect("remove");
    fs::rename(dir.join("kept.csv"), dir.join("daily_summary.csv")).expect("rename");

    fs::remove_file(dir.join("summary.json")).expect("remove");
    std::os::unix::fs::symlink("/dev/zero", dir.join("summary.json")).expect("symlink");
    let (code, err) = render("summary.json as /dev/zero").expect_err("a device");
    assert!(
        code == 2 && err.contains("summary.json") && err.contains("not a regular file"),
        "{err}"
    );
}

/// The fixture's scenario with observed series per sector (Oct – Nov 2023:
/// the fixture's sector data stop there, as CBP's FY2023 file stops in Sep
/// 2023) and the Christmas Eve caravan's reported days.
fn with_sector_and_caravan_observations(dir: &Path) {
    let ron = fs::read_to_string(dir.join("scenario.ron")).expect("read scenario.ron");
    let sectors: String = SECTORS
        .iter()
        .map(|(s, share)| {
            format!(
                r#"(metric: "usbp_apprehensions", place: "{s}", role: "fit", source: "CBP by sector (x.csv)", monthly: [("2023-10", {}), ("2023-11", {})]),"#,
                (188_000.0 * share).round(),
                (191_000.0 * share).round()
            )
        })
        .collect();
    let caravan = r#"observed_caravans: [(caravan: "Christmas Eve", source: "press",
        days: [(date: "2023-12-24", km: 15, size: 8000), (date: "2023-12-26", km: 62), (date: "2023-12-28", km: 105)])],
    model: ("#;
    let ron = ron
        .replacen(
            "    observed: [\n",
            &format!("    observed: [\n{sectors}\n"),
            1,
        )
        .replacen("    model: (", caravan, 1);
    fs::write(dir.join("scenario.ron"), ron).expect("write scenario.ron");
}

/// The sectors chart draws a panel per sector with the observed monthly
/// totals as dots and says there is no observed split after the last
/// observed month; the caravans chart draws the reported days and says
/// which lines are simulated and which dots observed.
#[test]
fn sector_and_caravan_charts_show_their_observations() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("fixture");
    fabricate(&dir);
    borderflow::report::render(&dir).expect("render");
    let count_dots = |svg: &str| svg.matches("<circle").count();
    let before = fs::read_to_string(dir.join("sectors.svg")).expect("svg");
    let caravans_before = fs::read_to_string(dir.join("caravans.svg")).expect("svg");
    assert!(caravans_before.contains("no observed data"));

    with_sector_and_caravan_observations(&dir);
    borderflow::report::render(&dir).expect("render with observations");
    let svg = fs::read_to_string(dir.join("sectors.svg")).expect("svg");
    // 9 sectors × 2 observed months, plus the legend's dot.
    assert_eq!(
        count_dots(&svg) - count_dots(&before),
        9 * 2 + 1,
        "one dot per sector and observed month"
    );
    assert!(
        svg.contains("observed monthly total (CBP by sector); no observed split after Nov 2023"),
        "the legend says what the dots are and where they stop"
    );
    for s in ["San Diego", "Rio Grande Valley", "Oct 23", "Jan 24"] {
        assert!(svg.contains(s), "{s} missing from the sectors chart");
    }
    assert_png_drawn(&dir.join("sectors.png"));

    let caravans = fs::read_to_string(dir.join("caravans.svg")).expect("svg");
    assert!(
        caravans.contains("Christmas Eve (simulated)")
            && caravans.contains("observed: reported km by date; size only where a number")
            && caravans.contains("dots: observed")
            && !caravans.contains("no observed data"),
        "caravans chart does not say what is observed"
    );
    // Three reported positions and one reported size, plus the legend's dot.
    assert_eq!(
        count_dots(&caravans) - count_dots(&caravans_before),
        3 + 1 + 1
    );
    // The 15-day zoom gets weekly day ticks, not one month label.
    assert!(caravans.contains("28 Dec") && !caravans.contains("Jan 2024"));
}

/// The baseline carries CBP's sector counts for Jan – Sep 2023 only, and
/// its calibration, which fits the same months as sector shares, does not
/// take them as level targets a second time.
#[test]
fn baseline_sector_series_are_not_fitted_twice() {
    let scn =
        borderflow::Scenario::from_file(Path::new("scenarios/baseline.ron")).expect("baseline");
    let per_sector: Vec<_> = scn.observed.iter().filter(|o| o.place.is_some()).collect();
    assert_eq!(per_sector.len(), 9, "one series per sector");
    let last = NaiveDate::from_ymd_opt(2023, 9, 1).expect("date");
    assert!(
        per_sector
            .iter()
            .all(|o| o.monthly.len() == 9 && o.monthly.iter().all(|m| m.0 <= last))
    );
    let cal = borderflow::calibrate::load(Path::new("scenarios/calibration/baseline.ron"), &[])
        .expect("calibration");
    let levels_at_sectors = cal.targets.iter().filter(|t| t.place.is_some()).count();
    assert_eq!(levels_at_sectors, 0, "per-sector levels beside the shares");
    // The national series still come from the base: USBP, OFO and Mexico.
    let national_fit = cal
        .targets
        .iter()
        .filter(|t| t.place.is_none() && t.role == borderflow::scenario::Role::Fit)
        .count();
    assert_eq!(
        national_fit,
        3 + 2 + 1 + 2,
        "base's three, December twice, the sector shares and the two nationality splits"
    );
}
