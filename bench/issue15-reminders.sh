#!/usr/bin/env bash
# Issue 15, part 3: the reminder pass over 1,000,000 PAKN, about 100,000 of them open.
# Seeds pakn_reminders_1m once (seed-demo, then reopens answered/closed PAKN so that about
# TICKETS/10 are open, spread over the last months as a department's backlog), then times
# `pakn reminders` three times: a dry run, the first pass (writes the keys and the mail),
# a second pass (writes none). Prints the plan of the pass's two scans.
# Release build in its own target dir (CARGO_TARGET_DIR, default target-release).
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OPEN=${OPEN:-$((TICKETS / 10))}
DBNAME=${DBNAME:-pakn_reminders_1m}
OUT="$ROOT/target/bench/issue15-reminders"; mkdir -p "$OUT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-release}
if [ "$BUILD" = 1 ]; then BIN="$CARGO_TARGET_DIR/release/pakn"; fi
build
DB_URL="${PG_ADMIN%/*}/$DBNAME"; export PAKN_DATABASE__URL="$DB_URL"
have=$(psql "$DB_URL" -qAt -c "SELECT count(*) FROM tickets" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$TICKETS" ]; then
  psql_admin -c "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)"
  /usr/bin/time -f "seed-demo: %e s" "$BIN" seed-demo --tickets "$TICKETS" 2>"$OUT/seed.log"
  tail -1 "$OUT/seed.log"
  # The demo's ages leave ~3% open; reopen answered or closed PAKN of the last 300 days
  # up to OPEN (reply due 20 days after receipt, so nearly all are overdue, the worst
  # case of a pass: every open PAKN owes an overdue and a progress reminder).
  psql "$DB_URL" -qAt -c "
    WITH pick AS (
      SELECT id FROM tickets
       WHERE status IN ('answered', 'closed') AND received_at > now() - interval '300 days'
       ORDER BY random()
       LIMIT GREATEST(0, $OPEN - (SELECT count(*) FROM tickets WHERE status IN
             ('submitted','needs_info','accepted','in_progress','pending_approval'))))
    UPDATE tickets t SET status = (ARRAY['in_progress','accepted','pending_approval',
                                         'submitted'])[1 + (t.id % 4)::int],
           answered_at = NULL, closed_at = NULL
      FROM pick WHERE t.id = pick.id"
  psql "$DB_URL" -qAt -c "
    INSERT INTO replies (ticket_id, state, body, drafted_by, created_at)
    SELECT id, 'pending', 'Dự thảo', NULL, received_at + interval '10 days'
      FROM tickets t WHERE status = 'pending_approval'
       AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.ticket_id = t.id AND r.state = 'pending')"
fi
"$BIN" migrate >/dev/null
psql "$DB_URL" -qAt -c "DELETE FROM reminders_sent" -c "DELETE FROM outbox WHERE kind LIKE 'reminder.%'"
psql "$DB_URL" -qAt -c "VACUUM ANALYZE tickets" -c "VACUUM ANALYZE replies" -c "VACUUM ANALYZE reminders_sent"
echo "== data"
count "SELECT count(*) AS tickets, count(*) FILTER (WHERE status IN ('submitted','needs_info','accepted','in_progress','pending_approval')) AS open, count(*) FILTER (WHERE status = 'answered' AND publish_consent) AS answered_with_consent FROM tickets"
echo "== load before: $(uptime)"
run() { # name args
  local name=$1; shift
  echo "== $name"
  /usr/bin/time -f "wall %e s, pakn cpu %U+%S s, max RSS %M kB" "$BIN" reminders "$@" 2>&1 | tee "$OUT/$name.txt"
}
run dry_run --dry-run
run first_pass
run second_pass
echo "== load after: $(uptime)"
count "SELECT kind, count(*), sum(cardinality(to_addrs)) FROM outbox WHERE kind LIKE 'reminder.%' GROUP BY 1 ORDER BY 1"
count "SELECT count(*) AS keys FROM reminders_sent"
echo "== EXPLAIN the open clocks"
count "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, status, accept_due, forward_due, reply_due, last_public_note_at, assignee_id, unit_id, routing_rule_id FROM tickets WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval') AND (reply_due <= current_date + 7 OR status IN ('submitted', 'pending_approval'))"
echo "== EXPLAIN the publication clocks"
count "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id, answered_at, assignee_id, unit_id, routing_rule_id FROM tickets WHERE status = 'answered' AND publish_consent AND answered_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public_answers pa WHERE pa.ticket_id = tickets.id AND pa.published_at IS NOT NULL) AND answered_at < now()"
# The mail is left queued in $DBNAME (no worker runs here); drop the database when done.
