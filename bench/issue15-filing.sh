#!/usr/bin/env bash
# Issue 15: POST /feedback of one build, 20 s after a 5 s warm-up (bench/issue2.sh's
# conditions, shorter), on a fresh database of 100,000 demo PAKN whose demo staff make
# every filing queue the unit's notifications too.
# usage: [XBIN=/path/to/pakn XDIR=/its/checkout] [SERVE_ARGS=--no-worker] [SQL="…"] \
#        bash bench/issue15-filing.sh NAME
# Run it for an old and a new build in turn (old, new, old, new) and compare; SQL runs on
# the seeded database before the server starts (to try an index or a function).
source "$(dirname "$0")/lib.sh"
BIN=${XBIN:-$ROOT/target/release/pakn}
[ -n "${XBIN:-}" ] || (cd "$ROOT" && cargo build --release --quiet)
OUT="$ROOT/target/bench/issue15-filing/$1"; mkdir -p "$OUT"
cd "${XDIR:-$ROOT}"
fresh_db pakn_exp
"$BIN" seed-demo --tickets 100000 2>"$OUT/seed.log"
[ -n "${SQL:-}" ] && psql "$DB_URL" -qAt -c "$SQL"
psql "$DB_URL" -qAt -c "VACUUM ANALYZE"
start_server
"$BIN" bench-tokens --count 200000 > "$OUT/tokens.txt"
TOKENS="$OUT/tokens.txt" wrk -t1 -c16 -d5s -s "$ROOT/bench/post_feedback.lua" "$BASE" >/dev/null 2>&1
tail -n +100001 "$OUT/tokens.txt" > "$OUT/tokens2.txt"
mid=$(count "SELECT count(*) FROM tickets")
TOKENS="$OUT/tokens2.txt" measure post -t1 -c16 -d20s --latency -s "$ROOT/bench/post_feedback.lua" "$BASE"
after=$(count "SELECT count(*) FROM tickets")
echo "$1: $(( (after - mid) / 20 )) created/s, load $(cut -d' ' -f1-3 /proc/loadavg)"
stop_server
