#!/usr/bin/env bash
# Issue 5 benchmark: workflow actions at 1,000,000 tickets, signed in as the demo leader.
# Two runs, each request on a different PAKN, each a POST answered by a 303:
#  1. workflow_ask_info: "ask for more information" (in_progress → needs_info): the
#     ticket locked and changed, an event, the sharded counters, a mail to the citizen
#     queued, in one transaction.
#  2. workflow_mix: the heavier moves in turn: accept and classify (submitted →
#     accepted, handler checked), draft a reply on an accepted PAKN (two moves in one
#     transaction: start work, then → pending_approval; the leaders are mailed), approve
#     a pending draft (→ answered: the reply dated, numbered and signed, the on-time
#     counter, the reply mailed to the citizen).
# Uses pakn_1m from bench/issue4.sh (seeded here when missing). Each run first moves
# tickets with an email into the status it needs (their counters moved alongside, so the
# overview stays true), so it can be run again.
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/issue5"; mkdir -p "$OUT"
build
use_pakn_1m

# stage STATUS N: moves N tickets with an email to STATUS (counters moved with them)
# and prints "code unit_id" of each, in random order. They are taken from any status but
# those staged so far in this run ($STAGED), so earlier runs' tickets are used again and
# the script can run any number of times on one database.
STAGED="'in_progress'"

stage() {
  count "WITH picked AS (
           SELECT id, unit_id, field_code, status, date_trunc('month', received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS month
             FROM tickets WHERE status NOT IN ($STAGED, '$1') AND email IS NOT NULL AND NOT confidential LIMIT $2),
         moved AS (UPDATE tickets t SET status = '$1', status_before_info = NULL, needs_info_due = NULL,
                     answered_at = NULL, closed_at = NULL
                     FROM picked WHERE t.id = picked.id RETURNING picked.*, t.code),
         minus AS (INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
                     SELECT unit_id, field_code, status, month, 0, -count(*) FROM moved GROUP BY 1,2,3,4
                   ON CONFLICT (unit_id, field_code, status, month, shard) DO UPDATE SET n = ticket_counters.n + excluded.n),
         plus AS (INSERT INTO ticket_counters (unit_id, field_code, status, month, shard, n)
                    SELECT unit_id, field_code, '$1', month, 0, count(*) FROM moved GROUP BY 1,2,4
                  ON CONFLICT (unit_id, field_code, status, month, shard) DO UPDATE SET n = ticket_counters.n + excluded.n)
       SELECT code || ' ' || unit_id FROM moved ORDER BY random()"
  STAGED="$STAGED, '$1'"
}
# (Not in a pipeline or $(…): stage must run in this shell to extend $STAGED.)
stage in_progress 60000 > "$OUT/ask.txt"
stage submitted 20000 > "$OUT/accept.txt"
stage accepted 20000 > "$OUT/draft.txt"
stage pending_approval 20000 > "$OUT/approve.txt"
for f in ask accept draft approve; do
  [ "$(wc -l < "$OUT/$f.txt")" -ge 20000 ] || { echo "not enough tickets with an email to stage ($f)"; exit 1; }
done
# The draft each pending PAKN waits with (by the unit's officer).
count "INSERT INTO replies (ticket_id, state, body, drafted_by)
         SELECT t.id, 'pending', 'Sở Nội vụ trả lời ông/bà như sau: hồ sơ đã được giải quyết theo Nghị định 20/2008/NĐ-CP.',
                (SELECT min(id) FROM users WHERE unit_id = t.unit_id)
           FROM tickets t WHERE t.status = 'pending_approval'
            AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.ticket_id = t.id AND r.state = 'pending')" >/dev/null
psql "$DB_URL" -qAt -c "VACUUM ANALYZE tickets" -c "VACUUM ANALYZE replies" >/dev/null
# The lines of the runs: "action code unit_id"; the mixed run has the three kinds in turn.
paste -d'\n' <(sed 's/^/accept /' "$OUT/accept.txt") <(sed 's/^/submit_draft /' "$OUT/draft.txt") \
  <(sed 's/^/approve /' "$OUT/approve.txt") > "$OUT/mix.txt"
sed 's/^/ask_info /' "$OUT/ask.txt" > "$OUT/ask_lines.txt"

events_mails() {
  count "SELECT (SELECT count(*) FROM ticket_events) || ' ' || (SELECT count(*) FROM outbox)"
}
SERVE_ARGS="--no-worker" start_server
trap stop_server EXIT
# login EMAIL: prints "cookie csrf" of a new session.
login() {
  local token cookie csrf
  token=$("$BIN" bench-tokens --count 1 --form login)
  cookie=$(curl -s -o /dev/null -D - -X POST "$BASE/staff/login" \
    --data-urlencode "form_token=$token" --data-urlencode "email=$1" \
    --data-urlencode "password=pakn-demo-2026" | awk 'tolower($1)=="set-cookie:" {print $2}' | tr -d ';\r' | head -1)
  [ -n "$cookie" ] || { echo "login of $1 failed" >&2; exit 1; }
  csrf=$(curl -s -H "Cookie: $cookie" "$BASE/staff/account" | grep -o 'name="csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  [ -n "$csrf" ] || { echo "no csrf token for $1" >&2; exit 1; }
  echo "$cookie $csrf"
}
# The leader accepts, asks and approves; each unit's officer drafts (only the handling
# unit's officers draft, domain.md).
read -r COOKIE CSRF < <(login lanhdao@demo.pakn.vn)
OFFICERS=""
while read -r unit email; do
  read -r c t < <(login "$email")
  OFFICERS="$OFFICERS$unit:$c:$t,"
done < <(count "SELECT DISTINCT ON (unit_id) unit_id || ' ' || email FROM users WHERE 'officer' = ANY (roles) AND active ORDER BY unit_id, id")
FIELD=$(count "SELECT code FROM fields WHERE active ORDER BY sort, code LIMIT 1")
export COOKIE CSRF OFFICERS FIELD

# run NAME LINES: a 5 s warm-up on the first 3,000 lines, then 30 s on the rest.
run() {
  head -3000 "$2" > "$OUT/$1.warm"; tail -n +3001 "$2" > "$OUT/$1.run"
  CODES="$OUT/$1.warm" wrk -t1 -c16 -d5s -s "$ROOT/bench/actions.lua" "$BASE" >/dev/null 2>&1 || true
  local before after
  before=$(events_mails)
  CODES="$OUT/$1.run" measure "$1" -t1 -c16 -d30s --latency -s "$ROOT/bench/actions.lua" "$BASE"
  after=$(events_mails)
  echo "events written, mails queued (with the warm-up's): $before → $after"
  grep -c '^status' "$OUT/$1.wrk" | sed 's/^/responses other than 303: /' || true
}
run workflow_ask_info "$OUT/ask_lines.txt"
run workflow_mix "$OUT/mix.txt"
stop_server
echo "== the mixed run's PAKN now: action, status, count"
psql "$DB_URL" -qAt -F ' ' <<SQL
CREATE TEMP TABLE mix (action text, code text, unit_id int);
\\copy mix FROM '$OUT/mix.txt' WITH (FORMAT text, DELIMITER ' ')
SELECT m.action, t.status, count(*) FROM mix m JOIN tickets t ON t.code = m.code GROUP BY 1, 2 ORDER BY 1, 2;
SQL
echo "== EXPLAIN of the locking read by code"
code=$(head -1 "$OUT/ask.txt" | cut -d' ' -f1)
psql "$DB_URL" -qAt -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM tickets WHERE code = '$code' FOR UPDATE"
