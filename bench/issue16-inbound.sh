#!/usr/bin/env bash
# Issue 16: inbound mail through the pipe, as an MTA runs it: one `pakn mail receive`
# process per message, PAR at a time. Seeds pakn_inbound_bench (seed-demo, TICKETS
# PAKN), writes N messages like the ones a department gets (60% citizens' replies naming
# their PAKN by its thread, 20% new PAKN to the intake address, 10% vacation notices,
# 10% bounces), then:
#   1. with `[mail.inbound] socket`: each process hands its message to the running
#      `pakn serve`, which stores and processes it. Messages/s from the first message piped to
#      the last one processed; serve's RSS every second (flat = memory does not grow
#      with the messages); each pipe process's max RSS, first and last 200.
#   2. as 1 without the socket: each process stores directly and announces (NOTIFY).
#   3. `--now`: each pipe process also processes its message (no instance running).
# Release build in its own target dir (CARGO_TARGET_DIR, default target-release).
source "$(dirname "$0")/lib.sh"
N=${N:-10000}
PAR=${PAR:-8}
TICKETS=${TICKETS:-5000}
DBNAME=${DBNAME:-pakn_inbound_bench}
OUT="$ROOT/target/bench/issue16-inbound"; rm -rf "$OUT"; mkdir -p "$OUT/a" "$OUT/b" "$OUT/c"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-release}
if [ "$BUILD" = 1 ]; then BIN="$CARGO_TARGET_DIR/release/pakn"; fi
build
fresh_db "$DBNAME"
export PAKN_MAIL__FROM="Sở Nội vụ <pakn@so.example.gov.vn>"
export PAKN_MAIL__DIR="$OUT/mail"
export PAKN_MAIL__INBOUND__ENABLED=true
export PAKN_MAIL__INBOUND__PER_SENDER_PER_HOUR=1000000
export PAKN_MAIL__INBOUND__PER_TICKET_PER_HOUR=1000000
export PAKN_LOG=warn
"$BIN" migrate >/dev/null
"$BIN" seed --from-config >/dev/null
/usr/bin/time -f "seed-demo: %e s" "$BIN" seed-demo --tickets "$TICKETS" 2>&1 | tail -1

psql "$DB_URL" -qAt -F $'\t' -c "
  SELECT public_id, email FROM tickets
   WHERE email IS NOT NULL AND status IN ('submitted','accepted','in_progress','answered')
   ORDER BY random() LIMIT 2000" >"$OUT/tickets.tsv"
python3 - "$OUT" "$N" <<'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
tickets = [l.rstrip("\n").split("\t") for l in open(f"{out}/tickets.tsv") if "\t" in l]
random.seed(16)
def reply(i, tag):
    public, email = random.choice(tickets)
    return (f"From: Người gửi <{email}>\r\nTo: <pakn@so.example.gov.vn>\r\n"
            f"Subject: =?UTF-8?B?UmU6IFBo4bqjbiDDoW5oIGtp4bq/biBuZ2jhu4s=?=\r\n"
            f"Message-ID: <{tag}.{i}@mail.example.vn>\r\nIn-Reply-To: <ticket.{public}@so.example.gov.vn>\r\n"
            f"References: <ticket.{public}@so.example.gov.vn>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"Tôi xin bổ sung thông tin số {i}: hồ sơ đã nộp ngày 01/12/2026 tại bộ phận một cửa.\r\n\r\n"
            f"Vào Th 5, 3 thg 12, 2026 lúc 09:00 Sở Nội vụ <pakn@so.example.gov.vn> đã viết:\r\n"
            f"> Đề nghị ông/bà bổ sung thông tin.\r\n")
def intake(i, tag):
    return (f"From: Công dân {i} <congdan{i}@example.vn>\r\nTo: pakn@so.example.gov.vn\r\n"
            f"Subject: =?UTF-8?Q?Ph=E1=BA=A3n_=C3=A1nh_v=E1=BB=81_th=E1=BB=A7_t=E1=BB=A5c?=\r\n"
            f"Message-ID: <{tag}.{i}@mail.example.vn>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=UTF-8\r\n\r\n"
            f"Kính gửi Sở Nội vụ, tôi phản ánh việc giải quyết hồ sơ chậm so với giấy hẹn. "
            f"Số điện thoại: 0912 345 {i % 1000:03d}.\r\n")
def vacation(i, tag):
    return (f"From: <canbo{i}@example.gov.vn>\r\nTo: pakn@so.example.gov.vn\r\nSubject: Trả lời tự động\r\n"
            f"Auto-Submitted: auto-replied\r\nMessage-ID: <{tag}.{i}@mail.example.vn>\r\n"
            f"Content-Type: text/plain; charset=UTF-8\r\n\r\nTôi đang nghỉ phép.\r\n")
def bounce(i, tag):
    return (f"From: MAILER-DAEMON@mx.example.vn\r\nTo: pakn@so.example.gov.vn\r\nReturn-Path: <>\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\n"
            f"Message-ID: <{tag}.{i}@mx.example.vn>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
            f"--B\r\nContent-Type: text/plain\r\n\r\nUndeliverable.\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; mx.example.vn\r\n\r\nFinal-Recipient: rfc822; x{i}@example.vn\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
            f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <pakn.unknown{i}@so.example.gov.vn>\r\n\r\n--B--\r\n")
for tag, folder in (("a", "a"), ("b", "b"), ("c", "c")):
    for i in range(n):
        r = i % 10
        make = reply if r < 6 else intake if r < 8 else vacation if r < 9 else bounce
        with open(f"{out}/{folder}/{i:06d}.eml", "w", newline="") as f:
            f.write(make(i, tag))
PY

echo "== load before: $(uptime)"
export BIN
rss() { ls "$OUT/$1"/*.rss | sort | "$2" -200 | xargs cat | sort -n | awk '{a[NR]=$1} END {printf "min %d kB, median %d kB, max %d kB\n", a[1], a[int(NR/2)+1], a[NR]}'; }
pipe_all() { # folder, extra args
  ls "$OUT/$1" | grep '\.eml$' | xargs -P "$PAR" -I{} sh -c \
    '/usr/bin/time -f "%M" -o "$0/{}.rss" "$BIN" mail receive $1 < "$0/{}" || echo "exit $? {}" >>"$0/../errors"' "$OUT/$1" "${2:-}"
}
left() { count "SELECT count(*) FROM inbound_mail WHERE state = 'new'"; }

with_serve() { # label folder [extra env for the pipes]
  local label=$1 folder=$2; shift 2
  echo "== $label: $N messages, $PAR at a time, one pakn serve processing"
  env "$@" PAKN_SERVER__LISTEN="127.0.0.1:$PORT" PAKN_MAIL__INBOUND__POLL_INTERVAL_SECS=60 \
    "$BIN" serve --no-worker >"$OUT/serve-$folder.log" 2>&1 &
  SERVE=$!
  trap 'kill $SERVE 2>/dev/null || true' EXIT
  sleep 2
  ( while kill -0 $SERVE 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$SERVE/status; sleep 1; done ) >"$OUT/serve-$folder.rss" &
  local sampler=$! start piped end
  start=$(date +%s.%N)
  env "$@" bash -c "$(declare -f pipe_all); pipe_all $folder" 
  piped=$(date +%s.%N)
  while [ "$(left)" != 0 ]; do sleep 0.2; done
  end=$(date +%s.%N)
  kill $sampler 2>/dev/null || true
  printf "piped in %.1f s; all processed after %.1f s: %.0f messages/s stored and processed\n" \
    "$(echo "$piped - $start" | bc -l)" "$(echo "$end - $start" | bc -l)" "$(echo "$N / ($end - $start)" | bc -l)"
  [ -f "$OUT/errors" ] && { echo "failures:"; head "$OUT/errors"; }
  echo "serve RSS each second (kB): $(tr '\n' ' ' <"$OUT/serve-$folder.rss")"
  echo "pipe process max RSS, first 200: $(rss "$folder" head)"
  echo "pipe process max RSS, last 200:  $(rss "$folder" tail)"
  kill $SERVE; wait $SERVE 2>/dev/null || true
}
export OUT PAR
with_serve "1. pipe hands over on the socket ([mail.inbound] socket)" a PAKN_MAIL__INBOUND__SOCKET="$OUT/inbound.sock"
with_serve "2. pipe stores directly and announces (NOTIFY)" b
count "SELECT state, outcome, count(*) FROM inbound_mail GROUP BY 1, 2 ORDER BY 1, 2"

echo "== 3. pipe --now (each process stores and processes, no instance): $N messages, $PAR at a time"
start=$(date +%s.%N)
pipe_all c --now
end=$(date +%s.%N)
printf "%.1f s: %.0f messages/s stored and processed\n" "$(echo "$end - $start" | bc -l)" "$(echo "$N / ($end - $start)" | bc -l)"
echo "pipe process max RSS, first 200: $(rss c head)"
echo "pipe process max RSS, last 200:  $(rss c tail)"
echo "== load after: $(uptime)"
count "SELECT count(*) AS stored, count(*) FILTER (WHERE state = 'new') AS unprocessed FROM inbound_mail"
