#!/usr/bin/env bash
# Issue 3 benchmark: mail delivery (see bench/README-mail.md).
#   A. worker throughput: N mails queued, `pakn outbox run` delivering over SMTP to a
#      local aiosmtpd sink (count mode): mails/s between the first and the last send.
#   B. burst: `pakn serve` (worker inside, SMTP to the sink), BURST submissions through
#      POST /feedback with wrk; how much is still pending 60 s after the burst ends.
# PARTS=A or PARTS=B runs one part; N, BURST, POOL (SMTP connections), BATCH tune it;
# DB, PORT, SMTP_PORT keep a run apart from another one on the same machine.
# Self-contained (does not source lib.sh). Uses the machine's Postgres ($PG_ADMIN).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="$CARGO_TARGET_DIR/release/pakn"
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}
N=${N:-20000}
BURST=${BURST:-10000}
POOL=${POOL:-8}
BATCH=${BATCH:-200}
PORT=${PORT:-18081}
SMTP_PORT=${SMTP_PORT:-12525}
BASE="http://127.0.0.1:$PORT"
OUT="$CARGO_TARGET_DIR/bench/mail"; rm -rf "$OUT"; mkdir -p "$OUT"
DB=${DB:-pakn_bench_mail}
DB_URL="${PG_ADMIN%/*}/$DB"
export PAKN_DATABASE__URL="$DB_URL" PAKN_LOG=${PAKN_LOG:-warn}
export PAKN_MAIL__TRANSPORT=smtp PAKN_MAIL__SMTP__HOST=127.0.0.1 PAKN_MAIL__SMTP__PORT=$SMTP_PORT
export PAKN_MAIL__SMTP__POOL_SIZE=$POOL PAKN_MAIL__BATCH_SIZE=$BATCH PAKN_MAIL__POLL_INTERVAL_SECS=1
export PAKN_MAIL__FROM="Sở Nội vụ tỉnh An Giang <pakn@sonoivu.angiang.gov.vn>"

q() { psql "$DB_URL" -qAt -v ON_ERROR_STOP=1 -c "$1"; }
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet aiosmtpd
(cd "$ROOT" && cargo build --release --quiet)

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

PYTHONPATH="$ROOT/tests/it/support" python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
  -c smtp_sink.Sink "$OUT/sink" count > "$OUT/sink.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do (echo > "/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break; sleep 0.2; done

psql "$PG_ADMIN" -qAt -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
"$BIN" migrate > /dev/null

if [[ "${PARTS:-AB}" == *A* ]]; then
echo "== A. worker: $N mails over SMTP (pool $POOL, batch $BATCH)"
q "INSERT INTO outbox (kind, to_addrs, cc_addrs, subject, body_text, body_html, message_id)
   SELECT 'bench', ARRAY['can.bo.' || g || '@angiang.gov.vn'], ARRAY['tlho@angiang.gov.vn'],
          '[PAKN BENCH-' || g || '] Phản ánh, kiến nghị mới – Bảo hiểm xã hội',
          repeat('Nội dung thư điện tử có dấu tiếng Việt. ', 20),
          '<p>' || repeat('Nội dung thư điện tử có dấu tiếng Việt. ', 20) || '</p>',
          'pakn.bench.' || g
   FROM generate_series(1, $N) g"
"$BIN" outbox run > "$OUT/worker.log" 2>&1 &
WORKER=$!; PIDS+=($WORKER)
t0=$(date +%s.%N)
while [ "$(q "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")" -gt 0 ]; do sleep 0.2; done
t1=$(date +%s.%N)
kill -TERM $WORKER; wait $WORKER || true
q "SELECT 'sent=' || count(*) FILTER (WHERE sent_at IS NOT NULL) || ' failed=' || count(*) FILTER (WHERE failed_at IS NOT NULL)
          || ' first-to-last=' || round(extract(epoch FROM max(sent_at) - min(sent_at))::numeric, 2) || ' s'
          || ' => ' || round(count(*) / greatest(extract(epoch FROM max(sent_at) - min(sent_at)), 0.001)::numeric) || ' mails/s'
   FROM outbox"
echo "wall clock from start of the process to drained: $(echo "$t1 - $t0" | bc) s; sink counted $(cat "$OUT/sink/count")"

fi

if [[ "${PARTS:-AB}" == *B* ]]; then
echo "== B. burst of $BURST submissions through POST /feedback, worker inside pakn serve"
q "TRUNCATE outbox"
env PAKN_SERVER__LISTEN="127.0.0.1:$PORT" PAKN_SERVER__PUBLIC_URL="$BASE" \
    PAKN_LIMITS__EXEMPT="127.0.0.1/32" "$BIN" serve > "$OUT/serve.log" 2>&1 &
SERVER=$!; PIDS+=($SERVER)
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
"$BIN" bench-tokens --count "$BURST" > "$OUT/tokens.txt"
before=$(q "SELECT count(*) FROM tickets")
# wrk stops when the tokens run out (the script reports non-303 answers afterwards).
TOKENS="$OUT/tokens.txt" LIMIT="$BURST" timeout 120 wrk -t1 -c16 -d60s --latency \
  -s "$ROOT/bench/mail_burst.lua" "$BASE" > "$OUT/burst.wrk" 2>&1 || true
burst_end=$(date +%s.%N)
after=$(q "SELECT count(*) FROM tickets")
grep -E "Requests/sec|requests in|50%|99%" "$OUT/burst.wrk" || true
echo "tickets created: $((after - before)); mails queued: $(q "SELECT count(*) FROM outbox")"
echo "pending at the end of the burst: $(q "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")"
drained=""
for i in $(seq 1 600); do
  p=$(q "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL")
  if [ "$p" -eq 0 ] && [ -z "$drained" ]; then drained=$(echo "$(date +%s.%N) - $burst_end" | bc); fi
  now=$(echo "$(date +%s.%N) - $burst_end" | bc)
  if [ "$(echo "$now >= 60" | bc)" -eq 1 ]; then break; fi
  sleep 0.1
done
echo "pending 60 s after the burst: $(q "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"); failed: $(q "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL")"
echo "drained ${drained:-not within 60} s after wrk ended"
# wrk may keep its connections open until -d ends: measure from the data instead.
q "WITH e AS (SELECT min(received_at) AS b0, max(received_at) AS b1 FROM tickets)
   SELECT 'burst (first to last filing): ' || round(extract(epoch FROM b1 - b0)::numeric, 2) || ' s = '
          || round((SELECT count(*) FROM tickets) / greatest(extract(epoch FROM b1 - b0), 0.001)::numeric) || ' filings/s; '
          || 'last mail sent ' || round(extract(epoch FROM (SELECT max(sent_at) FROM outbox) - b1)::numeric, 2)
          || ' s after the last filing; pending 60 s after the last filing: '
          || (SELECT count(*) FROM outbox WHERE created_at <= b1 + interval '60 s'
                AND (sent_at IS NULL OR sent_at > b1 + interval '60 s'))
   FROM e"
kill -TERM "$SERVER"; wait "$SERVER" || true
fi
