#!/usr/bin/env bash
# Submit a sharded run or sweep and its merge: an array of SHARDS tasks, then a
# merge that runs when they are all done (afterany) and writes outputs/<name>.
#
#   examples/slurm/submit.sh run 16 scenarios/baseline.ron -r 100000
#   examples/slurm/submit.sh sweep 8 scenarios/sweeps/mmc_sobol.ron
#
# Run it in the working folder (on a file system every node sees): inputs are
# read and shards/, outputs/ and the slurm-*.out logs written there; or set
# BORDERFLOW_WORKDIR. Environment:
#   BORDERFLOW         the borderflow binary, as the nodes see it (default:
#                      `borderflow` on PATH); a relative path starts at the
#                      working folder
#   SHARD_SBATCH       extra sbatch options for the array tasks, e.g.
#                      "-c 8 --time=04:00:00 -p long"
#   MERGE_SBATCH       extra sbatch options for the merge, e.g. "-p short"
#   ARRAY              the array's task ids (default 0-<SHARDS-1>); e.g.
#                      "0-15%4" for at most 4 at a time, or "3,7" to rerun
#                      two unfinished shards (finished ones are skipped anyway)
# Prints the two job ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 run|sweep SHARDS FILE [borderflow options]"
kind=${1:?$usage}
shards=${2:?$usage}
file=${3:?$usage}
shift 3
case $kind in
run) script=$here/run_shards.sbatch ;;
sweep) script=$here/sweep_shards.sbatch ;;
*)
    echo "$usage" >&2
    exit 2
    ;;
esac
[[ $shards =~ ^[1-9][0-9]*$ ]] || {
    echo "SHARDS must be a positive number: $shards" >&2
    exit 2
}

workdir=$(cd "${BORDERFLOW_WORKDIR:-.}" && pwd)
cd "$workdir"
[[ -f $file ]] || {
    echo "$workdir/$file: no such file" >&2
    exit 2
}
bin=${BORDERFLOW:-borderflow}
if [[ $bin == */* && $bin != /* ]]; then bin=$workdir/$bin; fi
export BORDERFLOW=$bin BORDERFLOW_WORKDIR=$workdir
# Catch a bad scenario here rather than in every task (where the binary runs).
if [[ $kind == run ]] && command -v "$bin" >/dev/null; then
    "$bin" validate "$file" >/dev/null
fi

name=$(basename "$file" .ron)
read -r -a shard_opts <<<"${SHARD_SBATCH-}"
read -r -a merge_opts <<<"${MERGE_SBATCH-}"
array=$(sbatch --parsable --chdir="$workdir" --array="${ARRAY:-0-$((shards - 1))}" \
    "${shard_opts[@]}" "$script" "$shards" "$file" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --chdir="$workdir" --dependency="afterany:$array" \
    "${merge_opts[@]}" "$here/merge.sbatch" "$name" "$shards" "$array")
merge=${merge%%;*}
echo "array job $array: $shards shards of $file → $workdir/shards/$name (logs slurm-${array}_K.out)"
echo "merge job $merge: → $workdir/outputs/$name (log slurm-merge-$merge.out)"
