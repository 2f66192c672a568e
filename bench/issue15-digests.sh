#!/usr/bin/env bash
# Issue 15, part 4 benchmark: the daily digests of 500 officers in under 10 s.
# A fresh database with TICKETS demo PAKN (`pakn seed-demo`), OFFICERS officers spread
# over the units (SQL insert, the demo officer's hash copied) and the open PAKN of each
# unit reassigned among its officers (some left unassigned, as seed-demo leaves them),
# plus LEADERS leaders; then `pakn digests` (one pass, `[digests] at` empty so it is due
# now) is timed, and a second pass (nothing left to send: the once-keys) too. Prints the
# pass's own figures, the wall time, the mail queued and the load average.
# The release build goes to target-release (CARGO_TARGET_DIR) unless BIN is given.
source "$(dirname "$0")/lib.sh"
if [ "$BUILD" = 1 ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-release}"
  BIN="$CARGO_TARGET_DIR/release/pakn"
fi
TICKETS=${TICKETS:-200000}; OFFICERS=${OFFICERS:-500}; LEADERS=${LEADERS:-20}
OUT="$ROOT/target/bench/issue15-digests"; mkdir -p "$OUT"
build
fresh_db pakn_bench_digests
"$BIN" migrate >/dev/null
echo "seeding $TICKETS PAKN: $( { /usr/bin/time -f '%e s' "$BIN" seed-demo --tickets "$TICKETS" >/dev/null; } 2>&1 )"
count "INSERT INTO users (email, name, password_hash, roles, unit_id)
       SELECT 'officer' || i || '@bench.pakn.vn', 'Cán bộ ' || i, u.password_hash, ARRAY['officer'],
              (SELECT id FROM units WHERE active ORDER BY id OFFSET (i % (SELECT count(*) FROM units WHERE active)) LIMIT 1)
       FROM generate_series(1, $OFFICERS) AS i,
            (SELECT password_hash FROM users WHERE 'officer' = ANY(roles) LIMIT 1) AS u" >/dev/null
count "INSERT INTO users (email, name, password_hash, roles, unit_id)
       SELECT 'leader' || i || '@bench.pakn.vn', 'Lãnh đạo ' || i, password_hash, ARRAY['leader'],
              CASE WHEN i % 4 = 0 THEN NULL ELSE
                (SELECT id FROM units WHERE active ORDER BY id OFFSET (i % (SELECT count(*) FROM units WHERE active)) LIMIT 1) END
       FROM generate_series(1, $LEADERS) AS i,
            (SELECT password_hash FROM users WHERE 'officer' = ANY(roles) LIMIT 1) AS u" >/dev/null
# Spread each unit's assigned open PAKN over its bench officers.
count "WITH o AS (SELECT id, unit_id, row_number() OVER (PARTITION BY unit_id ORDER BY id) - 1 AS k,
                         count(*) OVER (PARTITION BY unit_id) AS n
                  FROM users WHERE email LIKE 'officer%@bench.pakn.vn')
       UPDATE tickets t SET assignee_id = o.id FROM o
       WHERE t.assignee_id IS NOT NULL AND t.unit_id = o.unit_id AND t.id % o.n = o.k
         AND t.status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval')" >/dev/null
count "VACUUM ANALYZE tickets" >/dev/null; count "VACUUM ANALYZE users" >/dev/null
echo "tickets: $(count "SELECT count(*) FROM tickets"); open: $(count "SELECT count(*) FROM tickets WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval')"); open assigned to bench officers: $(count "SELECT count(*) FROM tickets t JOIN users u ON u.id = t.assignee_id WHERE u.email LIKE 'officer%@bench.pakn.vn' AND t.status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval')"); open unassigned: $(count "SELECT count(*) FROM tickets WHERE assignee_id IS NULL AND status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval')")"
echo "officers: $(count "SELECT count(*) FROM users WHERE 'officer' = ANY(roles)"); leaders: $(count "SELECT count(*) FROM users WHERE 'leader' = ANY(roles)")"
for pass in first second; do
  echo "== pakn digests ($pass pass); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  t0=$(date +%s.%N)
  PAKN_DIGESTS__AT= PAKN_LOG=warn "$BIN" digests
  t1=$(date +%s.%N)
  echo "wall (process, migrations check and reference load included): $(echo "$t1 - $t0" | bc) s"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "mail queued: $(count "SELECT kind || ' ' || count(*) FROM outbox GROUP BY kind ORDER BY kind" | tr '\n' ' ')"
echo "biggest daily digest: $(count "SELECT max(length(body_html)) FROM outbox WHERE kind = 'digest.daily'") bytes of HTML"
