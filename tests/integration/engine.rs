//! The engine against answers known in closed form: Erlang C for the mean wait
//! of an M/M/c queue, Little's law for its time-weighted queue length, and the
//! event queue's order against a plain reference.

use borderflow::calendar::{Calendar, parse_date};
use borderflow::engine::EventQueue;
use borderflow::mmc::{KPIS, MmcExperiment, MmcParams, erlang_c_wait};
use borderflow::montecarlo::Experiment;
use proptest::prelude::*;

fn kpi(name: &str) -> usize {
    KPIS.iter().position(|k| *k == name).expect("kpi exists")
}

/// Per-replication KPI values of an M/M/c station over `days` days.
fn station(lambda: f64, mu: f64, c: u32, days: u32, warmup: u32, reps: u64) -> Vec<Vec<f64>> {
    let cal = Calendar::from_dates(
        parse_date("2024-01-01").unwrap(),
        parse_date("2024-01-01").unwrap() + chrono::Days::new(u64::from(days - 1)),
    );
    let exp = MmcExperiment::new(
        MmcParams {
            arrival_rate_per_hour: lambda,
            service_rate_per_hour: mu,
            servers: c,
            warmup_days: warmup,
        },
        cal,
    );
    (0..reps).map(|r| exp.replicate(7, r).kpis).collect()
}

fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// The simulated mean wait in queue matches Erlang C within 3 standard errors
/// (across independent replications, so the SE is honest despite the strong
/// autocorrelation within one run). Three settings, one at ρ = 0.9 and one at
/// ρ = 0.95; warm-up of 10 days removes the empty-start bias, which the
/// horizon makes small against the SE anyway.
#[test]
fn mean_wait_matches_erlang_c() {
    for (lambda, mu, c, days) in [
        (9.0, 1.0, 10, 120),
        (2.0, 3.0, 1, 60),
        (15.0, 2.0, 10, 60),
        (19.0, 4.0, 5, 120),
    ] {
        let reps = station(lambda, mu, c, days, 10, 30);
        let waits: Vec<f64> = reps.iter().map(|k| k[kpi("mean_wait_min")]).collect();
        let (m, se) = mean_se(&waits);
        let exact = erlang_c_wait(lambda, mu, c) * 60.0;
        let rho = lambda / (c as f64 * mu);
        assert!(
            (m - exact).abs() < 3.0 * se,
            "λ={lambda} μ={mu} c={c} ρ={rho:.2}: simulated {m:.3} ± {se:.3} min, Erlang C {exact:.3} min"
        );
        // The test must be able to fail: the SE is small against the answer.
        assert!(se < 0.1 * exact, "SE {se} too large to test anything");
    }
}

/// Little's law L_q = λ W_q, with L_q time-weighted, λ observed and W_q a
/// tally over customers: equal up to the customers still waiting at the end of
/// the window, a boundary effect of well under 1% over 110 days.
#[test]
fn littles_law_holds() {
    for (lambda, mu, c) in [(9.0, 1.0, 10), (2.0, 3.0, 1)] {
        let reps = station(lambda, mu, c, 120, 10, 10);
        let l: f64 = reps.iter().map(|k| k[kpi("mean_queue_length")]).sum();
        let lw: f64 = reps
            .iter()
            .map(|k| k[kpi("arrival_rate_per_hour")] * k[kpi("mean_wait_min")] / 60.0)
            .sum();
        let rel = (l - lw).abs() / l;
        assert!(
            rel < 0.01,
            "λ={lambda}: L_q = {l}, λW_q = {lw}, relative gap {rel}"
        );
    }
}

/// Utilisation approaches ρ = λ/(cμ): a check on the time-weighted busy count,
/// within 3 standard errors across 10 replications of 110 measured days
/// (SE ≈ 0.002), plus 0.001 for the small biases that SE does not cover:
/// service times rounded to whole seconds and a finite warm-up.
#[test]
fn utilisation_matches_offered_load() {
    let reps = station(9.0, 1.0, 10, 120, 10, 10);
    let u: Vec<f64> = reps.iter().map(|k| k[kpi("utilisation")]).collect();
    let (m, se) = mean_se(&u);
    assert!((m - 0.9).abs() < 3.0 * se + 1e-3, "utilisation {m} ± {se}");
}

#[derive(Debug, Clone)]
enum Op {
    Push(i64, u8),
    Pop,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => (0i64..50, 0u8..4).prop_map(|(t, c)| Op::Push(t, c)),
            2 => Just(Op::Pop),
        ],
        0..400,
    )
}

proptest! {
    /// The queue pops in (time, class, insertion) order, like a stable sort.
    #[test]
    fn event_queue_order_matches_reference(ops in ops()) {
        let mut q = EventQueue::new();
        let mut reference: Vec<(i64, u8, usize)> = Vec::new();
        for (id, op) in ops.into_iter().enumerate() {
            match op {
                Op::Push(t, c) => {
                    q.push(t, c, id);
                    reference.push((t, c, id));
                }
                Op::Pop => {
                    // Stable min by (time, class); ids grow with insertion.
                    let best = reference
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, (t, c, id))| (*t, *c, *id))
                        .map(|(i, _)| i);
                    let expected = best.map(|i| reference.remove(i));
                    let got = q.pop();
                    prop_assert_eq!(got, expected.map(|(t, _, id)| (t, id)));
                }
            }
            prop_assert_eq!(q.len(), reference.len());
        }
    }
}

/// A model that loses a person on its third event: the checked run reports
/// the violation with its time, the unchecked run in release does not look.
struct Leaky {
    arrived: u32,
    present: u32,
}

#[derive(Clone, Copy)]
struct Tick;

impl borderflow::engine::Event for Tick {}

impl borderflow::engine::Model for Leaky {
    type Event = Tick;
    fn start(&mut self, sched: &mut borderflow::engine::Scheduler<Tick>) {
        sched.schedule_at(100, Tick);
    }
    fn handle(&mut self, _: Tick, sched: &mut borderflow::engine::Scheduler<Tick>) {
        self.arrived += 1;
        self.present += u32::from(self.arrived != 3);
        sched.schedule_in(3_600, Tick);
    }
    fn end_of_day(&mut self, _: u32, _: i64, row: &mut [f64]) {
        row[0] = f64::from(self.present);
    }
    fn check_invariants(&self, _now: i64, violations: &mut Vec<String>) {
        if self.arrived != self.present {
            violations.push(format!(
                "{} arrived but {} present",
                self.arrived, self.present
            ));
        }
    }
}

#[test]
fn invariant_checks_catch_a_lost_person() {
    use borderflow::engine::simulate_checked;
    use borderflow::metrics::DailySeries;
    let mut m = Leaky {
        arrived: 0,
        present: 0,
    };
    let mut s = DailySeries::new(2, 1);
    let stats = simulate_checked(&mut m, 2, &mut s, true);
    assert!(!stats.violations.is_empty());
    // The third event is at 100 + 2 × 3600 s.
    assert!(
        stats.violations[0].starts_with("t = 7300 s (day 0): 3 arrived but 2 present"),
        "{:?}",
        stats.violations
    );
    let mut m = Leaky {
        arrived: 0,
        present: 0,
    };
    let quiet = simulate_checked(&mut m, 2, &mut s, false);
    assert!(quiet.violations.is_empty());
    assert_eq!(quiet.events, stats.events);
}

/// The day counter behind a small batch's progress bar moves with every
/// simulated day (other tests in this process only add to it, so the
/// difference is at least this replication's days).
#[test]
fn the_progress_day_counter_counts_simulated_days() {
    let before = borderflow::engine::days_simulated();
    let runs = station(9.0, 1.0, 10, 30, 0, 1);
    assert_eq!(runs.len(), 1);
    let after = borderflow::engine::days_simulated();
    assert!(after - before >= 30, "{before} → {after}");
}
