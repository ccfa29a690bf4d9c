#!/usr/bin/env bash
# Where a `borderflow run` spends its CPU: perf record (dwarf call graphs,
# cpu-clock sampling, so it works in a VM without hardware counters), then
# benches/profile/attribute.py sorts the samples into simulation, record
# formatting, writing, checkpoints, aggregation, summaries and start-up,
# scaled to ms of CPU per replication by the run's task-clock.
#
#   bash benches/profile/profile_run.sh REPS [SCENARIO]   (default: the embedded baseline)
#   e.g. bash benches/profile/profile_run.sh 16
#        bash benches/profile/profile_run.sh 1 benches/peers/mmc_1m.ron
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-16}
scn=${2:-}
cargo build --release --quiet --bin borderflow
bin=${CARGO_TARGET_DIR:-target}/release/borderflow
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
freq=250
[[ $reps -le 2 ]] && freq=4000
perf record -q -F $freq --call-graph dwarf,16384 -o "$out/perf.data" -- \
    "$bin" run $scn -r "$reps" -t 1 --no-charts -q -o "$out/run"
# The CPU total from a second, unprofiled run (perf stat inside perf record
# would be sampled too).
perf stat -x, -e task-clock -o "$out/stat" -- "$bin" run $scn -r "$reps" -t 1 --no-charts -q -o "$out/run"
cpu=$(awk -F, '/task-clock/ {print $1 / 1000}' "$out/stat")
echo "borderflow run ${scn:-<embedded baseline>} -r $reps -t 1 --no-charts: $cpu s CPU (task-clock)"
perf script -i "$out/perf.data" -F tid,ip,sym 2>/dev/null | python3 benches/profile/attribute.py "$cpu" "$reps"
