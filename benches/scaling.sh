#!/usr/bin/env bash
# How the cost of one baseline replication grows with (a) arrivals ×1, ×2,
# ×4, ×8 and (b) the horizon 1, 3, 6, 13 months: wall time, events and peak
# memory (maximum resident set) of `borderflow run -r 1 --threads 1`, median
# of RUNS runs each. Writes benches/scaling.csv; draw it with
#   cargo run --release --example scaling_chart
# Usage: bash benches/scaling.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
bin=$PWD/target/release/borderflow
tmp=$(mktemp -d)
origins='["Venezuela", "Ecuador", "Haiti", "Colombia", "Cuba", "Nicaragua", "Honduras", "Guatemala", "El Salvador", "Other via Nicaragua", "Other by air", "Mexico"]'
out=benches/scaling.csv
echo "series,x,seconds,events,max_rss_mb" > "$out"
measure() { # series x scenario-file
    local series=$1 x=$2 file=$3 secs=() rss=() events=0
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f "%e %M" -o "$tmp/time" "$bin" run "$file" -r 1 --threads 1 --no-charts --out "$tmp/out" > "$tmp/stdout"
        read -r s m < "$tmp/time"
        secs+=("$s"); rss+=("$m")
        events=$(grep -o '[0-9]* events' "$tmp/stdout" | grep -o '[0-9]*')
    done
    local ms; ms=$(printf '%s\n' "${secs[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    local mr; mr=$(printf '%s\n' "${rss[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    echo "$series,$x,$ms,$events,$(awk "BEGIN {printf \"%.1f\", $mr / 1024}")" | tee -a "$out"
}
for k in 1 2 4 8; do
    cat > "$tmp/arrivals_$k.ron" <<RON
(extend: "$PWD/scenarios/baseline.ron", name: "scaling-arrivals-$k",
 add_interventions: [(name: "scale", kind: "arrival_surge", multiplier: $k.0, from: "2023-01-01", origins: $origins)])
RON
    measure arrivals "$k" "$tmp/arrivals_$k.ron"
done
for m in 1 3 6 13; do
    end=$(date -d "2023-01-01 + $m months - 1 day" +%F)
    cat > "$tmp/horizon_$m.ron" <<RON
(extend: "$PWD/scenarios/baseline.ron", name: "scaling-horizon-$m", end: "$end")
RON
    measure horizon_months "$m" "$tmp/horizon_$m.ron"
done
rm -rf "$tmp"
