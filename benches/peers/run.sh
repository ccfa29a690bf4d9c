#!/usr/bin/env bash
# borderflow against SimPy on the same M/M/c model, in one go: events per
# second for each, their ratio, and both mean waits next to Erlang C.
#   bash benches/peers/run.sh [LAMBDA MU C DAYS WARMUP]   (rates per hour)
# Installs SimPy into benches/peers/.venv on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
lam=${1:-540} mu=${2:-60} c=${3:-10} days=${4:-20} warm=${5:-1}
venv=benches/peers/.venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet simpy==4.1.1
fi
cargo build --release --quiet --example peer_mmc
bf=$(target/release/examples/peer_mmc "$lam" "$mu" "$c" "$days" "$warm")
sp=$("$venv/bin/python" benches/peers/mmc_simpy.py "$lam" "$mu" "$c" "$days" "$warm")
"$venv/bin/python" - "$bf" "$sp" "$lam" "$mu" "$c" <<'PY'
import json, math, sys
bf, sp = json.loads(sys.argv[1]), json.loads(sys.argv[2])
lam, mu, c = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
a = lam / mu
s = sum(a**k / math.factorial(k) for k in range(c))
tail = a**c / math.factorial(c) * c / (c - a)
wq = tail / (s + tail) / (c * mu - lam)
for r in (bf, sp):
    r["events_per_s"] = r["events"] / r["seconds"]
print(f"M/M/{c}: lambda={lam}/h mu={mu}/h, rho={lam/(c*mu):.3f}")
print(f"{'tool':<12}{'events':>12}{'seconds':>10}{'M events/s':>12}{'mean wait [s]':>15}")
for r in (bf, sp):
    print(f"{r['tool']:<12}{r['events']:>12}{r['seconds']:>10.3f}{r['events_per_s']/1e6:>12.3f}{r['mean_wait_h']*3600:>15.2f}")
print(f"{'Erlang C':<12}{'':>12}{'':>10}{'':>12}{wq*3600:>15.2f}")
print(f"speed ratio borderflow/simpy: {bf['events_per_s']/sp['events_per_s']:.0f}x")
PY
