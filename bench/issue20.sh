#!/usr/bin/env bash
# Issue 20 benchmark: the API at TICKETS PAKN (default 1,000,000, in pakn_1m).
#  - POST /api/v1/pakn: filings created per second (wrk -t1 -c16 -d30s, a fresh
#    idempotency key per request, synchronous_commit on, the mail worker elsewhere);
#  - GET /api/v1/pakn/{code}: one PAKN's status, timeline and replies, cycling through
#    1,000 codes the client filed;
#  - webhook deliveries per second: DELIVERIES queued at once for a local receiver
#    (nginx answering 204), timed until the worker has delivered them all.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
DELIVERIES=${DELIVERIES:-50000}
OUT="$ROOT/target/bench/issue20"; mkdir -p "$OUT"
build
use_pakn_1m
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# A client with room for the benchmark's calls.
NAME="Bench $(date +%s)"
KEY=$("$BIN" api-client add --name "$NAME" --channel api --rate-per-min 100000000 | grep '^pakn_')
export KEY

SERVE_ARGS=--no-worker start_server
wrk -t1 -c16 -d5s -s "$ROOT/bench/api_filing.lua" "$BASE" >/dev/null 2>&1
mine="SELECT count(*) FROM tickets WHERE idempotency_key LIKE 'api:' || (SELECT id FROM api_clients WHERE name = '$NAME') || ':%'"
before=$(count "$mine")
measure api_filing -t1 -c16 -d30s --latency -s "$ROOT/bench/api_filing.lua" "$BASE"
after=$(count "$mine")
echo "filed through the API in the measured 30 s: $((after - before)) ($(( (after - before) / 30 ))/s)"
grep -E "Non-2xx" "$OUT/api_filing.wrk" || true

count "SELECT code FROM tickets WHERE idempotency_key LIKE 'api:' || (SELECT id FROM api_clients WHERE name = '$NAME') || ':%' ORDER BY id DESC LIMIT 1000" > "$OUT/codes.txt"
export CODES="$OUT/codes.txt"
wrk -t1 -c16 -d5s -s "$ROOT/bench/api_status.lua" "$BASE" >/dev/null 2>&1
measure api_status -t1 -c16 -d30s --latency -s "$ROOT/bench/api_status.lua" "$BASE"
stop_server

# Webhooks: a receiver that answers 204 at once, DELIVERIES queued, the clock runs until
# none waits.
RPORT=${RPORT:-18099}
cat > "$OUT/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx-body;
  server { listen 127.0.0.1:$RPORT; location / { return 204; } }
}
CONF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -c "$OUT/nginx.conf" -e "$OUT/nginx-error.log"
trap '"$NGINX" -c "$OUT/nginx.conf" -e "$OUT/nginx-error.log" -s stop 2>/dev/null || true' EXIT
"$BIN" api-client webhook add --client "$NAME" --url "http://127.0.0.1:$RPORT/hook" >/dev/null
sub=$(count "SELECT max(id) FROM webhook_subscriptions")
count "INSERT INTO webhook_deliveries (msg_id, subscription_id, event, payload)
       SELECT 'msg_bench_' || $sub || '_' || g, $sub, 'pakn.status_changed',
              jsonb_build_object('type', 'pakn.status_changed', 'timestamp', now()::text,
                                 'data', jsonb_build_object('service_request_id', 'bench' || g,
                                                            'status', 'accepted'))
         FROM generate_series(1, $DELIVERIES) g" >/dev/null
start_server
t0=$(date +%s.%N); p0=$(cpu_of "release/pakn serve"); g0=$(cpu_of "postgres")
while [ "$(count "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $sub AND delivered_at IS NULL")" != 0 ]; do
  sleep 0.2
done
t1=$(date +%s.%N); p1=$(cpu_of "release/pakn serve"); g1=$(cpu_of "postgres")
secs=$(echo "$t1 - $t0" | bc)
echo "== webhooks: $DELIVERIES delivered in $secs s: $(echo "$DELIVERIES / $secs" | bc)/s; cpu ticks pakn=$((p1-p0)) postgres=$((g1-g0))"
failed=$(count "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $sub AND attempts > 1")
echo "deliveries needing more than one attempt: $failed"
count "UPDATE webhook_subscriptions SET enabled = false WHERE id = $sub" >/dev/null
stop_server
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
