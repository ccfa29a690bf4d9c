#!/usr/bin/env bash
# How the cost of one baseline replication grows with (a) arrivals ×1, ×2,
# ×4, ×8 and (b) the horizon 1, 3, 6, 13 months: wall time, events handled
# and peak memory of one replication on one thread (examples/scaling_point.rs),
# median of RUNS runs each. Writes benches/scaling.csv; draw it with
#   cargo run --release --example scaling_chart
# Usage: bash benches/scaling.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet --example scaling_point --example scaling_chart
point=target/release/examples/scaling_point
out=benches/scaling.csv
echo "series,x,seconds,events,max_rss_mb" > "$out"
median() { sort -g | sed -n "$(((runs + 1) / 2))p"; }
measure() { # series x K M
    local s=() m=() e=0
    for ((i = 0; i < runs; i++)); do
        read -r secs events mb < <("$point" "$3" "$4")
        s+=("$secs"); m+=("$mb"); e=$events
    done
    echo "$1,$2,$(printf '%s\n' "${s[@]}" | median),$e,$(printf '%s\n' "${m[@]}" | median)" | tee -a "$out"
}
for k in 1 2 4 8; do measure arrivals "$k" "$k" 13; done
for m in 1 3 6 13; do measure horizon_months "$m" 1 "$m"; done
