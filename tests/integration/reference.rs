//! The generated reference: `docs/reference.md` is what `borderflow list all
//! --format markdown` prints today, every example in it validates against
//! the embedded baseline, and `borderflow list` prints aligned tables and
//! refuses bad input with exit code 2.

use std::path::{Path, PathBuf};
use std::process::Command;

use borderflow::border::params::reference::{INTERVENTION_DOCS, TRIGGER_EXAMPLE};
use borderflow::border::reference::{self, Format, WHATIF_EXAMPLE};
use borderflow::border::{Border, BorderParams};
use borderflow::cli::{EMBEDDED_LABEL, EMBEDDED_SCENARIO, list};
use borderflow::scenario::{Origin, Scenario, source};
use ron::Value;

fn borderflow(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_borderflow"))
        .args(args)
        .output()
        .expect("runs")
}

/// The embedded baseline as a merged RON value, to add to before validating.
fn baseline_value() -> Value {
    let origin = Origin {
        label: EMBEDDED_LABEL.into(),
        dir: None,
    };
    source::load_text(EMBEDDED_SCENARIO, &origin).expect("the embedded baseline reads")
}

fn border(scn: &Scenario) -> &BorderParams {
    scn.model.params::<Border>().expect("a border scenario")
}

/// The checked-in `docs/reference.md` is the text the code generates now:
/// a change to an intervention kind, a metric, a KPI or the baseline that
/// is not followed by regenerating the file fails here.
#[test]
fn docs_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference.md");
    let generated = list::reference_document().expect("the reference of the baseline");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    if generated != on_disk {
        let line = generated
            .lines()
            .zip(on_disk.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "its length".to_string(), |i| format!("line {}", i + 1));
        panic!(
            "docs/reference.md is stale (first difference at {line}): run `cargo run --release -- {}`",
            list::REGENERATE.trim_start_matches("borderflow ")
        );
    }
}

/// Each kind's example, appended to the embedded baseline's interventions,
/// validates — so an analyst can copy it — and adds exactly one
/// intervention of that kind.
#[test]
fn every_intervention_example_validates_against_the_baseline() {
    let base = Scenario::from_value(baseline_value(), EMBEDDED_LABEL).unwrap();
    let before = border(&base).interventions.len();
    for doc in INTERVENTION_DOCS {
        let mut value = baseline_value();
        let example: Value = ron::from_str(doc.example).expect("an example is RON");
        crate::interventions(&mut value).push(example);
        if doc.kind == "stock_release" {
            // It releases the stock in central Mexico, which the baseline
            // does not have (validation refuses a release of nothing).
            let stock = r#"(place: "Mexico City", stay_share: 0.3, stay_days: 20)"#;
            source::set_path(
                &mut value,
                "model.central_stock",
                ron::from_str(stock).unwrap(),
            )
            .unwrap();
        }
        let scn = Scenario::from_value(value, EMBEDDED_LABEL)
            .unwrap_or_else(|e| panic!("the example of {} does not validate: {e}", doc.kind));
        let p = border(&scn);
        assert_eq!(p.interventions.len(), before + 1, "{}", doc.kind);
        // The scenario table names the added one with its kind.
        let table = reference::scenario_interventions(p, scn.calendar.start);
        assert_eq!(table.rows[before][2], doc.kind, "{}", doc.kind);
    }
}

/// The reference's whole what-if, saved beside a copy of the baseline as
/// the reference says, validates and adds exactly its two interventions.
#[test]
fn the_whole_what_if_example_validates_beside_the_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy("scenarios/baseline.ron", tmp.path().join("baseline.ron")).unwrap();
    let file = tmp.path().join("what-if.ron");
    std::fs::write(&file, WHATIF_EXAMPLE).unwrap();
    let base = Scenario::from_file(&tmp.path().join("baseline.ron")).expect("the baseline");
    let scn = Scenario::from_file(&file)
        .unwrap_or_else(|e| panic!("the reference's what-if does not validate: {e}"));
    assert_eq!(scn.name, "eagle-pass-closed-at-christmas");
    assert_eq!(
        border(&scn).interventions.len(),
        border(&base).interventions.len() + 2
    );
}

/// The pressure-trigger example is a `set` entry that validates, and
/// `list ports` then shows the trigger's thresholds.
#[test]
fn the_trigger_example_validates_and_is_listed() {
    let Value::Map(entry) = ron::from_str::<Value>(&format!("({TRIGGER_EXAMPLE})")).unwrap() else {
        panic!("the example is a struct field");
    };
    let Some(Value::Map(sets)) = entry.get(&Value::String("set".into())) else {
        panic!("the example is a `set` map");
    };
    let mut value = baseline_value();
    for (path, v) in sets.iter() {
        let Value::String(path) = path else {
            panic!("a path is a string")
        };
        source::set_path(&mut value, path, v.clone()).unwrap();
    }
    let scn = Scenario::from_value(value, EMBEDDED_LABEL).unwrap();
    let ports = reference::ports(border(&scn));
    let lukeville = ports.rows.iter().find(|r| r[0] == "Lukeville").unwrap();
    assert_eq!(
        lukeville.last().unwrap(),
        "closes > 900/day, reopens < 600/day after 7 d"
    );
}

/// `list ports` prints an aligned table: each number column ends at the
/// same character as its title, and San Ysidro's capacity is 16.5 lanes ×
/// 24 h × 60 ÷ 60 min = 396 persons/day (exact in floating point).
#[test]
fn list_ports_prints_an_aligned_table() {
    let out = borderflow(&["list", "ports"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let title = "capacity [persons/day]";
    // Columns align by characters ("6–20" holds a multi-byte dash).
    let at = lines[0].find(title).expect("a capacity column");
    let end = lines[0][..at].chars().count() + title.chars().count();
    let upto = |row: &str| row.chars().take(end).collect::<String>();
    assert!(
        lines[1].chars().all(|c| c == '-' || c == ' '),
        "{}",
        lines[1]
    );
    for row in &lines[2..] {
        assert!(
            upto(row).ends_with(|c: char| c.is_ascii_digit()),
            "not right-aligned under {title}: {row}"
        );
    }
    let san_ysidro = lines.iter().find(|l| l.starts_with("San Ysidro")).unwrap();
    assert!(upto(san_ysidro).ends_with(" 396"), "{san_ysidro}");
    assert_eq!(lines.len(), 2 + 11, "a header, a rule and the 11 ports");
}

/// `list metrics` in Markdown marks the internal check and gives units;
/// `list kpis` works for the M/M/c model too.
#[test]
fn list_metrics_and_kpis() {
    let out = borderflow(&["list", "metrics", "--format", "markdown"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = text
        .lines()
        .find(|l| l.starts_with("| `conservation_error`"))
        .expect("a row for the conservation check");
    assert!(row.contains("internal"), "{row}");
    let row = text
        .lines()
        .find(|l| l.starts_with("| `usbp_apprehensions`"))
        .unwrap();
    assert!(
        row.contains("| persons | count |") && row.contains("Rio Grande Valley"),
        "{row}"
    );
    let out = borderflow(&["list", "kpis", "scenarios/mmc.ron"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("mean_wait_min")
    );
}

/// A scenario that does not exist, or does not have what is asked for, is
/// bad input: exit code 2 and a message naming the file.
#[test]
fn list_with_a_bad_scenario_exits_2_naming_the_file() {
    let missing = PathBuf::from("scenarios/no-such-scenario.ron");
    let out = borderflow(&["list", "ports", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("scenarios/no-such-scenario.ron"), "{err}");
    let out = borderflow(&["list", "hubs", "scenarios/mmc.ron"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scenarios/mmc.ron") && err.contains("no hubs"),
        "{err}"
    );
    let out = borderflow(&["list", "ports", "--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The text and Markdown renderings hold the same cells.
#[test]
fn text_and_markdown_hold_the_same_cells() {
    let scn = Scenario::from_value(baseline_value(), EMBEDDED_LABEL).unwrap();
    let table = reference::sectors(border(&scn));
    let text = table.render(Format::Text);
    let md = table.render(Format::Markdown);
    for row in &table.rows {
        for cell in row {
            assert!(
                text.contains(cell.as_str()) && md.contains(cell.as_str()),
                "{cell}"
            );
        }
    }
    assert_eq!(md.lines().count(), text.lines().count());
}
