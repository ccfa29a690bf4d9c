#!/usr/bin/env bash
# Regenerates the README's chart images (docs/img/) from a fresh run of the
# baseline scenario with its own seed and replications, so the images are
# reproducible bit for bit. About a minute and a half on two cores.
#
#   bash docs/regen.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet -- run scenarios/baseline.ron --quiet --out outputs/baseline
mkdir -p docs/img
for chart in usbp_apprehensions where_people_are sectors; do
    cp "outputs/baseline/$chart.png" "docs/img/$chart.png"
done
echo "docs/img: $(ls docs/img | tr '\n' ' ')"
