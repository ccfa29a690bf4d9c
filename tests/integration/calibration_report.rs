//! Integration tests: the calibration report. A fabricated calibration
//! folder, written with the result types' own writers (4 parameters, one of
//! them log-uniform and one whose path holds quotes; 2 targets, one with
//! held-out months; 3 generations; 50 weighted draws), is drawn and its
//! charts, page and redraw checked; damaged folders are input errors.
//!
//! Set `BORDERFLOW_CALIBRATION_KEEP=<folder>` to keep the fixture of
//! `renders_every_chart_of_a_calibration` there and look at its charts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use borderflow::report::calibration::render_folder;
use borderflow::results::calibration::{CalibrationSummary, Generation, ParameterSummary};
use borderflow::results::score::{FitRow, ScoreRow, write_table};
use chrono::{Months, NaiveDate};

use super::report::{Noise, assert_png_drawn, check_in_chromium};

/// Posterior draws in the fixture.
const DRAWS: usize = 50;
/// The parameter whose path holds quotes (CSV-quoted in the header).
const VENEZUELA: &str = "model.origins[\"Venezuela\"].persons_per_driver_person";
/// The grey of shaded holdout months (`report::style::SHADE`).
const SHADE: [u8; 3] = [215, 215, 215];
/// Charts a full fixture draws, PNG and SVG each.
const CHARTS: [&str; 5] = [
    "fit_usbp_apprehensions",
    "fit_mx_detections",
    "posterior_marginals",
    "posterior_pairs",
    "convergence",
];

impl Noise {
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.next().max(1e-12);
        let v = self.next();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// A parameter of the fixture with its prior, and its posterior summarised
/// from `values` by the library's own weighted quantiles.
fn parameter(
    (path, label, prior): (&str, &str, &str),
    (min, max): (f64, f64),
    integer: bool,
    base: f64,
    values: &[f64],
    weights: &[f64],
) -> ParameterSummary {
    let members: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    let q = borderflow::score::quantiles(&members, &[0.05, 0.5, 0.95]);
    ParameterSummary {
        path: path.into(),
        label: label.into(),
        min,
        max,
        prior: prior.into(),
        integer,
        base_value: Some(base),
        estimate: q[1],
        p05: q[0],
        p95: q[2],
    }
}

/// The 50 weighted draws of the 4 parameters, and their summaries.
fn posterior(noise: &mut Noise) -> (Vec<ParameterSummary>, Vec<f64>, Vec<Vec<f64>>) {
    let weights: Vec<f64> = (0..DRAWS).map(|_| 0.2 + 1.6 * noise.next()).collect();
    let mut cols = vec![Vec::new(); 4];
    for _ in 0..DRAWS {
        let personnel = (26_000.0 + 3_000.0 * noise.normal())
            .round()
            .clamp(5_000.0, 40_000.0);
        cols[0].push(personnel);
        cols[1].push((8f64.ln() + 0.35 * noise.normal()).exp().clamp(0.5, 50.0));
        // Detection trades off against enforcement: a ridge in the pairs.
        cols[2]
            .push((0.62 - 1e-5 * (personnel - 26_000.0) + 0.015 * noise.normal()).clamp(0.3, 0.95));
        cols[3].push((14.0 + 1.5 * noise.normal()).clamp(4.0, 25.0));
    }
    let params = vec![
        parameter(
            (
                "model.mexico.enforcement_personnel",
                "Mexican enforcement personnel",
                "uniform",
            ),
            (5_000.0, 40_000.0),
            true,
            20_000.0,
            &cols[0],
            &weights,
        ),
        parameter(
            (VENEZUELA, "Venezuelans per smuggler", "log_uniform"),
            (0.5, 50.0),
            false,
            5.0,
            &cols[1],
            &weights,
        ),
        parameter(
            (
                "model.usbp.detection_probability",
                "USBP detection probability",
                "uniform",
            ),
            (0.3, 0.95),
            false,
            0.7,
            &cols[2],
            &weights,
        ),
        parameter(
            (
                "model.caravan_speed_km_per_day",
                "Caravan speed",
                "normal(12, 3)",
            ),
            (4.0, 25.0),
            false,
            12.0,
            &cols[3],
            &weights,
        ),
    ];
    (params, weights, cols)
}

/// `fit.csv` and `score.csv` rows of one target: `months` months from
/// January 2023 around `level` per month, the last `holdout` of them held out.
fn target(
    noise: &mut Noise,
    metric: &str,
    level: f64,
    months: u32,
    holdout: u32,
) -> (Vec<FitRow>, Vec<ScoreRow>) {
    let first = NaiveDate::from_ymd_opt(2023, 1, 1).expect("a date");
    let mut rows = Vec::new();
    for i in 0..months {
        let month = first + Months::new(i);
        let season = 1.0 + 0.35 * (f64::from(i) / 12.0 * 2.0 * std::f64::consts::PI).sin();
        let observed = noise.jitter(level * season, 0.08);
        let mean = noise.jitter(observed, 0.1);
        rows.push(FitRow {
            metric: metric.into(),
            place: String::new(),
            origin: String::new(),
            role: if i >= months - holdout {
                "holdout"
            } else {
                "fit"
            }
            .into(),
            month: month.format("%Y-%m").to_string(),
            observed,
            mean,
            p05: (mean * 0.82).round(),
            p50: mean,
            p95: (mean * 1.18).round(),
            rel_error: (mean - observed) / observed,
        });
    }
    let score = |role: &str| {
        let r: Vec<&FitRow> = rows.iter().filter(|r| r.role == role).collect();
        let n = r.len() as f64;
        ScoreRow {
            metric: metric.into(),
            place: String::new(),
            origin: String::new(),
            role: role.into(),
            kind: "monthly".into(),
            months: r.len(),
            mean_abs_rel_error: r.iter().map(|x| x.rel_error.abs()).sum::<f64>() / n,
            coverage90: r
                .iter()
                .filter(|x| x.p05 <= x.observed && x.observed <= x.p95)
                .count() as f64
                / n,
            crps_rel: r
                .iter()
                .map(|x| 0.6 * x.rel_error.abs() + 0.02)
                .sum::<f64>()
                / n,
            tv_distance: f64::NAN,
        }
    };
    let mut scores = vec![score("fit")];
    if holdout > 0 {
        scores.push(score("holdout"));
    }
    (rows, scores)
}

/// The summary `calibrate` would write for the fixture.
fn summary(parameters: Vec<ParameterSummary>) -> CalibrationSummary {
    let generation_row =
        |generation, tolerance, acceptance, ess, simulations, seconds| Generation {
            generation,
            tolerance,
            acceptance,
            ess,
            simulations,
            seconds,
        };
    CalibrationSummary {
        kind: "calibrate".into(),
        borderflow_version: env!("CARGO_PKG_VERSION").into(),
        name: "southwest-2023 <fixture>".into(),
        description: "Fabricated calibration for the report test & nothing else.".into(),
        base_scenario: "southwest-border-2023".into(),
        base_hash: "3f9a0c41d2e7".into(),
        seed: 20_240_601,
        method: "ABC-SMC, 200 particles, half kept per generation, until the tolerance \
                 reaches 1 or 5,000 model runs"
            .into(),
        stopped: "the tolerance 0.92 fell below the stated discrepancy (1)".into(),
        discrepancy: 0.15,
        share_discrepancy: 0.05,
        realised_error: 0.112,
        replications: 4,
        draws: DRAWS,
        ess: 38.2,
        simulations: 4_300,
        seconds: 212.4,
        threads: 2,
        fit_end: "2023-12-31".into(),
        predictive_end: "2024-03-31".into(),
        parameters,
        generations: vec![
            generation_row(0, 6.8, 1.0, 180.0, 800, 41.0),
            generation_row(1, 2.3, 0.34, 150.0, 900, 47.5),
            generation_row(2, 0.92, 0.11, 132.0, 2_400, 120.2),
        ],
        uncertainty: "Each interval holds parameter uncertainty (the posterior), Monte Carlo \
                      variation (4 replications per draw) and the stated model discrepancy of 15%; \
                      not the error of the observed data, nor of the model's structure."
            .into(),
    }
}

/// Writes a complete calibration folder into `dir`, stamped as borderflow
/// stamps its output folders.
fn fabricate(dir: &Path) {
    fs::create_dir_all(dir).expect("create fixture folder");
    let stamp = serde_json::json!({
        "written_by": "borderflow",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "calibrate",
    });
    fs::write(dir.join(".borderflow"), format!("{stamp:#}\n")).expect("stamp");
    let mut noise = Noise(7);
    let (params, weights, cols) = posterior(&mut noise);

    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["draw".to_string(), "weight".to_string()];
    header.extend(params.iter().map(|p| p.path.clone()));
    w.write_record(&header).expect("header");
    for d in 0..DRAWS {
        let mut row = vec![d.to_string(), weights[d].to_string()];
        row.extend(cols.iter().map(|c| c[d].to_string()));
        w.write_record(&row).expect("row");
    }
    let csv = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    assert!(
        csv.lines().next().is_some_and(
            |h| h.contains("\"model.origins[\"\"Venezuela\"\"].persons_per_driver_person\"")
        ),
        "the fixture quotes paths as posterior.csv does"
    );
    fs::write(dir.join("posterior.csv"), csv).expect("posterior.csv");

    let (mut fit, mut scores) = target(&mut noise, "usbp_apprehensions", 190_000.0, 15, 3);
    let (mx_fit, mx_scores) = target(&mut noise, "mx_detections", 85_000.0, 12, 0);
    fit.extend(mx_fit);
    scores.extend(mx_scores);
    write_table(&dir.join("fit.csv"), &fit).expect("fit.csv");
    write_table(&dir.join("score.csv"), &scores).expect("score.csv");

    let summary = summary(params);
    write_table(&dir.join("generations.csv"), &summary.generations).expect("generations.csv");
    let json = serde_json::to_string_pretty(&summary).expect("json");
    fs::write(dir.join("calibration.json"), json).expect("calibration.json");
    for (file, text) in [
        (
            "base.ron",
            "(name: \"southwest-border-2023\", model: (kind: \"border\"))\n",
        ),
        (
            "calibration.ron",
            "(name: \"southwest-2023\", base: \"base.ron\")\n",
        ),
        ("calibrated.ron", "(extend: \"base.ron\", set: {})\n"),
    ] {
        fs::write(dir.join(file), text).expect("ron");
    }
}

/// A fixture folder in a temporary directory.
fn fixture(tmp: &tempfile::TempDir) -> PathBuf {
    let dir = tmp.path().join("calibration");
    fabricate(&dir);
    dir
}

/// File names of `files`.
fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect()
}

#[test]
fn renders_every_chart_of_a_calibration() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Only this test keeps its folder: the others damage theirs.
    let dir = std::env::var_os("BORDERFLOW_CALIBRATION_KEEP")
        .map_or_else(|| tmp.path().join("calibration"), PathBuf::from);
    fabricate(&dir);
    let files = render_folder(&dir).expect("render");
    let names = names(&files);
    let mut expected: Vec<String> = CHARTS
        .iter()
        .flat_map(|c| [format!("{c}.png"), format!("{c}.svg")])
        .collect();
    expected.push("report.html".into());
    assert_eq!(names, expected, "every chart, the report last");
    for f in &files {
        match f.extension().and_then(|e| e.to_str()) {
            Some("png") => assert_png_drawn(f),
            Some("svg") => {
                let text = fs::read_to_string(f).expect("read svg");
                assert!(text.contains("<text"), "{} has no text", f.display());
            }
            _ => {}
        }
    }
    // The y axis of a fit writes monthly totals in full, with separators.
    let svg = fs::read_to_string(dir.join("fit_usbp_apprehensions.svg")).expect("svg");
    assert!(svg.contains("apprehensions [persons/month]"), "y axis unit");
    assert!(
        svg.contains("200,000"),
        "thousands separators on the y axis"
    );
    assert!(svg.contains("holdout (never fitted)"), "holdout labelled");
    // Four panels, the log-uniform one in log scale.
    let svg = fs::read_to_string(dir.join("posterior_marginals.svg")).expect("svg");
    assert!(
        svg.contains("Venezuelans per smuggler (log scale)"),
        "log panel"
    );
    assert_eq!(svg.matches("Caravan speed").count(), 1, "one panel each");
    check_in_chromium(&dir.join("report.html"), "id=\"toc\"");
}

/// Columns of `png` in which at least `min` pixels below the title and
/// legend are the holdout grey: the shading spans the plot's height, a
/// legend swatch or a letter never does.
fn shaded_columns(png: &Path, min: usize) -> Vec<u32> {
    let img = image::open(png).expect("decode png").to_rgb8();
    (0..img.width())
        .filter(|&x| {
            (120..img.height())
                .filter(|&y| img.get_pixel(x, y).0 == SHADE)
                .count()
                >= min
        })
        .collect()
}

#[test]
fn holdout_months_are_shaded() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fixture(&tmp);
    render_folder(&dir).expect("render");
    let png = dir.join("fit_usbp_apprehensions.png");
    let width = image::open(&png).expect("decode").width();
    let shaded = shaded_columns(&png, 60);
    // Jan 2024 – Mar 2024 of Jan 2023 – Mar 2024: 91 of 456 days, a fifth
    // of a plot about 1,040 px wide, at its right end.
    assert!(
        (150..=260).contains(&shaded.len()),
        "{} shaded columns, expected about 208",
        shaded.len()
    );
    let (first, last) = (shaded[0], shaded[shaded.len() - 1]);
    assert!(
        first > width * 7 / 10 && last > width * 85 / 100,
        "shading at x {first}–{last} of {width}, not at the right end"
    );
    assert_eq!(
        (last - first + 1) as usize,
        shaded.len(),
        "one unbroken span"
    );
    // The series without holdout months has none.
    assert!(shaded_columns(&dir.join("fit_mx_detections.png"), 60).is_empty());
}

#[test]
fn report_has_contents_parameters_and_the_holdout_note() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fixture(&tmp);
    render_folder(&dir).expect("render");
    let html = fs::read_to_string(dir.join("report.html")).expect("read report.html");
    let cal = CalibrationSummary::load(&dir).expect("summary");

    let toc = &html[html.find("<nav id=\"toc\">").expect("a table of contents")..];
    let toc = &toc[..toc.find("</nav>").expect("end of contents")];
    for id in [
        "summary",
        "parameters",
        "scores",
        "fit",
        "marginals",
        "pairs",
        "convergence",
    ] {
        assert!(
            toc.contains(&format!("href=\"#{id}\"")),
            "contents lack {id}"
        );
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "no section {id}"
        );
    }
    // The summary is written from the numbers, escaped.
    assert!(html.contains("“southwest-2023 &lt;fixture&gt;” calibrated 4 parameters"));
    assert!(html.contains("against 2 observed series (24 months fitted, 3 months held out)"));
    assert!(html.contains("4,300 model runs in 3 min 32 s on 2 worker threads"));
    assert!(html.contains("off by 11.2%") && html.contains("discrepancy of 15%"));
    assert!(html.contains("within the discrepancy it was allowed"));
    assert!(html.contains("Monte Carlo variation (4 replications per draw)"));

    // A row per parameter: label, path (quotes escaped), prior, estimate.
    for (i, p) in cal.parameters.iter().enumerate() {
        let start = html
            .find(&format!("<tr id=\"parameter-{i}\">"))
            .unwrap_or_else(|| panic!("no row for {}", p.path));
        let row = &html[start..start + html[start..].find("</tr>").expect("row end")];
        let path = p.path.replace('"', "&quot;");
        assert!(row.contains(&p.label) && row.contains(&path), "{row}");
        assert!(row.contains(&format!("<td>{}", p.prior)), "{row}");
    }
    let row0 = &html[html.find("<tr id=\"parameter-0\">").expect("row")..];
    assert!(
        row0.starts_with(&format!(
            "<tr id=\"parameter-0\"><td>Mexican enforcement personnel<br><code>\
             model.mexico.enforcement_personnel</code></td><td>uniform (integer)</td>\
             <td class=\"n\">5,000 – 40,000</td><td class=\"n\">20,000</td><td class=\"n\">{}</td>",
            borderflow::report::style::fmt_num(cal.parameters[0].estimate, 0)
        )),
        "{}",
        &row0[..400]
    );
    assert!(html.contains("model.origins[&quot;Venezuela&quot;].persons_per_driver_person"));

    // Scores: one row per target and role, the holdout row marked, the note.
    let table = &html[html
        .find("<table id=\"score-table\">")
        .expect("score table")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert_eq!(table.matches("<tr").count(), 4, "header and 3 rows");
    assert_eq!(table.matches("<tr class=\"holdout\">").count(), 1);
    let note = html.find("id=\"holdout-note\"").expect("holdout note");
    assert!(html[note..].contains("Holdout months never entered the objective"));

    // One inline SVG per chart, each with its caption; nothing fetched.
    assert_eq!(html.matches("<svg class=\"chart\"").count(), CHARTS.len());
    assert_eq!(html.matches("<figcaption>").count(), CHARTS.len());
    for external in ["<script", "<link", "src=\"http", "@import", "url(http"] {
        assert!(!html.contains(external), "report.html fetches: {external}");
    }
}

#[test]
fn plot_redraws_a_calibration_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fixture(&tmp);
    let files = render_folder(&dir).expect("render");
    let drawn: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|f| (f.clone(), fs::read(f).expect("read")))
        .collect();
    for f in &files {
        fs::remove_file(f).expect("remove");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .arg("plot")
        .arg(&dir)
        .output()
        .expect("run borderflow plot");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("5 charts (PNG + SVG) and "), "{stdout}");
    for (f, bytes) in &drawn {
        let again = fs::read(f).unwrap_or_else(|e| panic!("{} not redrawn: {e}", f.display()));
        // Drawing is deterministic: the SVGs and the page are the same bytes.
        if f.extension().is_some_and(|e| e == "svg" || e == "html") {
            assert!(&again == bytes, "{} differs when redrawn", f.display());
        }
    }
    // `draw_files` (what `plot` calls) knows the folder by calibration.json.
    let again = borderflow::report::draw_files(&dir).expect("draw_files");
    assert_eq!(names(&again), names(&files));
}

/// Runs `borderflow plot` on `dir`; returns the exit code and stderr.
fn plot(dir: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .arg("plot")
        .arg(dir)
        .output()
        .expect("run borderflow plot");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_damaged_calibration_is_an_input_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fixture(&tmp);
    let good = fs::read_to_string(dir.join("calibration.json")).expect("read");
    fs::write(dir.join("calibration.json"), &good[..good.len() / 2]).expect("truncate");
    let (code, msg) = plot(&dir);
    assert_eq!(code, Some(2), "{msg}");
    assert!(
        msg.contains("calibration.json") && msg.contains("not a calibration summary"),
        "{msg}"
    );
    let pngs = fs::read_dir(&dir)
        .expect("list")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png"))
        })
        .count();
    assert_eq!(pngs, 0, "nothing drawn from a damaged folder");
    fs::write(dir.join("calibration.json"), &good).expect("restore");

    // Each damage of another file: exit code 2, the file and the fault named.
    let posterior = fs::read_to_string(dir.join("posterior.csv")).expect("read");
    let damages: [(&str, String, &str); 4] = [
        (
            "posterior.csv",
            posterior.replacen("model.usbp.detection_probability", "model.usbp.p", 1),
            "no column for parameter `model.usbp.detection_probability`",
        ),
        (
            "posterior.csv",
            posterior.replacen("\n0,", "\n0,-", 1),
            "row 2: the weight",
        ),
        (
            "posterior.csv",
            posterior.replacen("\n1,", "\n1,many,", 1),
            "not a table borderflow wrote",
        ),
        (
            "fit.csv",
            fs::read_to_string(dir.join("fit.csv"))
                .expect("read")
                .replacen("2023-02", "2023-13", 1),
            "is not a month",
        ),
    ];
    for (file, text, says) in damages {
        let kept = fs::read_to_string(dir.join(file)).expect("read");
        fs::write(dir.join(file), text).expect("damage");
        let err = render_folder(&dir).expect_err("a damaged file");
        let msg = err.to_string();
        assert!(
            err.exit_code() == 2 && msg.contains(file) && msg.contains(says),
            "{file}: {msg}"
        );
        fs::write(dir.join(file), kept).expect("restore");
    }
    render_folder(&dir).expect("the restored folder draws");
}

/// A calibration of one parameter, no generations recorded and months
/// without simulated numbers: drawn without panicking, leaving out the
/// charts that need more (pairs, convergence).
#[test]
fn a_sparse_calibration_still_draws() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = fixture(&tmp);
    let mut cal = CalibrationSummary::load(&dir).expect("summary");
    cal.parameters.truncate(1);
    cal.parameters[0].min = cal.parameters[0].max; // an empty prior range
    // Far outside every axis (a NaN cannot be written: JSON has none).
    cal.parameters[0].estimate = 1e12;
    cal.generations.clear();
    fs::write(
        dir.join("calibration.json"),
        serde_json::to_string(&cal).expect("json"),
    )
    .expect("write");
    let fit = fs::read_to_string(dir.join("fit.csv")).expect("read");
    let mut lines: Vec<String> = fit.lines().map(str::to_string).collect();
    // Month 2023-03 of the USBP series simulated as nothing (empty fields).
    for l in lines.iter_mut().filter(|l| l.contains(",2023-03,")) {
        let mut f: Vec<&str> = l.split(',').collect();
        for v in f.iter_mut().skip(6).take(4) {
            *v = "";
        }
        *l = f.join(",");
    }
    fs::write(dir.join("fit.csv"), lines.join("\n") + "\n").expect("write");
    let files = render_folder(&dir).expect("render");
    let names = names(&files);
    assert!(names.contains(&"posterior_marginals.png".to_string()));
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("posterior_pairs") || n.starts_with("convergence"))
    );
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
    {
        assert_png_drawn(f);
    }
}
