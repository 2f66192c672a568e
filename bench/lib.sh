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

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# Runs wrk and prints its summary plus the CPU split (ticks of pakn, postgres, wrk).
measure() { # name, wrk args...
  local name=$1; shift
  local t0 p0 g0 w0
  p0=$(cpu_of "release/pakn serve"); g0=$(cpu_of "postgres"); t0=$(date +%s.%N)
  wrk "$@" > "$OUT/$name.wrk" 2>&1 &
  local wrk_pid=$!
  local max_rss=0 r
  while kill -0 $wrk_pid 2>/dev/null; do
    r=$(rss_kb); [ "${r:-0}" -gt "$max_rss" ] && max_rss=$r
    w0=$(awk '{print $14+$15}' "/proc/$wrk_pid/stat" 2>/dev/null || echo "$w0")
    sleep 0.5
  done
  wait $wrk_pid || true
  local p1 g1 t1
  p1=$(cpu_of "release/pakn serve"); g1=$(cpu_of "postgres"); t1=$(date +%s.%N)
  echo "== $name"
  grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors|requests in" "$OUT/$name.wrk" || true
  echo "cpu ticks (1/100 s): pakn=$((p1-p0)) postgres=$((g1-g0)) wrk=${w0:-?} over $(echo "$t1 - $t0" | bc) s; max RSS pakn=${max_rss} kB"
}

# pakn_1m, shared by the benchmarks at 1,000,000 PAKN: seeded with seed-demo (TICKETS of
# them) when it holds fewer, then migrated. Sets DB_URL and PAKN_DATABASE__URL.
use_pakn_1m() {
  DB_URL="${PG_ADMIN%/*}/pakn_1m"; export PAKN_DATABASE__URL="$DB_URL"
  local have
  have=$(psql "$DB_URL" -qAt -c "SELECT count(*) FROM tickets" 2>/dev/null || echo 0)
  if [ "${have:-0}" -lt "$TICKETS" ]; then
    psql_admin -c "DROP DATABASE IF EXISTS pakn_1m WITH (FORCE)"
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
