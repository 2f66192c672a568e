# Shared helpers of the benchmark scripts (sourced).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# BIN=/path/to/pakn runs another build (to compare commits); otherwise this tree's is built.
BIN=${BIN:-}
if [ -z "$BIN" ]; then BIN="$ROOT/target/release/pakn"; BUILD=1; else BUILD=0; fi
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-18080}
BASE="http://127.0.0.1:$PORT"

build() { [ "$BUILD" = 0 ] || (cd "$ROOT" && cargo build --release --quiet); }

psql_admin() { psql "$PG_ADMIN" -v ON_ERROR_STOP=1 -qAt "$@"; }

fresh_db() { # name
  psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
  DB_URL="${PG_ADMIN%/*}/$1"
  export PAKN_DATABASE__URL="$DB_URL"
}

count() { psql "$DB_URL" -qAt -c "$1"; }

# Cumulative CPU seconds (user+system) of processes whose command matches $1.
cpu_of() {
  local total=0 pid t
  for pid in $(pgrep -f "$1" || true); do
    t=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

# The demo leader signs in with the password alone ([auth] second_factor off) unless the
# extra env sets PAKN_AUTH__SECOND_FACTOR (bench/issue14-login.sh does). A build from
# before the second factor knows no [auth] and would refuse the key: it gets none.
start_server() { # extra env as VAR=VALUE ...
  local auth=()
  if PAKN_AUTH__SECOND_FACTOR= "$BIN" check-config >/dev/null 2>&1; then
    auth=(PAKN_AUTH__SECOND_FACTOR=)
  fi
  env PAKN_SERVER__LISTEN="127.0.0.1:$PORT" PAKN_SERVER__PUBLIC_URL="$BASE" \
      PAKN_LIMITS__EXEMPT="127.0.0.1/32" PAKN_LOG=warn "${auth[@]}" "$@" \
      "$BIN" serve ${SERVE_ARGS:-} > "$OUT/serve.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "server did not start"; cat "$OUT/serve.log"; exit 1
}

stop_server() { kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }

# Postgres's CPU ticks, exited backends included (the postmaster's children's times).
pg_ticks() {
  local pm t p
  pm=$(pgrep -o -x postgres)
  t=$(awk '{print $14+$15+$16+$17}' "/proc/$pm/stat")
  for p in $(pgrep -P "$pm"); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# Transactions committed or rolled back so far in $DB_URL's database (every statement
# pakn sends outside a transaction is one; 0 when no DB_URL is set).
xacts_of_db() {
  [ -n "${DB_URL:-}" ] || { echo 0; return; }
  psql "$DB_URL" -qAt -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()" 2>/dev/null || echo 0
}

# Runs wrk and prints its summary, the CPU split (ticks of pakn, postgres, wrk) and the
# cost of one request (issue 21, item 6): µs of CPU of pakn and of Postgres (its whole
# process tree: background writers and autovacuum included) and the database's
# transactions per request, so figures from a busy machine stay comparable. The last
# line is also appended to $OUT/costs.md as a table row.
measure() { # name, wrk args...
  local name=$1; shift
  local t0 p0 g0 w0 x0 l0
  l0=$(cut -d' ' -f1 /proc/loadavg); x0=$(xacts_of_db)
  p0=$(cpu_of "release/pakn serve"); g0=$(cpu_of "postgres"); t0=$(date +%s.%N)
  local a0=0 a1=0; [ -z "${CPU_ALSO:-}" ] || a0=$(cpu_of "$CPU_ALSO")
  wrk "$@" > "$OUT/$name.wrk" 2>&1 &
  local wrk_pid=$!
  local max_rss=0 r
  while kill -0 $wrk_pid 2>/dev/null; do
    r=$(rss_kb); [ "${r:-0}" -gt "$max_rss" ] && max_rss=$r
    w0=$(awk '{print $14+$15}' "/proc/$wrk_pid/stat" 2>/dev/null || echo "$w0")
    sleep 0.5
  done
  wait $wrk_pid || true
  local p1 g1 t1 x1 n rps p99
  p1=$(cpu_of "release/pakn serve"); g1=$(cpu_of "postgres"); t1=$(date +%s.%N)
  [ -z "${CPU_ALSO:-}" ] || a1=$(cpu_of "$CPU_ALSO")
  x1=$(xacts_of_db)
  echo "== $name"
  grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors|requests in" "$OUT/$name.wrk" || true
  echo "cpu ticks (1/100 s): pakn=$((p1-p0)) postgres=$((g1-g0)) wrk=${w0:-?}${CPU_ALSO:+ $CPU_ALSO=$((a1-a0))} over $(echo "$t1 - $t0" | bc) s; max RSS pakn=${max_rss} kB"
  n=$(awk '/requests in/ {print $1}' "$OUT/$name.wrk"); n=${n:-0}
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' "$OUT/$name.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$name.wrk")
  if [ "$n" -gt 0 ]; then
    # The two psql calls of xacts_of_db are transactions too.
    local row
    row="| $name | ${rps:-?} | ${p99:-?} | $(( (p1-p0) * 10000 / n )) | $(( (g1-g0) * 10000 / n )) | $(printf '%.2f' "$(echo "scale=3; ($x1 - $x0 - 2) / $n" | bc)") | $l0 → $(cut -d' ' -f1 /proc/loadavg) |"
    echo "cost: $row"
    if [ -z "${COSTS_STARTED:-}" ]; then # a fresh table per run of a script
      COSTS_STARTED=1
      printf '%s\n\n%s\n%s\n' "$(basename "$0") at $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, BIN=$BIN" \
      "| benchmark | req/s | p99 | pakn µs CPU/req | Postgres µs CPU/req | transactions/req | load before → after |" \
      "| --- | --- | --- | --- | --- | --- | --- |" > "$OUT/costs.md"
    fi
    echo "$row" >> "$OUT/costs.md"
  fi
}

# pakn_1m, shared by the benchmarks at 1,000,000 PAKN: seeded with seed-demo (TICKETS of
# them) when it holds fewer, then migrated. Sets DB_URL and PAKN_DATABASE__URL.
# BENCH_DB names another database: TICKETS=10000000 BENCH_DB=pakn_10m for ten million.
use_pakn_1m() {
  local db=${BENCH_DB:-pakn_1m}
  DB_URL="${PG_ADMIN%/*}/$db"; export PAKN_DATABASE__URL="$DB_URL"
  local have
  have=$(psql "$DB_URL" -qAt -c "SELECT count(*) FROM tickets" 2>/dev/null || echo 0)
  if [ "${have:-0}" -lt "$TICKETS" ]; then
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    "$BIN" seed-demo --tickets "$TICKETS" 2>"$OUT/seed.log"
  fi
  "$BIN" migrate >/dev/null
}

# Signs the demo leader in on the running server ($BASE) and exports its COOKIE.
login_leader() {
  local token
  token=$("$BIN" bench-tokens --count 1 --form login)
  COOKIE=$(curl -s -o /dev/null -D - -X POST "$BASE/staff/login" \
    --data-urlencode "form_token=$token" --data-urlencode "email=lanhdao@demo.pakn.vn" \
    --data-urlencode "password=pakn-demo-2026" | awk 'tolower($1)=="set-cookie:" {print $2}' | tr -d ';\r' | head -1)
  [ -n "$COOKIE" ] || { echo "login failed"; exit 1; }
  export COOKIE
}

# Builds side by side: BUILDS="label=/path/release/pakn ..." into BINS, beside "this"
# (this tree's build or BIN); ORDER, the labels in turn (default "this this").
builds_from_env() {
  declare -gA BINS=([this]="$BIN")
  local b
  for b in ${BUILDS:-}; do BINS[${b%%=*}]=${b#*=}; done
  ORDER=${ORDER:-this this}
}
