#!/usr/bin/env bash
# The records from Python: runs `borderflow run -r 2 -s 1 --no-charts` and a
# small sweep as CSV and as Parquet, then checks (check_parquet.py) that
# polars and pyarrow read both with one call each and find equal values. Installs polars and pyarrow
# in a venv; prints SKIP only when pip cannot reach the package registry.
# Usage: tests/python/run.sh path/to/borderflow
set -euo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Debian splits venv support out (python3-venv): install it when missing.
if ! python3 -m venv "$work/venv" >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; } ||
        echo "warning: could not install python3-venv" >&2
    rm -rf "$work/venv"
    python3 -m venv "$work/venv"
fi
if ! "$work/venv/bin/pip" install -q pyarrow polars >"$work/pip.log" 2>&1; then
    if grep -qiE "connection|resolve|network|timed out|No matching distribution" "$work/pip.log"; then
        echo "SKIP: python records check (pip cannot reach the package registry)"
        exit 0
    fi
    cat "$work/pip.log" >&2
    exit 1
fi
"$bin" run -r 2 -s 1 --no-charts -q -o "$work/csv"
"$bin" run -r 2 -s 1 --no-charts -q --format parquet -o "$work/parquet"
sweep="$here/../../scenarios/sweeps/mmc_servers.ron"
"$bin" sweep "$sweep" -r 2 -s 1 --no-charts -q -o "$work/sweep-csv"
"$bin" sweep "$sweep" -r 2 -s 1 --no-charts -q --format parquet -o "$work/sweep-parquet"
"$work/venv/bin/python" "$here/check_parquet.py" "$work/csv" "$work/parquet" \
    "$work/sweep-csv" "$work/sweep-parquet"
echo "python records check: 1 passed, 0 failed"
