//! `borderflow compare` on the command line: load the scenarios, run the
//! paired comparison, and print per what-if the KPIs that changed (an
//! aligned table with absolute and % differences) and its headline, then
//! where `report.html` is; or, with `--json`, everything as one object.

use std::path::{Path, PathBuf};

use super::{
    BatchArgs, JobArgs, check_counts, interrupt_flag, load_with_overrides, print_json, run_options,
    uncertainty,
};
use crate::error::Result;
use crate::results::compare::KpiDifference;
use crate::results::compare::changes::{CHANGED_RULE, headline};
use crate::scenario::Scenario;

/// `borderflow compare`.
pub(super) fn compare_command(
    base: &Path,
    whatifs: &[PathBuf],
    batch: BatchArgs,
    independent: bool,
    window: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    job: JobArgs,
) -> Result<()> {
    let base = load_with_overrides(Some(&base.to_path_buf()), &batch.set)?;
    let whatifs = whatifs
        .iter()
        .map(|p| load_with_overrides(Some(p), &batch.set))
        .collect::<Result<Vec<_>>>()?;
    check_counts(batch.replications, batch.threads)?;
    let cancel = interrupt_flag();
    let opts = crate::compare::CompareOptions {
        run: run_options(&batch, &job)?,
        independent,
        window,
    };
    let outcome = crate::compare::compare(&base, &whatifs, &opts, Some(&cancel))?;
    let intervals = uncertainty(&opts.run);
    if batch.json {
        print_json(&serde_json::json!({
            "baseline": base.name,
            "seed": opts.run.seed.unwrap_or(base.seed),
            "replications": outcome.stats.replications,
            "uncertainty": intervals,
            "out_dir": outcome.out_dir,
            "kpis": outcome.kpis,
            "headlines": whatifs
                .iter()
                .map(|w| (w.name.clone(), whatif_headline(w, &outcome.kpis, window, &intervals)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        }))?;
    } else if !batch.quiet {
        println!(
            "{} what-if(s) against {}, {} paired replications → {}",
            whatifs.len(),
            base.name,
            outcome.stats.replications,
            outcome.out_dir.display()
        );
        println!("(intervals: {intervals}; differences paired by common random numbers)");
        for w in &whatifs {
            let rows: Vec<&KpiDifference> =
                outcome.kpis.iter().filter(|d| d.whatif == w.name).collect();
            let changed: Vec<&KpiDifference> =
                rows.iter().copied().filter(|d| d.changed()).collect();
            println!(
                "\n{}: {} of {} KPIs changed ({CHANGED_RULE})",
                w.name,
                changed.len(),
                rows.len()
            );
            if !changed.is_empty() {
                for line in table(&changed) {
                    println!("  {line}");
                }
            }
            println!("{}", whatif_headline(w, &outcome.kpis, window, &intervals));
        }
        let report = outcome.out_dir.join("report.html");
        if report.is_file() {
            println!("\nreport: {}", report.display());
        }
    }
    Ok(())
}

/// The headline of what-if `w` among `kpis`.
fn whatif_headline(
    w: &Scenario,
    kpis: &[KpiDifference],
    window: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    intervals: &str,
) -> String {
    let rows: Vec<&KpiDifference> = kpis.iter().filter(|d| d.whatif == w.name).collect();
    let title = if w.description.trim().is_empty() {
        &w.name
    } else {
        &w.description
    };
    headline(title, window, &rows, intervals)
}

/// The changed KPIs as aligned lines: label and unit left, numbers right.
fn table(rows: &[&KpiDifference]) -> Vec<String> {
    let mut cells: Vec<[String; 6]> = vec![[
        "KPI".into(),
        "unit".into(),
        "baseline".into(),
        "what-if".into(),
        "difference [95% CI]".into(),
        "change".into(),
    ]];
    for d in rows {
        let k = d.decimals(d.base.mean);
        cells.push([
            d.shown_label().to_string(),
            d.unit.map_or("", |u| u.label()).to_string(),
            crate::results::compare::changes::signed(d.base.mean, k)
                .trim_start_matches('+')
                .to_string(),
            crate::results::compare::changes::signed(d.whatif_value.mean, k)
                .trim_start_matches('+')
                .to_string(),
            d.difference_text(),
            d.relative_text(),
        ]);
    }
    super::table::aligned(&cells, 2)
}
