#!/usr/bin/env bash
# Pages served by several builds side by side at 1,000,000 PAKN: each build in turn
# serves each page (wrk -t1 -c16, DUR seconds after a 5 s warm-up) on the same database,
# in the ORDER given, so that a busy machine hits them alike:
#   BUILDS="old=/tmp/old/release/pakn new=/tmp/new/release/pakn" ORDER="old new new old" \
#     PAGES="private queue status code overview" bench/builds.sh
# Keep "release/pakn" at the end of every path: `measure` finds the server's CPU by it.
# Pages: private (/t/{token}, 5,000 random tokens, no cookie), queue (the first queue
# page), status (?status=in_progress), code (2,000 random codes), phone (2,000 random
# phones), overview; the staff pages as the demo leader. The table, with each request's
# CPU of pakn and of Postgres, lands in target/bench/builds/costs.md.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
DUR=${DUR:-20}
PAGES=${PAGES:-private queue status code overview}
OUT="$ROOT/target/bench/builds"; mkdir -p "$OUT"
build
builds_from_env
use_pakn_1m
count "SELECT '/t/' || access_token FROM tickets ORDER BY random() LIMIT 5000" > "$OUT/private.txt"
echo "/staff/tickets" > "$OUT/queue.txt"
echo "/staff/tickets?status=in_progress" > "$OUT/status.txt"
count "SELECT '/staff/tickets?q=' || code FROM tickets ORDER BY random() LIMIT 2000" > "$OUT/code.txt"
count "SELECT '/staff/tickets?q=' || phone FROM tickets ORDER BY random() LIMIT 2000" > "$OUT/phone.txt"
echo "/staff/overview" > "$OUT/overview.txt"
echo "commit $(git -C "$ROOT" rev-parse --short HEAD); tickets $(count "SELECT count(*) FROM tickets"); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

for label in $ORDER; do
  BIN=${BINS[$label]}
  start_server
  login_leader
  staff=$COOKIE
  for page in $PAGES; do
    if [ "$page" = private ]; then COOKIE=""; else COOKIE=$staff; fi
    export PATHS="$OUT/$page.txt" COOKIE
    wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1
    measure "${page}_$label" -t1 -c16 -d"${DUR}s" --latency -s "$ROOT/bench/paths.lua" "$BASE"
  done
  stop_server
done
cat "$OUT/costs.md"
