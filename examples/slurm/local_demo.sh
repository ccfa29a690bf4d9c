#!/usr/bin/env bash
# What the Slurm scripts do, on one machine: 4 shards, then merge, then a
# check that the merged files equal one unsharded run's byte for byte.
#   bash examples/slurm/local_demo.sh [scenario] [replications]
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:-scenarios/mmc.ron}
reps=${2:-40}
bin=target/release/borderflow
cargo build --release --quiet
tmp=$(mktemp -d)
for k in 0 1 2 3; do
    SLURM_ARRAY_TASK_ID=$k "$bin" run "$scenario" -r "$reps" --shard "$k/4" --out "$tmp/shard-$k" -q
done
"$bin" merge "$tmp"/shard-{0,1,2,3} --out "$tmp/merged"
"$bin" run "$scenario" -r "$reps" --out "$tmp/single" -q
for f in daily.csv kpis.csv daily_summary.csv summary.json; do
    cmp "$tmp/merged/$f" "$tmp/single/$f"
done
echo "merged 4 shards: identical to one run ($tmp)"
