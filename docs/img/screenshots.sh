#!/bin/bash
# Captures compare, check and timeline on scenarios/colossus.toml in a real terminal (tmux)
# at 80, 100 and 120 columns, as text: docs/img/<command>-<cols>.txt. Run from the crate
# root after `cargo build --release` (or with CAPPLAN_BIN naming another build): bash
# docs/img/screenshots.sh. Fails when any line wrapped.
# Then the HTML report in headless Chromium (below).
set -euo pipefail
bin="${CAPPLAN_BIN:-$PWD/target/release/capplan}"
for cols in 80 100 120; do
  for command in compare check timeline; do
    session="capplan-$command-$cols"
    tmux kill-session -t "$session" 2>/dev/null || true
    tmux new-session -d -s "$session" -x "$cols" -y 400 \
      "env LANG=C.UTF-8 NO_COLOR=1 $bin $command scenarios/colossus.toml; tmux wait-for -S $session-done; sleep 30"
    tmux wait-for "$session-done"
    {
      echo "\$ capplan $command scenarios/colossus.toml   # tmux, $cols columns"
      tmux capture-pane -p -t "$session" -S 0 -E - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
    } > "docs/img/$command-$cols.txt"
    # -J joins lines the terminal wrapped: a joined line wider than the terminal is a
    # wrapped row, and fails the capture.
    widest=$(tmux capture-pane -p -J -t "$session" -S 0 -E - | LC_ALL=C.UTF-8 wc -L)
    tmux kill-session -t "$session"
    if [ "$widest" -gt "$cols" ]; then
      echo "capplan $command wraps at $cols columns (a line of $widest)" >&2
      exit 1
    fi
  done
done

# The HTML report of colossus.toml as Chromium shows it in a 1280-pixel window, its top
# (verdicts and the policy table): docs/img/report-1280.png.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "no chromium for the report's screenshot: apt-get install chromium" >&2
  exit 1
fi
page=$(mktemp -d)
"$bin" report scenarios/colossus.toml -o "$page/report.html"
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-sync \
  --disable-background-networking --disable-component-update --hide-scrollbars \
  --user-data-dir="$page/profile" --window-size=1280,1400 \
  --screenshot="$PWD/docs/img/report-1280.png" "file://$page/report.html" > /dev/null 2>&1
rm -rf "$page"
