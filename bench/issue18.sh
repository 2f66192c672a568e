#!/usr/bin/env bash
# Issue 18 benchmark at 1,000,000 PAKN (pakn_1m, seeded as bench/issue4.sh does): the
# six-month report by unit (and by lĩnh vực, by date of answer), the overview with its
# charts, the public figures, each with wrk -t1 -c16 -d30s after a 5 s warm-up, signed
# in as the demo leader; then an XLSX and a CSV export of about 100,000 rows, timed with
# curl while pakn's resident memory is sampled.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/issue18"; mkdir -p "$OUT"
build
use_pakn_1m
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); report_counts rows: $(count "SELECT count(*) FROM report_counts"); report_months rows: $(count "SELECT count(*) FROM report_months" 2>/dev/null || echo none)"
start_server
login_leader
run() { # name path
  echo "$2" > "$OUT/$1.txt"; export PATHS="$OUT/$1.txt"
  curl -fs -o "$OUT/$1.html" -H "Cookie: $COOKIE" "$BASE$2" || { echo "$2 failed"; return 1; }
  wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1
  measure "$1" -t1 -c16 -d30s --latency -s "$ROOT/bench/paths.lua" "$BASE"
}
# The last whole half-year (the statutory six-month report).
y=$(date +%Y); m=$(date +%-m)
if [ "$m" -le 6 ]; then HALF="$((y - 1))-H2"; else HALF="$y-H1"; fi
run report_half_unit "/staff/reports?period=$HALF&basis=receipt&by=unit"
run report_half_field_event "/staff/reports?period=$HALF&basis=event&by=field"
run report_range_days "/staff/reports?period=range&from=$((y - 1))-03-15&to=$((y - 1))-09-14&basis=receipt&by=unit"
run overview "/staff/overview"
run overview_year "/staff/overview?period=year"
run statistics "/statistics"
# Exports: the PAKN received in the 73 days before last week (about 100,000 of 1,000,000
# over two years), all states.
FROM=$(date -d "80 days ago" +%F); TO=$(date -d "8 days ago" +%F)
export_once() { # name ext
  local url="$BASE/staff/tickets/export.$2?from=$FROM&to=$TO&state=all" max=0 r
  curl -s -H "Cookie: $COOKIE" -o "$OUT/export.$2" -w "%{http_code} %{time_total}s %{size_download} bytes\n" "$url" > "$OUT/$1.curl" &
  local cpid=$!
  while kill -0 $cpid 2>/dev/null; do r=$(rss_kb); [ "${r:-0}" -gt "$max" ] && max=$r; sleep 0.1; done
  wait $cpid || true
  echo "== $1: $(cat "$OUT/$1.curl") max RSS pakn=${max} kB"
}
export_once export_xlsx xlsx
export_once export_csv csv
echo "csv rows (with the header): $(wc -l < "$OUT/export.csv")"
stop_server
