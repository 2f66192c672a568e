#!/usr/bin/env bash
# Issue 5 benchmark: workflow actions at 1,000,000 tickets. Each request is a leader
# asking for more information on a different PAKN (in_progress → needs_info): the
# ticket locked and changed, an event, the sharded counters, a mail queued, in one
# transaction; the answer is a 303 back to the ticket page.
# Uses pakn_1m from bench/issue4.sh (run that first, or it is seeded here). 60,000 open
# tickets with an email are put in in_progress first, so every request moves a new one.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/issue5"; mkdir -p "$OUT"
build
DB_URL="${PG_ADMIN%/*}/pakn_1m"; export PAKN_DATABASE__URL="$DB_URL"
have=$(psql "$DB_URL" -qAt -c "SELECT count(*) FROM tickets" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$TICKETS" ]; then
  psql_admin -c "DROP DATABASE IF EXISTS pakn_1m WITH (FORCE)"
  "$BIN" seed-demo --tickets "$TICKETS" 2>"$OUT/seed.log"
fi
"$BIN" migrate >/dev/null
# Fresh material for this run: answered/closed tickets with an email go back to
# in_progress (their counters moved alongside, so the overview stays true).
count "WITH picked AS (
         SELECT id, unit_id, field_code, status, date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS month
           FROM tickets WHERE status IN ('closed', 'answered') AND email IS NOT NULL LIMIT 60000),
       moved AS (UPDATE tickets t SET status = 'in_progress', status_before_info = NULL, needs_info_due = NULL
                   FROM picked WHERE t.id = picked.id RETURNING picked.*),
       minus AS (INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
                   SELECT unit_id, field_code, status, month, 0, -count(*) FROM moved GROUP BY 1,2,3,4
                 ON CONFLICT (unit_id, field_code, status, month, shard) DO UPDATE SET n = ticket_counters.n + excluded.n)
       INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
         SELECT unit_id, field_code, 'in_progress', month, 0, count(*) FROM moved GROUP BY 1,2,4
       ON CONFLICT (unit_id, field_code, status, month, shard) DO UPDATE SET n = ticket_counters.n + excluded.n" >/dev/null
psql "$DB_URL" -qAt -c "VACUUM ANALYZE tickets" >/dev/null
count "SELECT code FROM tickets WHERE status = 'in_progress' AND email IS NOT NULL ORDER BY random() LIMIT 60000" > "$OUT/codes.txt"
before_events=$(count "SELECT count(*) FROM ticket_events WHERE event = 'ask_info'")
before_mail=$(count "SELECT count(*) FROM outbox WHERE kind = 'update.ask_info'")
SERVE_ARGS="--no-worker" start_server
TOKEN=$("$BIN" bench-tokens --count 1 --form login)
COOKIE=$(curl -s -o /dev/null -D - -X POST "$BASE/staff/login" \
  --data-urlencode "form_token=$TOKEN" --data-urlencode "email=lanhdao@demo.pakn.vn" \
  --data-urlencode "password=pakn-demo-2026" | awk 'tolower($1)=="set-cookie:" {print $2}' | tr -d ';\r' | head -1)
[ -n "$COOKIE" ] || { echo "login failed"; exit 1; }
CSRF=$(curl -s -H "Cookie: $COOKIE" "$BASE/staff/account" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || { echo "no csrf token"; exit 1; }
export COOKIE CSRF CODES="$OUT/codes.txt"
# Warm-up on the first codes, then the measured run on the rest.
head -3000 "$OUT/codes.txt" > "$OUT/warm.txt"; tail -n +3001 "$OUT/codes.txt" > "$OUT/run.txt"
CODES="$OUT/warm.txt" wrk -t1 -c16 -d5s -s "$ROOT/bench/actions.lua" "$BASE" >/dev/null 2>&1 || true
CODES="$OUT/run.txt" measure workflow_ask_info -t1 -c16 -d30s --latency -s "$ROOT/bench/actions.lua" "$BASE"
stop_server
after_events=$(count "SELECT count(*) FROM ticket_events WHERE event = 'ask_info'")
after_mail=$(count "SELECT count(*) FROM outbox WHERE kind = 'update.ask_info'")
echo "events written: $((after_events - before_events)); mails queued: $((after_mail - before_mail))"
echo "== EXPLAIN of the lock"
psql "$DB_URL" -qAt -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM tickets WHERE id = (SELECT id FROM tickets WHERE status = 'needs_info' LIMIT 1) FOR UPDATE"
