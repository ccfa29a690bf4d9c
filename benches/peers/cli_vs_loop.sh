#!/usr/bin/env bash
# borderflow's CLI against a minimal hand-written BinaryHeap loop of the same
# M/M/c model (examples/mmc_heap.rs), side by side, interleaved run by run so
# both see the same machine load. Issue 12's done-means: CLI ≥ 75% of the
# loop's events per second at λ = 9.5/h, μ = 1/h, c = 10, ~1M customers.
#
#   bash benches/peers/cli_vs_loop.sh [RUNS]      (default 7, at least 5)
#   IR=1 bash benches/peers/cli_vs_loop.sh        also count instructions
#                                                 (valgrind callgrind; load-proof)
#
# Scenario: benches/peers/mmc_1m.ron (4386 days, warm-up 10 days).
# What each number counts:
# - events: arrivals + departures popped and handled before the horizon, in
#   all three programs (borderflow's RunStats::events; the loop's own count).
#   Day ends are not events.
# - cli/self:    the CLI's own line "N events in S s": S is RunOutcome.wall,
#   from run_job's start to the committed folder (simulation, record
#   formatting and writing, summaries, fsyncs, rename); no process start,
#   argument parsing or scenario loading. Printed with 2 decimals only.
# - cli/process: the whole `borderflow run` process, wall clock and CPU
#   (user + sys, all threads).
# - loop/self:   the hand loop's clock around its event loop only.
# - loop/process: the whole mmc_heap process.
# - engine/self: borderflow's engine and model in-process (examples/peer_mmc:
#   simulate() only, no output) on the same parameters — the kind of number
#   criterion's `engine` bench reports (that bench uses λ = 540/h, μ = 60/h,
#   c = 10 for 10 days, ~0.26 M events per iteration, warm caches).
# On a shared 2-core machine wall clocks swing with the load; CPU time and
# (with IR=1) instruction counts are the steadier ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
lam=9.5 mu=1 c=10 days=4386 warm=10
scn=benches/peers/mmc_1m.ron
cargo build --release --quiet --bin borderflow --example mmc_heap --example peer_mmc
t=${CARGO_TARGET_DIR:-target}/release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log=$out/log
# Runs a command; leaves "WALL_S CPU_S" (ns clock; perf's task-clock, all
# threads) in $out/t.
measure() {
    local t0 t1
    t0=$(date +%s%N)
    perf stat -x, -e task-clock -o "$out/perf" -- "$@"
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 ))e-6 $(awk -F, '/task-clock/ {print $1 / 1000}' "$out/perf")" >"$out/t"
}
json() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["events"], r["seconds"])' "$1"; }
for i in $(seq "$runs"); do
    measure "$t/borderflow" run "$scn" -r 1 -t 1 --no-charts -o "$out/run" >"$out/cli"
    echo "cli $(grep -o '[0-9]* events in [0-9.]* s' "$out/cli" | awk '{print $1, $4}') $(cat "$out/t")" >>"$log"
    measure "$t/examples/mmc_heap" $lam $mu $c $days $warm >"$out/loop"
    echo "loop $(json "$out/loop") $(cat "$out/t")" >>"$log"
    "$t/examples/peer_mmc" $lam $mu $c $days $warm >"$out/peer"
    echo "engine $(json "$out/peer") 0 0" >>"$log"
done
ir_cli="" ir_loop="" ir_engine=""
if [[ ${IR:-0} == 1 ]]; then
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'; }
    ir_cli=$(ir "$t/borderflow" run "$scn" -r 1 -t 1 --no-charts -q -o "$out/run")
    ir_loop=$(ir "$t/examples/mmc_heap" $lam $mu $c $days $warm)
    ir_engine=$(ir "$t/examples/peer_mmc" $lam $mu $c $days $warm)
fi
python3 - "$log" "$runs" "$ir_cli" "$ir_loop" "$ir_engine" <<'PY'
import statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    k, ev, self_s, wall, cpu = line.split()
    rows.setdefault(k, []).append((int(ev), float(self_s), float(wall), float(cpu)))
med = lambda xs: st.median(xs)
print(f"M/M/10, lambda=9.5/h, mu=1/h, 4386 days; medians of {sys.argv[2]} interleaved runs")
print(f"{'program / clock':<28}{'events':>10}{'seconds':>10}{'M events/s':>12}")
res = {}
for k, clocks in (("cli", ("self", "process wall", "process cpu")),
                  ("loop", ("self", "process wall", "process cpu")),
                  ("engine", ("self",))):
    r = rows[k]
    ev = r[0][0]
    for j, name in enumerate(("self", "process wall", "process cpu")):
        if name not in clocks:
            continue
        s = med([x[1 + j] for x in r])
        res[(k, name)] = ev / s
        print(f"{k + ' / ' + name:<28}{ev:>10}{s:>10.4f}{ev / s / 1e6:>12.2f}")
print()
for name in ("self", "process wall", "process cpu"):
    print(f"ratio cli/loop events/s, {name:<13}: {res[('cli', name)] / res[('loop', name)]:.0%}")
print(f"ratio engine/loop events/s, self         : {res[('engine', 'self')] / res[('loop', 'self')]:.0%}")
if sys.argv[3]:
    ic, il, ie = (int(x.replace(',', '')) for x in sys.argv[3:6])
    evc, evl, eve = rows["cli"][0][0], rows["loop"][0][0], rows["engine"][0][0]
    print(f"\ninstructions (callgrind, whole process): cli {ic/1e6:.0f} M, loop {il/1e6:.0f} M, engine-only {ie/1e6:.0f} M")
    print(f"ratio cli/loop events per instruction   : {(evc/ic)/(evl/il):.0%}")
    print(f"ratio engine/loop events per instruction: {(eve/ie)/(evl/il):.0%}")
PY
