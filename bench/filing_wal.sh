#!/usr/bin/env bash
# API filings (POST /api/v1/pakn, conditions of bench/issue20.sh: wrk -t1 -c16, a fresh
# idempotency key and phone per request, synchronous_commit on, --no-worker) with what
# each costs the database: Postgres's CPU, the WAL written and its full-page images, per
# filing. Builds alternate on one database so that a busy machine hits them alike:
#   BUILDS="old=/tmp/old/release/pakn new=target/release/pakn" ORDER="old new new old" \
#     bench/filing_wal.sh
# (default: this tree's build, twice). Each run starts after a CHECKPOINT, so every page
# a run changes first costs a full-page image: the run's count of them says how many
# distinct pages a filing touches. With WALDUMP=1 the last run's WAL is read with
# pg_waldump and its full-page images are counted per table and index (the machine's
# Postgres must be local: pg_waldump reads its pg_wal directory).
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
DUR=${DUR:-20}
OUT="$ROOT/target/bench/filing_wal"; mkdir -p "$OUT"
build
builds_from_env
use_pakn_1m
echo "commit $(git -C "$ROOT" rev-parse --short HEAD); tickets $(count "SELECT count(*) FROM tickets"); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "| build | created/s | p99 | Postgres µs CPU/filing | WAL bytes/filing | full-page images/filing | load before → after |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for label in $ORDER; do
  BIN=${BINS[$label]}
  KEY=$("$BIN" api-client add --name "Bench $(date +%s%N)" --channel api --rate-per-min 100000000 | grep '^pakn_'); export KEY
  SERVE_ARGS=--no-worker start_server
  wrk -t1 -c16 -d5s -s "$ROOT/bench/api_filing.lua" "$BASE" >/dev/null 2>&1
  count "CHECKPOINT" >/dev/null
  l0=$(cut -d' ' -f1 /proc/loadavg)
  n0=$(count "SELECT count(*) FROM tickets"); g0=$(pg_ticks)
  s0=$(count "SELECT pg_current_wal_lsn()")
  f0=$(count "SELECT wal_fpi FROM pg_stat_wal")
  wrk -t1 -c16 -d"${DUR}s" --latency -s "$ROOT/bench/api_filing.lua" "$BASE" > "$OUT/$label.wrk" 2>&1
  n1=$(count "SELECT count(*) FROM tickets"); g1=$(pg_ticks)
  s1=$(count "SELECT pg_current_wal_lsn()")
  f1=$(count "SELECT wal_fpi FROM pg_stat_wal")
  stop_server
  n=$((n1 - n0))
  wal=$(count "SELECT ('$s1'::pg_lsn - '$s0'::pg_lsn)::bigint")
  p99=$(awk '/ 99%/ {print $2}' "$OUT/$label.wrk")
  echo "| $label | $((n / DUR)) | $p99 | $(( (g1 - g0) * 10000 / n )) | $((wal / n)) | $(awk "BEGIN {printf \"%.2f\", ($f1 - $f0) / $n}") | $l0 → $(cut -d' ' -f1 /proc/loadavg) |"
done

if [ "${WALDUMP:-0}" = 1 ]; then
  waldump=$(ls /usr/lib/postgresql/*/bin/pg_waldump | tail -1)
  pg_wal=$(psql_admin -c "SHOW data_directory")/pg_wal
  echo "full-page images per filing of the last run, by relation:"
  "$waldump" -p "$pg_wal" -s "$s0" -e "$s1" 2>/dev/null \
    | grep -o "rel [0-9/]* blk [0-9]* FPW" | awk '{print $2}' | sort | uniq -c | sort -rn | head -8 \
    | while read -r c rel; do
        name=$(count "SELECT coalesce((SELECT relname FROM pg_class WHERE relfilenode = ${rel##*/}), 'relfilenode ${rel##*/}')")
        echo "  $name: $(awk "BEGIN {printf \"%.3f\", $c / $n}")"
      done
fi
