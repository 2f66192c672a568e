#!/usr/bin/env bash
# Issue 13 benchmark: what "filed means committed" costs POST /feedback. Runs
# bench/issue2.sh for two builds back to back, old then new, twice (old, new, old, new)
# so that drift of a shared machine shows.
# OLD=/path/to/old/pakn (required; e.g. a release build of 2f71d97, before issue 13)
# NEW=/path/to/new/pakn (default: this tree's release build). Each build runs from its
# own checkout (two levels above the binary's target/), reading its own config.toml.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=${OLD:?OLD=/path/to/old/target/release/pakn}
NEW=${NEW:-$ROOT/target/release/pakn}
[ "$NEW" != "$ROOT/target/release/pakn" ] || (cd "$ROOT" && cargo build --release --quiet)
command -v wrk >/dev/null && command -v bc >/dev/null || { echo "needs wrk and bc (apt-get install wrk bc)"; exit 1; }
OUT="$ROOT/target/bench/issue13"; mkdir -p "$OUT"
checkout_of() { cd "$(dirname "$1")/../.." && pwd; }
for round in 1 2; do
  for which in OLD NEW; do
    bin=${!which}; dir=$(checkout_of "$bin")
    echo "### round $round, $which ($bin), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$dir" && BIN=$bin TICKETS=${TICKETS:-100000} bash "$ROOT/bench/issue2.sh") > "$OUT/issue2-$which-$round.txt" 2>&1
    grep -E "^== |Requests/sec|Latency  |99%|Non-2xx|created in the measured" "$OUT/issue2-$which-$round.txt" \
      | sed -n '/post_feedback/,$p'
  done
done
