//! borderflow in one page: a scenario from text, validated, run as a Monte
//! Carlo batch, and read back through the model's declared KPIs.
//!
//! This file is the crate's front-page documentation and runs as its
//! doctest, so it cannot drift from the API. Run it alone with
//! `cargo run --release --example tutorial`.

use borderflow::Scenario;
use borderflow::mmc::erlang_c_wait;
use borderflow::montecarlo::{BatchConfig, run_batch};
use borderflow::scenario::Origin;
use borderflow::stats::Accumulator;

fn main() -> Result<(), borderflow::Error> {
    // 1. A scenario: RON text (usually a file under `scenarios/`). Its
    //    `model.kind` picks a registered model; every value is checked, and
    //    a bad one is an error naming its path (`model.servers`), never a
    //    panic.
    let text = r#"(
        name: "tutorial",
        start: "2024-01-01",
        end: "2024-01-30",
        seed: 7,
        model: (kind: "mmc", arrival_rate_per_hour: 4.0,
                service_rate_per_hour: 1.0, servers: 5, warmup_days: 2),
    )"#;
    let origin = Origin {
        label: "<tutorial>".into(),
        dir: None,
    };
    let scenario = Scenario::from_text(text, &origin)?;

    // 2. The experiment: what the model measures is declared once, with
    //    units and labels; reports and sweeps select by these declarations.
    let experiment = scenario.experiment();
    let kpis = experiment.kpis();
    let wait = kpis
        .iter()
        .position(|k| k.name == "mean_wait_min")
        .expect("the M/M/c model declares its mean wait");

    // 3. A batch: replications run in parallel and come back in order, each
    //    from its own random streams derived from (seed, replication), so the
    //    result is the same on any number of threads.
    let config = BatchConfig {
        replications: 0..8,
        threads: None,
        progress: false,
    };
    let mut waits = Accumulator::default();
    run_batch(
        |r| experiment.replicate(scenario.seed, r),
        &config,
        None,
        |_, replication| {
            waits.push(replication.kpis[wait]);
            Ok(())
        },
    )?;

    // 4. A summary across replications, with its 95% confidence interval
    //    (Monte Carlo uncertainty only: the parameters are fixed here).
    let s = waits.summary();
    let erlang = erlang_c_wait(4.0, 1.0, 5) * 60.0;
    println!(
        "{}: {:.1} [{:.1}, {:.1}] {} (Erlang C: {erlang:.1})",
        kpis[wait].label,
        s.mean,
        s.ci95_low,
        s.ci95_high,
        kpis[wait].unit.label()
    );
    // Utilisation 0.8: the simulated mean wait is near the closed form.
    assert!((s.mean - erlang).abs() < 0.5 * erlang);
    Ok(())
}
