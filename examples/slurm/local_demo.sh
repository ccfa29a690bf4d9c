#!/usr/bin/env bash
# What the Slurm scripts do, on one machine without Slurm: run_shards.sbatch
# runs 4 shards as array tasks 0-3 would (shard 1 is stopped with SIGTERM
# halfway, as at a time limit, and run again: it continues from its kept
# replications), merge.sbatch merges them, and every file of the merged folder
# is compared, byte for byte, with one unsharded run.
#
#   bash examples/slurm/local_demo.sh [scenario] [replications]
#
# BORDERFLOW=path/to/borderflow skips the build. tests/slurm/run.sh does the
# same on a real Slurm, with time limits and requeues.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scenario=$(realpath "${1:-$root/scenarios/mmc.ron}")
reps=${2:-400}
if [[ -z ${BORDERFLOW-} ]]; then
    (cd "$root" && cargo build --release --quiet)
    export BORDERFLOW=$root/target/release/borderflow
fi
tmp=$(mktemp -d)
export BORDERFLOW_WORKDIR=$tmp
name=$(basename "$scenario" .ron)

# what Slurm sets for array task K of --array=0-3
export SLURM_ARRAY_JOB_ID=local SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=3
task() { SLURM_ARRAY_TASK_ID=$1 bash "$here/run_shards.sbatch" 4 "$scenario" -r "$reps"; }

# Shard 1, stopped as soon as it has kept a replication.
SLURM_ARRAY_TASK_ID=1 bash "$here/run_shards.sbatch" 4 "$scenario" -r "$reps" &
pid=$!
until grep -qs '"done": [1-9]' "$tmp/shards/$name/.shard-1.partial/checkpoint.json" || ! kill -0 "$pid" 2>/dev/null; do
    sleep 0.01
done
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true

for k in 0 1 2 3; do task "$k"; done
bash "$here/merge.sbatch" "$name" 4

"$BORDERFLOW" run "$scenario" -r "$reps" -q -o "$tmp/single"
n=0
while read -r f; do
    cmp "$tmp/single/$f" "$tmp/outputs/$name/$f"
    n=$((n + 1))
done < <(cd "$tmp/single" && find . -type f ! -name .borderflow | sort)
echo "merged 4 shards: all $n files identical to one run ($tmp)"
