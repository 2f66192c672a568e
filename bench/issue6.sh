#!/usr/bin/env bash
# Issue 6 benchmark at 1,000,000 tickets: track lookups (POST /track with code and
# phone → 303, and the private page /t/{token}), and the home page with and without the
# visitor counter ([site] visitor_counter). /answers has its own script (answers.sh).
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/issue6"; mkdir -p "$OUT"
build
use_pakn_1m
count "SELECT code || ' ' || phone FROM tickets ORDER BY random() LIMIT 5000" > "$OUT/pairs.txt"
count "SELECT '/t/' || access_token FROM tickets ORDER BY random() LIMIT 5000" > "$OUT/private.txt"
echo "/" > "$OUT/home.txt"
export COOKIE=""
run_paths() { # name path-file
  export PATHS="$2"
  wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1
  measure "$1" -t1 -c16 -d30s --latency -s "$ROOT/bench/paths.lua" "$BASE"
}
start_server
TOKEN=$("$BIN" bench-tokens --count 1 --form track); export TOKEN PAIRS="$OUT/pairs.txt"
wrk -t1 -c16 -d5s -s "$ROOT/bench/track.lua" "$BASE" >/dev/null 2>&1
measure track_lookup -t1 -c16 -d30s --latency -s "$ROOT/bench/track.lua" "$BASE"
run_paths track_private_page "$OUT/private.txt"
stop_server
# The home page with and without the counter, twice each, alternating, on fresh servers:
# a background burst of Postgres (a checkpoint, autovacuum) during one run otherwise
# reads as the counter's cost.
for round in 1 2; do
  start_server
  run_paths "home_with_counter_$round" "$OUT/home.txt"
  stop_server
  start_server PAKN_SITE__VISITOR_COUNTER=false
  run_paths "home_without_counter_$round" "$OUT/home.txt"
  stop_server
done
echo "== EXPLAIN of the lookup"
code=$(head -1 "$OUT/pairs.txt" | cut -d' ' -f1)
psql "$DB_URL" -qAt -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT id, phone, email FROM tickets WHERE code = '$code'"
