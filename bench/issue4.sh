#!/usr/bin/env bash
# Issue 4 benchmark: the staff queue, lookups, search and overview at 1,000,000 tickets.
# Seeds pakn_1m once (seed-demo, ~7 min; reused when it has the tickets), signs in as
# the demo leader and runs wrk -t1 -c16 -d30s (5 s warm-up) per endpoint.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/issue4"; mkdir -p "$OUT"
build
use_pakn_1m
# A handful of tickets with a rare word, for the rare-term search.
psql "$DB_URL" -qAt -c "UPDATE tickets SET search_text = search_text || ' hiemgap' WHERE id IN (SELECT id FROM tickets ORDER BY random() LIMIT 20)"
start_server
login_leader
run() { # name path-file
  export PATHS="$2"
  wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1
  measure "$1" -t1 -c16 -d30s --latency -s "$ROOT/bench/paths.lua" "$BASE"
}
echo "/staff/tickets" > "$OUT/first.txt"; run queue_first_page "$OUT/first.txt"
# ONLY_FIRST=1: the first page only (bench/issue12.sh compares builds on it).
if [ -n "${ONLY_FIRST:-}" ]; then stop_server; exit 0; fi
echo "/staff/tickets?status=in_progress" > "$OUT/status.txt"; run queue_status_filter "$OUT/status.txt"
psql "$DB_URL" -qAt -c "SELECT '/staff/tickets?q=' || code FROM tickets ORDER BY random() LIMIT 2000" > "$OUT/codes.txt"; run lookup_code "$OUT/codes.txt"
psql "$DB_URL" -qAt -c "SELECT '/staff/tickets?q=' || phone FROM tickets ORDER BY random() LIMIT 2000" > "$OUT/phones.txt"; run lookup_phone "$OUT/phones.txt"
echo "/staff/tickets?q=thu+tuc" > "$OUT/common.txt"; run search_common "$OUT/common.txt"
echo "/staff/tickets?q=hiemgap" > "$OUT/rare.txt"; run search_rare "$OUT/rare.txt"
echo "/staff/overview" > "$OUT/overview.txt"; run overview "$OUT/overview.txt"
stop_server
for q in "SELECT id FROM tickets ORDER BY received_at DESC, id DESC LIMIT 51" \
         "SELECT id FROM tickets WHERE status = 'in_progress' ORDER BY received_at DESC, id DESC LIMIT 51" \
         "SELECT id FROM tickets WHERE search_tsv @@ to_tsquery('simple', 'hiemgap:*')"; do
  echo "== EXPLAIN $q"; psql "$DB_URL" -qAt -c "EXPLAIN (ANALYZE, COSTS OFF) $q"
done
