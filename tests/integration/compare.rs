//! Paired comparisons: common random numbers narrow the confidence interval
//! of a difference several times against independent runs; the analyst's
//! report of a comparison (headline, changed KPIs, zoomed charts) and its
//! terminal table.

use std::path::Path;

use borderflow::Scenario;
use borderflow::compare::{CompareOptions, compare};
use borderflow::runner::RunOptions;
use borderflow::scenario::source::{load_file, set_path};

/// The M/M/10 station against the same station with 5% faster servers. With
/// common random numbers both see the same arrivals and service draws, so the
/// paired difference of the fraction of customers who wait, and of the
/// utilisation, varies far less than that of two independent runs: the
/// interval is at least 3× narrower (measured: about 6× and 25×; 40
/// replications make the ratio's own noise small against 3).
#[test]
fn common_random_numbers_narrow_the_difference() {
    let base = Scenario::from_file(Path::new("scenarios/mmc.ron")).unwrap();
    let mut v = load_file(Path::new("scenarios/mmc.ron")).unwrap();
    set_path(
        &mut v,
        "model.service_rate_per_hour",
        ron::Value::Number(1.05f64.into()),
    )
    .unwrap();
    set_path(&mut v, "name", ron::Value::String("faster".into())).unwrap();
    let faster = Scenario::from_value(v, "faster").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let width = |independent: bool, kpi: &str| {
        let o = CompareOptions {
            run: RunOptions {
                replications: Some(40),
                out: Some(tmp.path().join(format!("c{independent}"))),
                ..RunOptions::default()
            },
            independent,
            ..CompareOptions::default()
        };
        let out = compare(&base, std::slice::from_ref(&faster), &o, None).unwrap();
        let d = out.kpis.iter().find(|d| d.kpi == kpi).unwrap();
        assert!(
            d.difference.ci95_high < 0.0,
            "faster servers must lower {kpi}: {d:?}"
        );
        d.difference.ci95_high - d.difference.ci95_low
    };
    for kpi in ["p_wait", "utilisation"] {
        let (crn, ind) = (width(false, kpi), width(true, kpi));
        assert!(
            ind > 3.0 * crn,
            "{kpi}: CI width with CRN {crn}, independent {ind}"
        );
    }
    let csv = std::fs::read_to_string(tmp.path().join("cfalse/compare.csv")).unwrap();
    assert!(
        csv.starts_with("whatif,kpi,base_mean,whatif_mean,diff_mean,diff_ci95_low,diff_ci95_high")
    );
    assert!(tmp.path().join("cfalse/daily_summary.csv").exists());
}

/// Two what-ifs with one name would write one `whatif-<name>.ron` over the
/// other and give `compare.csv` rows nobody can tell apart: the comparison
/// is refused at the second one's `name` (exit code 2) before anything is
/// written.
#[test]
fn two_whatifs_with_one_name_are_refused() {
    let base = Scenario::from_file(Path::new("scenarios/mmc.ron")).unwrap();
    let whatif = |rate: f64| {
        let mut v = load_file(Path::new("scenarios/mmc.ron")).unwrap();
        set_path(
            &mut v,
            "model.service_rate_per_hour",
            ron::Value::Number(rate.into()),
        )
        .unwrap();
        set_path(&mut v, "name", ron::Value::String("faster".into())).unwrap();
        Scenario::from_value(v, &format!("faster-{rate}.ron")).unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = CompareOptions {
        run: RunOptions {
            replications: Some(2),
            out: Some(tmp.path().join("out")),
            ..RunOptions::default()
        },
        ..CompareOptions::default()
    };
    let Err(err) = compare(&base, &[whatif(1.05), whatif(1.1)], &o, None) else {
        panic!("two what-ifs named \"faster\" were accepted")
    };
    assert_eq!(err.exit_code(), 2, "{err}");
    let message = err.to_string();
    assert!(
        message.starts_with("faster-1.1.ron: 1 invalid value:\n  - name: \"faster\" is also the name of the what-if faster-1.05.ron"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// A comparison goes through the same job runner as a run: two shards
/// merge into the bytes of the whole comparison, and `plot` (here
/// `report::draw_files`) redraws the merged folder's difference charts from
/// its files alone.
#[test]
fn compare_shards_merge_and_plot_redraws_them() {
    use borderflow::runner::merge;
    use borderflow::shard::Shard;
    let (base, eleven) = mmc_and_eleven();
    let tmp = tempfile::tempdir().unwrap();
    let opts = |out: &str, shard: Option<Shard>| CompareOptions {
        run: RunOptions {
            replications: Some(6),
            out: Some(tmp.path().join(out)),
            shard,
            ..RunOptions::default()
        },
        ..CompareOptions::default()
    };
    let whole = compare(
        &base,
        std::slice::from_ref(&eleven),
        &opts("whole", None),
        None,
    )
    .unwrap();
    assert!(!whole.kpis.is_empty());
    let mut dirs = Vec::new();
    for k in 0..2 {
        let name = format!("s{k}");
        let shard = Some(Shard { index: k, count: 2 });
        compare(
            &base,
            std::slice::from_ref(&eleven),
            &opts(&name, shard),
            None,
        )
        .unwrap();
        dirs.push(tmp.path().join(name));
    }
    let merged = tmp.path().join("merged");
    merge(&dirs, &merged, None).unwrap();
    for f in [
        "compare.csv",
        "summary.json",
        "kpis.csv",
        "daily.csv",
        "daily_summary.csv",
        "whatifs.ron",
    ] {
        let a = std::fs::read(tmp.path().join("whole").join(f)).unwrap();
        let b = std::fs::read(merged.join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between the whole comparison and its merged shards"
        );
    }
    let files = borderflow::report::draw_files(&merged).unwrap();
    let pngs: Vec<_> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
        .collect();
    // One difference fan per metric of the M/M/c model (none of the border
    // model's key metrics is there, so every metric is charted) and the KPI
    // chart.
    assert_eq!(pngs.len(), 5 + 1, "{pngs:?}");
    assert!(merged.join("diff_eleven_queue_length.png").is_file());
}

/// `--from/--to`: every daily count both scenarios have, summed over the
/// window, becomes a KPI with the baseline's, the what-if's and the paired
/// difference. The mean difference equals the sum over the window of the
/// daily mean differences in `daily_summary.csv` (a mean of sums is a sum of
/// means; 1e-9 relative for float rounding), and a window outside the
/// simulated days is refused with exit code 2 before anything is written.
#[test]
fn a_window_sums_daily_counts_into_kpis() {
    use chrono::NaiveDate;
    let (base, eleven) = mmc_and_eleven();
    let tmp = tempfile::tempdir().unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let opts = |out: &str, from: &str, to: &str| CompareOptions {
        run: RunOptions {
            replications: Some(5),
            out: Some(tmp.path().join(out)),
            ..RunOptions::default()
        },
        window: Some((d(from), d(to))),
        ..CompareOptions::default()
    };
    let out = compare(
        &base,
        std::slice::from_ref(&eleven),
        &opts("w", "2024-02-01", "2024-02-10"),
        None,
    )
    .unwrap();
    let served = out
        .kpis
        .iter()
        .find(|k| k.kpi == "served:2024-02-01..2024-02-10")
        .expect("a window KPI for each daily count");
    // Means as written in daily_summary.csv for `eleven|served`.
    let text = std::fs::read_to_string(tmp.path().join("w/daily_summary.csv")).unwrap();
    let from_days: f64 = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[1] == "eleven|served" && r[0] >= "2024-02-01" && r[0] <= "2024-02-10")
        .map(|r| r[4].parse::<f64>().unwrap())
        .sum();
    let diff = served.difference.mean;
    assert!(
        (diff - from_days).abs() <= 1e-9 * from_days.abs().max(1.0),
        "window difference {diff}, sum of daily differences {from_days}"
    );
    // The mean of paired differences is the difference of the means up to
    // rounding: sums of ~2,000 customers in 5 replications, so 1e-6 is
    // millions of ulps away from a real disagreement and far above rounding.
    assert!((served.whatif_value.mean - served.base.mean - diff).abs() < 1e-6);
    // Levels (queue length is a mean over the day) are not summed.
    assert!(!out.kpis.iter().any(|k| k.kpi.starts_with("queue_length:")));
    let err = compare(
        &base,
        std::slice::from_ref(&eleven),
        &opts("bad", "2024-03-01", "2025-01-01"),
        None,
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("--from/--to"), "{err}");
    assert!(!tmp.path().join("bad").exists());
}

/// The M/M/10 test station and the same with 11 servers, named "eleven".
fn mmc_and_eleven() -> (Scenario, Scenario) {
    let base = Scenario::from_file(Path::new("scenarios/mmc.ron")).unwrap();
    let mut v = load_file(Path::new("scenarios/mmc.ron")).unwrap();
    set_path(&mut v, "model.servers", ron::Value::Number(11.into())).unwrap();
    set_path(&mut v, "name", ron::Value::String("eleven".into())).unwrap();
    (base, Scenario::from_value(v, "eleven").unwrap())
}

/// The border baseline cut to 1 Jan – 28 Feb 2023 (60 days of spin-up
/// before), and the same with Eagle Pass closed 1–14 Feb: short enough for
/// a few seconds a comparison of two replications in release.
fn border_and_eagle_pass_closed() -> (Scenario, Scenario) {
    let v = crate::cut_to("scenarios/baseline.ron", (2023, 2, 28));
    let base = Scenario::from_value(v.clone(), "baseline-feb").unwrap();
    let mut w = v;
    let closure: ron::Value = ron::from_str(
        r#"(name: "Eagle Pass closed", kind: "port_state", port: "Eagle Pass", state: "closed", from: "2023-02-01", until: "2023-02-14")"#,
    )
    .unwrap();
    crate::interventions(&mut w).push(closure);
    set_path(
        &mut w,
        "name",
        ron::Value::String("eagle-pass-closed".into()),
    )
    .unwrap();
    set_path(
        &mut w,
        "description",
        ron::Value::String("Eagle Pass closed 1–14 Feb 2023".into()),
    )
    .unwrap();
    (base, Scenario::from_value(w, "eagle-pass-closed").unwrap())
}

/// `report.html` of a comparison with `--from/--to`: the headline names
/// the closed port's change with a signed whole number and says what the
/// intervals contain; January's KPIs, identical in every paired replication
/// (the closure starts in February, common random numbers), are in
/// `compare.csv` with a difference of exactly zero but not in the table of
/// changed KPIs; the daily charts show the window with 14 days either side
/// (18 Jan – 28 Feb, weekly or first-of-month ticks, no "Feb 2023" tick of
/// a whole-run axis); the page has a table of contents; and without a
/// window the charts zoom to the closure itself.
#[test]
fn the_compare_report_leads_with_a_headline_and_changed_kpis() {
    use borderflow::report::compare_page::Comparison;
    use chrono::NaiveDate;
    let (base, closed) = border_and_eagle_pass_closed();
    let tmp = tempfile::tempdir().unwrap();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let opts = |out: &str, window: Option<(NaiveDate, NaiveDate)>, charts: bool| CompareOptions {
        run: RunOptions {
            replications: Some(2),
            out: Some(tmp.path().join(out)),
            charts: charts.then_some(borderflow::report::draw as borderflow::runner::Charts),
            progress: false,
            ..RunOptions::default()
        },
        window,
        ..CompareOptions::default()
    };
    let window = Some((d("2023-02-01"), d("2023-02-14")));
    let out = compare(
        &base,
        std::slice::from_ref(&closed),
        &opts("w", window, true),
        None,
    )
    .unwrap();
    let dir = tmp.path().join("w");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let headline = html
        .split("<p class=\"headline\" id=\"headline-0\">")
        .nth(1)
        .and_then(|h| h.split("</p>").next())
        .expect("a headline for the what-if");
    assert!(
        headline.starts_with("Eagle Pass closed 1–14 Feb 2023 (window 1 Feb 2023 – 14 Feb 2023): "),
        "{headline}"
    );
    assert!(
        headline.contains("OFO encounters at ports — Eagle Pass −"),
        "the closed port's encounters fall: {headline}"
    );
    assert!(
        headline.ends_with("95% intervals: Monte Carlo only, parameters fixed."),
        "{headline}"
    );
    // January: exactly zero in compare.csv, absent from the changed table.
    let jan = out
        .kpis
        .iter()
        .find(|k| k.kpi == "usbp_apprehensions:2023-01")
        .expect("January's USBP KPI");
    assert_eq!(
        (
            jan.difference.mean,
            jan.difference.ci95_low,
            jan.difference.ci95_high
        ),
        (0.0, 0.0, 0.0)
    );
    assert!(!jan.changed());
    let table = html
        .split("<table id=\"changed-0\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap();
    assert!(
        !table.contains(&jan.label),
        "{} listed as changed",
        jan.label
    );
    assert!(table.contains("OFO encounters at ports — Eagle Pass, 2023-02-01 to 2023-02-14"));
    assert!(table.contains("<th>change</th>") && table.contains("%</td>"));
    for anchor in [
        "href=\"#headlines\"",
        "href=\"#changed-0\"",
        "href=\"#charts-0\"",
    ] {
        assert!(html.contains(anchor), "contents lack {anchor}");
    }
    // The charts: 18 Jan (1 Feb − 14 days) to 28 Feb (the run's end).
    let c = Comparison::load(&dir).unwrap();
    assert_eq!(c.whatifs[0].chart.days, (17, 59));
    assert_eq!(c.whatifs[0].chart.marked, Some((31, 44)));
    let svg =
        std::fs::read_to_string(dir.join("diff_eagle-pass-closed_usbp_apprehensions.svg")).unwrap();
    assert!(
        svg.contains("1 Feb") && !svg.contains("Feb 2023"),
        "x axis not zoomed"
    );
    assert!(
        svg.contains("what-if − baseline [persons/day]"),
        "y axis without its unit"
    );
    assert!(
        dir.join("diff_eagle-pass-closed_ofo_encounters_Eagle_Pass.png")
            .is_file()
    );
    crate::report::check_in_chromium(&dir.join("report.html"), "id=\"headline-0\"");
    // Without a window: zoomed to the interventions that differ.
    compare(
        &base,
        std::slice::from_ref(&closed),
        &opts("nw", None, false),
        None,
    )
    .unwrap();
    let c = Comparison::load(&tmp.path().join("nw")).unwrap();
    assert_eq!(c.window, None);
    assert_eq!(c.whatifs[0].chart.marked, Some((31, 44)));
}

/// The terminal lists only the KPIs that changed, with a % column, then
/// the headline and where `report.html` is. Eleven servers instead of ten
/// leave the arrivals untouched (common random numbers: the same arrival
/// stream), so "Observed arrival rate" is not listed, while the mean wait
/// is.
#[test]
fn the_terminal_prints_only_changed_kpis_and_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let mmc = std::fs::canonicalize("scenarios/mmc.ron").unwrap();
    let eleven = tmp.path().join("eleven.ron");
    std::fs::write(
        &eleven,
        format!(
            "(extend: {:?}, name: \"eleven\", description: \"Eleven servers\", set: {{ \"model.servers\": 11 }})",
            mmc.display().to_string()
        ),
    )
    .unwrap();
    let out = tmp.path().join("c");
    let res = std::process::Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(["compare", "scenarios/mmc.ron"])
        .arg(&eleven)
        .args(["-r", "2", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(stdout.contains("eleven: 4 of 5 KPIs changed"), "{stdout}");
    assert!(!stdout.contains("Observed arrival rate"), "{stdout}");
    let wait = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Mean wait in queue W_q"))
        .expect("the mean wait's row");
    assert!(
        wait.contains(" min ") && wait.trim_end().ends_with('%'),
        "{wait}"
    );
    assert!(
        stdout.contains("\nEleven servers: "),
        "no headline: {stdout}"
    );
    let report = out.join("report.html");
    assert!(
        stdout.contains(&format!("report: {}", report.display())),
        "{stdout}"
    );
    assert!(report.is_file());
}
