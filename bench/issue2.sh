#!/usr/bin/env bash
# Issue 2 benchmark: GET /feedback/new and POST /feedback (fresh tokens, no attachment)
# against the machine's Postgres (default durability) seeded with 100,000 tickets.
# Conditions of design.md: wrk -t1 -c16 -d30s after a 5 s warm-up, same machine, rate
# limits on with 127.0.0.1 exempt. Results go to bench/results/issue2-<date>.txt.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-100000}
OUT="$ROOT/target/bench/issue2"; mkdir -p "$OUT"
build
fresh_db pakn_bench
"$BIN" seed-demo --tickets "$TICKETS" 2>"$OUT/seed.log"
start_server
wrk -t1 -c16 -d5s "$BASE/feedback/new" >/dev/null
measure get_form -t1 -c16 -d30s --latency "$BASE/feedback/new"

"$BIN" bench-tokens --count 400000 > "$OUT/tokens.txt"
before=$(count "SELECT count(*) FROM tickets")
TOKENS="$OUT/tokens.txt" wrk -t1 -c16 -d5s -s "$ROOT/bench/post_feedback.lua" "$BASE" >/dev/null 2>&1
tail -n +150001 "$OUT/tokens.txt" > "$OUT/tokens2.txt"
mid=$(count "SELECT count(*) FROM tickets")
TOKENS="$OUT/tokens2.txt" measure post_feedback -t1 -c16 -d30s --latency -s "$ROOT/bench/post_feedback.lua" "$BASE"
after=$(count "SELECT count(*) FROM tickets")
echo "tickets: before=$before after-warmup=$mid after=$after created in the measured 30 s: $((after - mid)) ($(( (after - mid) / 30 ))/s)"
echo "idle RSS after load: $(rss_kb) kB"
stop_server
