#!/usr/bin/env bash
# Issue 19 benchmark: GET /metrics with about 100 (method, route) latency histograms.
# Starts pakn on pakn_1m (seeded as bench/issue4.sh does) with a metrics token, requests
# every route of src/web with GET and with POST (parameters filled with "x"), so that
# each gets its histogram, then runs wrk -t1 -c1 -d10s against /metrics with the token
# (one scraper at a time, as Prometheus scrapes).
source "$(dirname "$0")/lib.sh"
OUT="$ROOT/target/bench/issue19-metrics"; mkdir -p "$OUT"
build
DB_URL="${PG_ADMIN%/*}/${DB:-pakn_1m}"; export PAKN_DATABASE__URL="$DB_URL"
TOKEN=bench-metrics-token-0123456789abcdef
start_server PAKN_METRICS__TOKEN="$TOKEN"
grep -rhoE '\.route\(\s*"[^"]+"' "$ROOT/src/web" | cut -d'"' -f2 | sort -u \
  | sed -E 's/\{[^}]+\}/x/g' > "$OUT/routes.txt"
while read -r path; do
  curl -s -o /dev/null "$BASE$path" || true
  curl -s -o /dev/null -X POST "$BASE$path" || true
done < "$OUT/routes.txt"
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/metrics" > "$OUT/metrics.txt"
echo "routes: $(wc -l < "$OUT/routes.txt"); latency histograms: $(grep -c '^pakn_http_request_duration_seconds_count' "$OUT/metrics.txt"); page: $(wc -c < "$OUT/metrics.txt") bytes"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure metrics -t1 -c1 -d10s --latency -H "Authorization: Bearer $TOKEN" "$BASE/metrics"
grep -E "^\s+(50|90|99)%" "$OUT/metrics.wrk"
stop_server
