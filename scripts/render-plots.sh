#!/usr/bin/env bash
# Draws capplan's plots for scenarios/colossus.toml and renders each SVG to PNG in a
# headless browser (Debian's chromium), so a person can look at what users will see.
# Usage: scripts/render-plots.sh [OUT_DIR]   (default: target/plots)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/plots}"
mkdir -p "$out"
cargo build --release --quiet
./target/release/capplan compare scenarios/colossus.toml --plot "$out/week.svg" > /dev/null 2>&1
./target/release/capplan timeline scenarios/colossus.toml --plot "$out/timeline.svg" > /dev/null 2>&1
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "no chromium: apt-get install chromium (or view $out/*.svg in any browser)" >&2
  exit 1
fi
for name in week timeline; do
  size=$(sed -n 's/^<svg width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$out/$name.svg")
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size="$size" \
    --screenshot="$PWD/$out/$name.png" "file://$PWD/$out/$name.svg" > /dev/null 2>&1
  echo "$out/$name.png"
done
