#!/usr/bin/env bash
# Issue 12 benchmark: the house plan must not cost speed. Runs the three figures it is
# held to for two builds back to back on the same machine and databases, old then new,
# twice (old, new, old, new) so that drift of a shared machine shows:
#   POST /feedback (bench/issue2.sh), the first queue page (bench/issue4.sh, first
#   endpoint only) and the workflow actions (bench/issue5.sh).
# OLD=/path/to/old/pakn (required) NEW=/path/to/new/pakn (default: this tree's release
# build). The scripts are this tree's; each build runs from its own checkout (the directory two levels above the binary's
# target/), so that it reads its own config.toml. TICKETS sets the size of pakn_1m
# (default 1,000,000; seeded once by the old build when missing).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OLD=${OLD:?OLD=/path/to/old/target/release/pakn}
NEW=${NEW:-$ROOT/target/release/pakn}
[ "$NEW" != "$ROOT/target/release/pakn" ] || (cd "$ROOT" && cargo build --release --quiet)
command -v wrk >/dev/null && command -v bc >/dev/null || { echo "needs wrk and bc (apt-get install wrk bc)"; exit 1; }
OUT="$ROOT/target/bench/issue12"; mkdir -p "$OUT"
checkout_of() { cd "$(dirname "$1")/../.." && pwd; }
summary() { # file: keeps the lines worth reading
  grep -E "^== |Requests/sec|Latency  |99%|Non-2xx|created in the measured|responses other than 303" "$1" || true
}
for round in 1 2; do
  for which in OLD NEW; do
    bin=${!which}; dir=$(checkout_of "$bin")
    echo "### round $round, $which ($bin), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd "$dir" && BIN=$bin bash "$ROOT/bench/issue2.sh") > "$OUT/issue2-$which-$round.txt" 2>&1
    summary "$OUT/issue2-$which-$round.txt" | sed -n '/post_feedback/,$p'
    (cd "$dir" && BIN=$bin ONLY_FIRST=1 bash "$ROOT/bench/issue4.sh") > "$OUT/issue4-$which-$round.txt" 2>&1 || true
    summary "$OUT/issue4-$which-$round.txt" | sed -n '/queue_first_page/,/^== queue_status/p' | grep -v "queue_status"
    (cd "$dir" && BIN=$bin bash "$ROOT/bench/issue5.sh") > "$OUT/issue5-$which-$round.txt" 2>&1 || true
    summary "$OUT/issue5-$which-$round.txt"
  done
done
