#!/usr/bin/env bash
# Issue 21, group commit: filings created per second through the public form (POST
# /feedback, fresh form tokens, no file) and through the API (POST /api/v1/pakn, a fresh
# idempotency key per request), conditions of bench/issue2.sh: wrk -t1 -c16 -d30s after a
# 5 s warm-up, synchronous_commit on, the mail worker elsewhere (--no-worker).
# Side by side in one run: OLD=/path/to/an/older/pakn (optional) is measured first on the
# same database, then this tree's build (or BIN=). The database is DB (default pakn_1m,
# seeded with TICKETS PAKN when it holds fewer).
#   OLD=/tmp/base/release/pakn OLD_CONFIG=/work/base/config.toml bench/issue21-filing.sh
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/issue21-filing"; mkdir -p "$OUT"
build
NEW="$BIN"
use_pakn_1m
echo "commit $(git -C "$ROOT" rev-parse --short HEAD); tickets $(count "SELECT count(*) FROM tickets"); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

run_one() { # label binary [VAR=VALUE for the server ...]
  BIN=$2
  local label=$1; shift 2
  NAME="Bench $(date +%s%N)"
  KEY=$("$BIN" api-client add --name "$NAME" --channel api --rate-per-min 100000000 | grep '^pakn_'); export KEY
  SERVE_ARGS=--no-worker start_server PAKN_METRICS__LISTEN=127.0.0.1:$((PORT + 1)) "$@"
  "$BIN" bench-tokens --count 400000 > "$OUT/tokens.txt"
  TOKENS="$OUT/tokens.txt" wrk -t1 -c16 -d5s -s "$ROOT/bench/post_feedback.lua" "$BASE" >/dev/null 2>&1
  tail -n +150001 "$OUT/tokens.txt" > "$OUT/tokens2.txt"
  local n0 g0 n1 g1
  # Each measurement starts after a checkpoint: at 2,000 filings a second the WAL fills
  # max_wal_size in 20-30 s, and the full-page writes after a checkpoint's start would
  # otherwise fall on one build's run and not the other's.
  count "CHECKPOINT" >/dev/null
  n0=$(count "SELECT count(*) FROM tickets"); g0=$(pg_ticks)
  TOKENS="$OUT/tokens2.txt" measure "form_$label" -t1 -c16 -d30s --latency -s "$ROOT/bench/post_feedback.lua" "$BASE"
  n1=$(count "SELECT count(*) FROM tickets"); g1=$(pg_ticks)
  echo "$label form: created $((n1 - n0)) in 30 s = $(( (n1 - n0) / 30 ))/s; Postgres $(( (g1 - g0) * 10000 / (n1 - n0) )) µs CPU per filing; load $(cut -d' ' -f1 /proc/loadavg)"
  wrk -t1 -c16 -d5s -s "$ROOT/bench/api_filing.lua" "$BASE" >/dev/null 2>&1
  count "CHECKPOINT" >/dev/null
  n0=$(count "SELECT count(*) FROM tickets"); g0=$(pg_ticks)
  measure "api_$label" -t1 -c16 -d30s --latency -s "$ROOT/bench/api_filing.lua" "$BASE"
  n1=$(count "SELECT count(*) FROM tickets"); g1=$(pg_ticks)
  echo "$label api: created $((n1 - n0)) in 30 s = $(( (n1 - n0) / 30 ))/s; Postgres $(( (g1 - g0) * 10000 / (n1 - n0) )) µs CPU per filing; load $(cut -d' ' -f1 /proc/loadavg)"
  # The mean group size, when the build groups filings.
  curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | awk '/^pakn_filing_group_size_(sum|count)/ {v[$1]=$2} END {if (v["pakn_filing_group_size_count"] > 0) printf "%s: mean group %.1f filings over %d groups\n", "'"$label"'", v["pakn_filing_group_size_sum"] / v["pakn_filing_group_size_count"], v["pakn_filing_group_size_count"]}'
  stop_server
}

# An older build reads its own configuration file (OLD_CONFIG, e.g. its checkout's
# config.toml): this tree's may hold keys it does not know.
if [ -n "${OLD:-}" ]; then PAKN_CONFIG=${OLD_CONFIG:-$ROOT/config.toml} run_one old "$OLD"; fi
run_one new "$NEW"
# Fewer writers make larger groups: WRITERS="1 4" measures those counts too.
for w in ${WRITERS:-}; do run_one "new-writers-$w" "$NEW" PAKN_DATABASE__FILING_WRITERS="$w"; done
