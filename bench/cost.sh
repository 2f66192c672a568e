#!/usr/bin/env bash
# Per-request cost of the staff pages at 1,000,000 tickets, robust to a busy machine:
# CPU time of `pakn serve` and of its own Postgres backends (not the whole cluster's),
# and statements, per request. Wall-clock figures from a shared 2-core machine are
# noise; CPU time per request is what a change moves. Uses the database of issue4.sh
# (pakn_1m; run that once, or seed it with `pakn seed-demo --tickets 1000000`).
#   bench/cost.sh [seconds per endpoint, default 10]
source "$(dirname "$0")/lib.sh"
SECS=${1:-10}
OUT="$ROOT/target/bench/cost"; mkdir -p "$OUT"
build
DB_URL="${PG_ADMIN%/*}/pakn_1m"; export PAKN_DATABASE__URL="$DB_URL"
"$BIN" migrate >/dev/null
start_server
login_leader

ticks() { # pids... → summed utime+stime ticks
  local total=0 p t
  for p in "$@"; do
    t=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
backends() { psql "$DB_URL" -qAt -c "SELECT pid FROM pg_stat_activity WHERE datname = 'pakn_1m' AND application_name <> 'psql' AND pid <> pg_backend_pid()"; }

echo "| endpoint | requests | pakn µs CPU/req | postgres µs CPU/req | transactions/req | load |"
echo "| --- | --- | --- | --- | --- | --- |"
cost() { # name path-file
  export PATHS="$2"
  wrk -t1 -c4 -d3s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1 # opens the pool
  local pg; pg=$(backends | tr '\n' ' ')
  local p0 g0 x0 p1 g1 x1 n
  p0=$(ticks "$SERVER_PID"); g0=$(ticks $pg); x0=$(xacts_of_db)
  wrk -t1 -c4 -d"${SECS}s" -s "$ROOT/bench/paths.lua" "$BASE" > "$OUT/$1.wrk" 2>&1
  p1=$(ticks "$SERVER_PID"); g1=$(ticks $pg); x1=$(xacts_of_db)
  n=$(awk '/requests in/ {print $1}' "$OUT/$1.wrk")
  # The two psql calls of xacts_of_db are transactions too.
  echo "| $1 | $n | $(( (p1-p0) * 10000 / n )) | $(( (g1-g0) * 10000 / n )) | $(echo "scale=2; ($x1 - $x0 - 2) / $n" | bc) | $(cut -d' ' -f1 /proc/loadavg) |"
}
echo "/staff/tickets" > "$OUT/first.txt"; cost queue_first_page "$OUT/first.txt"
echo "/staff/tickets?status=in_progress" > "$OUT/status.txt"; cost queue_status_filter "$OUT/status.txt"
psql "$DB_URL" -qAt -c "SELECT '/staff/tickets?q=' || phone FROM tickets ORDER BY random() LIMIT 2000" > "$OUT/phones.txt"; cost lookup_phone "$OUT/phones.txt"
psql "$DB_URL" -qAt -c "SELECT '/staff/tickets?q=' || code FROM tickets ORDER BY random() LIMIT 2000" > "$OUT/codes.txt"; cost lookup_code "$OUT/codes.txt"
echo "/staff/overview" > "$OUT/overview.txt"; cost overview "$OUT/overview.txt"
echo "/staff/account" > "$OUT/account.txt"; cost account_page "$OUT/account.txt"
stop_server
