//! Same-session timing of one baseline replication, in-process, the way the
//! criterion `baseline` bench runs it and the way `borderflow run` runs it,
//! interleaved so that both see the same machine load:
//!
//! - `main`:   `exp.replicate(seed, r)` on the main thread (the bench);
//! - `worker`: `exp.run_replication(seed, r, false, Some(&stop))` on one
//!   long-lived second thread, as the CLI's rayon worker does with `-t 1`.
//!
//! For each replication it measures the thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`, which a loaded machine inflates far less
//! than the wall clock) and the wall time, and prints the medians per mode.
//!
//! Usage: `cargo run --release --example rep_timing -- [PAIRS] [SCENARIO]`
//! (default 3 pairs of the baseline, `scenarios/baseline.ron`).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Instant;

fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer to a timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: u64 = args.next().map_or(3, |s| s.parse().expect("PAIRS"));
    let path = args.next().map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.ron"),
        PathBuf::from,
    );
    let scenario = borderflow::Scenario::from_file(&path).expect("scenario validates");
    let seed = scenario.seed;
    let (mut main_cpu, mut main_wall, mut work_cpu, mut work_wall) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    std::thread::scope(|s| {
        let (job_tx, job_rx) = mpsc::channel::<u64>();
        let (done_tx, done_rx) = mpsc::channel::<(f64, f64, u64)>();
        let scn = &scenario;
        s.spawn(move || {
            let exp = scn.experiment();
            let stop = AtomicBool::new(false);
            for r in job_rx {
                let (c0, w0) = (thread_cpu(), Instant::now());
                let rep = exp
                    .run_replication(seed, r, false, Some(&stop))
                    .expect("not stopped");
                let out = (thread_cpu() - c0, w0.elapsed().as_secs_f64(), rep.events);
                drop(rep);
                done_tx.send(out).expect("main waits");
            }
        });
        let exp = scenario.experiment();
        for i in 0..pairs {
            // Alternate which mode goes first, so a drift in load is shared.
            for mode in if i % 2 == 0 { [0, 1] } else { [1, 0] } {
                let r = i + 1;
                if mode == 0 {
                    let (c0, w0) = (thread_cpu(), Instant::now());
                    let rep = std::hint::black_box(exp.replicate(seed, r));
                    main_cpu.push(thread_cpu() - c0);
                    main_wall.push(w0.elapsed().as_secs_f64());
                    eprintln!(
                        "main   rep {r}: cpu {:.3} s, wall {:.3} s, {} events",
                        main_cpu.last().unwrap(),
                        main_wall.last().unwrap(),
                        rep.events
                    );
                } else {
                    job_tx.send(r).expect("worker runs");
                    let (c, w, ev) = done_rx.recv().expect("worker answers");
                    work_cpu.push(c);
                    work_wall.push(w);
                    eprintln!("worker rep {r}: cpu {c:.3} s, wall {w:.3} s, {ev} events");
                }
            }
        }
        drop(job_tx);
    });
    println!(
        "{{\"pairs\": {pairs}, \"main_cpu_s\": {:.4}, \"main_wall_s\": {:.4}, \"worker_cpu_s\": {:.4}, \"worker_wall_s\": {:.4}}}",
        median(&mut main_cpu),
        median(&mut main_wall),
        median(&mut work_cpu),
        median(&mut work_wall)
    );
}
