#!/usr/bin/env bash
# Issue 14 benchmark: staff login with password + TOTP (target: at least 50 logins/s,
# argon2 bound). A fresh database with USERS leaders (one `pakn user add`, its hash
# copied), [auth] second_factor = "all"; bench/issue14_login.py enrols every account
# through /staff/login/enrol, then runs the two-step login (POST password, GET the code
# page, POST the code) CONC at a time for 30 s after a 5 s warm-up. Prints logins/s,
# p50/p99 of a whole login, the CPU split and the load average.
source "$(dirname "$0")/lib.sh"
USERS=${USERS:-1500}; CONC=${CONC:-16}; DURATION=${DURATION:-30}
PASSWORD=pakn-bench-2026
OUT="$ROOT/target/bench/issue14"; mkdir -p "$OUT"
build
fresh_db pakn_bench_login
"$BIN" migrate >/dev/null
PAKN_PASSWORD=$PASSWORD "$BIN" user add --email bench0@bench.pakn.vn --name "Bench 0" --role leader >/dev/null
count "INSERT INTO users (email, name, password_hash, roles)
       SELECT 'bench' || i || '@bench.pakn.vn', 'Bench ' || i, password_hash, roles
         FROM users, generate_series(1, $USERS - 1) AS i WHERE email = 'bench0@bench.pakn.vn'" >/dev/null
"$BIN" bench-tokens --count 200 --form login > "$OUT/tokens.txt"
run() { # second_factor, driver args...
  local sf=$1; shift
  start_server PAKN_AUTH__SECOND_FACTOR="$sf"
  echo "== second_factor=[$sf]; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  local p0 g0 p1 g1 w=0
  p0=$(cpu_of "release/pakn serve"); g0=$(cpu_of "postgres")
  python3 "$ROOT/bench/issue14_login.py" --base "$BASE" --users "$USERS" --password "$PASSWORD" \
    --tokens "$OUT/tokens.txt" --concurrency "$CONC" --warmup 5 --duration "$DURATION" "$@" &
  local driver=$!
  while kill -0 $driver 2>/dev/null; do
    w=$(awk '{print $14+$15}' "/proc/$driver/stat" 2>/dev/null || echo "$w"); sleep 0.5
  done
  wait $driver || { stop_server; exit 1; }
  p1=$(cpu_of "release/pakn serve"); g1=$(cpu_of "postgres")
  echo "cpu ticks (1/100 s), enrolment included: pakn=$((p1-p0)) postgres=$((g1-g0)) driver=$w"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_server
}
# Password + TOTP, then the password alone on the same accounts (the baseline, back to
# back so that the machine's load is alike).
run all
echo "sessions: $(count "SELECT count(*) FROM sessions"); second factors on: $(count "SELECT count(*) FROM second_factors WHERE confirmed_at IS NOT NULL")"
count "DELETE FROM second_factors" >/dev/null
run "" --password-only
