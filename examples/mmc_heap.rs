//! The honest reference for `benches/peers/cli_vs_loop.sh`: a minimal,
//! hand-written M/M/c event loop on `std::collections::BinaryHeap`, using
//! none of borderflow's code, only the same building blocks (rand_pcg's
//! `Pcg64Mcg`, rand_distr's `Exp`) and the same model:
//!
//! - time in whole seconds (`i64`), each sampled duration rounded to the
//!   nearest second, as `borderflow::mmc` does;
//! - Poisson arrivals at λ per hour, `c` servers with Exp(μ) service, FIFO;
//! - a departure before an arrival at the same second (key `(time, kind)`;
//!   departures are interchangeable and there is one pending arrival at a
//!   time, so that key is a total, deterministic order);
//! - events at or after the horizon (`DAYS` × 86 400 s) stay unhandled.
//!
//! An *event* is one popped and handled arrival or departure: exactly what
//! borderflow's engine counts in `RunStats::events` (day ends are not
//! events). What it leaves out, on purpose, is everything borderflow's model
//! does besides: the time-weighted integrals, the daily metrics row, the
//! warm-up split of the area KPIs, the KPI vector.
//!
//! Prints one JSON line: events, customers served, the seconds of the loop
//! alone (clock read around it), and the mean wait in queue after the
//! warm-up [h] (compare with Erlang C).
//!
//! Usage: `cargo run --release --example mmc_heap -- LAMBDA MU C DAYS WARMUP_DAYS [SEED]`
//! (rates per hour).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use rand::SeedableRng;
use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;

const DEPARTURE: u8 = 0;
const ARRIVAL: u8 = 1;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 5 {
        eprintln!("usage: mmc_heap LAMBDA MU C DAYS WARMUP_DAYS [SEED]  (rates per hour)");
        std::process::exit(2);
    }
    let num = |i: usize| -> f64 { args[i].parse().expect("a number") };
    let (lambda, mu, c, days, warmup) = (num(0), num(1), num(2) as u32, num(3), num(4));
    let seed: u64 = args.get(5).map_or(1, |s| s.parse().expect("a seed"));

    let t0 = Instant::now();
    let horizon = (days * 86_400.0) as i64;
    let measure_from = (warmup * 86_400.0) as i64;
    let interarrival = Exp::new(lambda / 3600.0).expect("rate");
    let service = Exp::new(mu / 3600.0).expect("rate");
    let mut arrivals_rng = Pcg64Mcg::seed_from_u64(seed);
    let mut service_rng = Pcg64Mcg::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    let draw = |d: &Exp<f64>, r: &mut Pcg64Mcg| (d.sample(r) + 0.5) as i64;

    let mut heap: BinaryHeap<Reverse<(i64, u8)>> = BinaryHeap::new();
    let mut waiting: VecDeque<i64> = VecDeque::new();
    let mut busy = 0u32;
    let (mut events, mut served) = (0u64, 0u64);
    let (mut waits, mut wait_sum) = (0u64, 0u64);

    heap.push(Reverse((draw(&interarrival, &mut arrivals_rng), ARRIVAL)));
    while let Some(&Reverse((now, kind))) = heap.peek() {
        if now >= horizon {
            break;
        }
        heap.pop();
        events += 1;
        let start = if kind == ARRIVAL {
            heap.push(Reverse((
                now + draw(&interarrival, &mut arrivals_rng),
                ARRIVAL,
            )));
            if busy < c {
                Some(now)
            } else {
                waiting.push_back(now);
                None
            }
        } else {
            busy -= 1;
            served += 1;
            waiting.pop_front()
        };
        if let Some(arrived) = start {
            busy += 1;
            if arrived >= measure_from {
                waits += 1;
                wait_sum += (now - arrived) as u64;
            }
            heap.push(Reverse((now + draw(&service, &mut service_rng), DEPARTURE)));
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let mean_wait_h = wait_sum as f64 / waits.max(1) as f64 / 3600.0;
    println!(
        "{{\"tool\": \"mmc_heap\", \"events\": {events}, \"customers_served\": {served}, \"seconds\": {secs}, \"mean_wait_h\": {mean_wait_h}}}"
    );
}
