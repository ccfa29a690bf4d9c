#!/usr/bin/env bash
# Issue 12: a baseline replication through `borderflow run --no-charts`
# against the same replication in-process, in one session, interleaved.
#
#   bash benches/cli_vs_bench.sh [ROUNDS] [REPS]     (default 3 rounds of 4)
#   CRITERION=1 bash benches/cli_vs_bench.sh        also run `cargo bench --bench baseline`
#
# Each round runs `borderflow run -r REPS -t 1 --no-charts` (the embedded
# baseline) and examples/rep_timing.rs, which runs REPS replications
# in-process, half as the criterion bench does (exp.replicate on the main
# thread), half as the CLI's worker does (run_replication on a second
# thread). Per replication it prints the medians of wall and CPU time
# (task-clock of the whole CLI process, thread CPU time in-process) and
# their ratios. On a loaded 2-core machine, trust the CPU ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
reps=${2:-4}
cargo build --release --quiet --bin borderflow --example rep_timing
t=${CARGO_TARGET_DIR:-target}/release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$rounds"); do
    t0=$(date +%s%N)
    perf stat -x, -e task-clock -o "$out/stat" -- "$t/borderflow" run -r "$reps" -t 1 --no-charts -q -o "$out/run"
    t1=$(date +%s%N)
    echo "cli $(( (t1 - t0) / 1000 ))e-6 $(awk -F, '/task-clock/ {print $1 / 1000}' "$out/stat")" >>"$out/log"
    "$t/examples/rep_timing" $(( (reps + 1) / 2 )) 2>/dev/null >>"$out/inproc"
done
python3 - "$out/log" "$out/inproc" "$reps" <<'PY'
import json, statistics as st, sys
reps = int(sys.argv[3])
cli = [tuple(map(float, l.split()[1:])) for l in open(sys.argv[1])]
inp = [json.loads(l) for l in open(sys.argv[2])]
cw = st.median(w / reps for w, c in cli)
cc = st.median(c / reps for w, c in cli)
mw = st.median(r["main_wall_s"] for r in inp); mc = st.median(r["main_cpu_s"] for r in inp)
ww = st.median(r["worker_wall_s"] for r in inp); wc = st.median(r["worker_cpu_s"] for r in inp)
print(f"baseline, seconds per replication, medians of {len(cli)} rounds of {reps}")
print(f"{'':<40}{'wall':>10}{'cpu':>10}")
print(f"{'CLI run -r %d -t 1 --no-charts' % reps:<40}{cw:>10.3f}{cc:>10.3f}")
print(f"{'in-process, main thread (the bench)':<40}{mw:>10.3f}{mc:>10.3f}")
print(f"{'in-process, worker thread (as the CLI)':<40}{ww:>10.3f}{wc:>10.3f}")
print(f"ratio CLI / bench: wall {cw / mw:.3f}, cpu {cc / mc:.3f}")
PY
if [[ ${CRITERION:-0} == 1 ]]; then
    cargo bench --bench baseline 2>&1 | grep -A2 "one replication"
fi
