#!/usr/bin/env bash
# Issue 21, item 3: the citizen's private page /t/{token} at 1,000,000 PAKN (target
# 10,000 req/s), side by side with another build: OLD=/path/to/.../release/pakn (keep
# "release/pakn" in the path: `measure` finds the server's CPU by it). Each build serves
# the same 5,000 random tokens of pakn_1m, alternating, ROUNDS times (default 2), wrk
# -t1 -c16 -d20s after 5 s. The costs land in target/bench/issue21-private/costs.md.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
ROUNDS=${ROUNDS:-2}
OUT="$ROOT/target/bench/issue21-private"; mkdir -p "$OUT"
build
use_pakn_1m
count "SELECT '/t/' || access_token FROM tickets ORDER BY random() LIMIT 5000" > "$OUT/private.txt"
export PATHS="$OUT/private.txt" COOKIE=""
THIS="$BIN"
for round in $(seq 1 "$ROUNDS"); do
  for which in ${OLD:+old} this; do
    if [ "$which" = old ]; then BIN="$OLD"; else BIN="$THIS"; fi
    start_server
    wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1
    measure "private_page_${which}_$round" -t1 -c16 -d20s --latency -s "$ROOT/bench/paths.lua" "$BASE"
    stop_server
  done
done
cat "$OUT/costs.md"
