#!/usr/bin/env bash
# Issue 19 benchmark: the proxy's cost. One `pakn serve` measured directly, then three
# instances behind nginx (round robin on loopback, the proxy settings of
# deploy/nginx-pakn.conf without TLS), for GET /feedback/new and the first staff queue
# page, with wrk -t1 -c16 (5 s warm-up, then DURATION, 20 s by default). Behind nginx it
# runs twice: with the site's settings (upstream connections kept alive, buffers that
# hold a queue page) and with nginx's defaults (a new upstream connection per request,
# 36 kB of buffers: a queue page goes through a temporary file), what the site had
# until 2026-12-06.
#
#   BIN=/path/to/release/pakn bench/issue19-proxy.sh
#
# Database: pakn_100k (TICKETS, 100,000 by default), seeded with seed-demo once and
# reused while it holds that many PAKN. Needs nginx (apt-get install nginx-light) and wrk.
source "$(dirname "$0")/lib.sh"
export CPU_ALSO=nginx # its ticks beside pakn's and Postgres's
TICKETS=${TICKETS:-100000}
DB=${DB:-pakn_100k}
DURATION=${DURATION:-20s}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
OUT="$ROOT/target/bench/issue19"; mkdir -p "$OUT"
[ "$DB" != pakn_1m ] || { echo "pakn_1m belongs to other benchmarks: choose another DB"; exit 1; }
build
DB_URL="${PG_ADMIN%/*}/$DB"; export PAKN_DATABASE__URL="$DB_URL"
have=$(psql "$DB_URL" -qAt -c "SELECT count(*) FROM tickets" 2>/dev/null || echo 0)
if [ "${have:-0}" -lt "$TICKETS" ]; then
  psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  "$BIN" seed-demo --tickets "$TICKETS" 2>"$OUT/seed.log"
fi
"$BIN" migrate >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"

PIDS=()
NGINX_PID=""
cleanup() {
  [ -z "$NGINX_PID" ] || kill -QUIT "$NGINX_PID" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

instance() { # port
  local auth=()
  if PAKN_AUTH__SECOND_FACTOR= "$BIN" check-config >/dev/null 2>&1; then auth=(PAKN_AUTH__SECOND_FACTOR=); fi
  env PAKN_SERVER__LISTEN="127.0.0.1:$1" PAKN_SERVER__PUBLIC_URL="$BASE" \
      PAKN_SERVER__TRUSTED_PROXIES=127.0.0.1/32 PAKN_LIMITS__EXEMPT=127.0.0.1/32 \
      PAKN_LOG=warn "${auth[@]}" "$BIN" serve > "$OUT/serve-$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "instance on $1 did not start"; cat "$OUT/serve-$1.log"; exit 1
}

login() { # base
  local token
  token=$("$BIN" bench-tokens --count 1 --form login)
  COOKIE=$(curl -s -o /dev/null -D - -X POST "$1/staff/login" \
    --data-urlencode "form_token=$token" --data-urlencode "email=lanhdao@demo.pakn.vn" \
    --data-urlencode "password=pakn-demo-2026" | awk 'tolower($1)=="set-cookie:" {print $2}' | tr -d ';\r' | head -1)
  [ -n "$COOKIE" ] || { echo "login failed"; exit 1; }
  export COOKIE
}

echo "/feedback/new" > "$OUT/form.txt"
echo "/staff/tickets" > "$OUT/queue.txt"
run() { # name base path-file
  export PATHS="$3"
  wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$2" >/dev/null 2>&1
  measure "$1" -t1 -c16 -d"$DURATION" --latency -s "$ROOT/bench/paths.lua" "$2"
}

# One instance, directly.
P1=$((PORT + 1)); P2=$((PORT + 2)); P3=$((PORT + 3)); PX=$((PORT + 10))
instance "$P1"; SERVER_PID=${PIDS[0]}
login "http://127.0.0.1:$P1"
run direct_feedback_new "http://127.0.0.1:$P1" "$OUT/form.txt"
run direct_queue_first "http://127.0.0.1:$P1" "$OUT/queue.txt"

# Three instances behind nginx.
instance "$P2"; instance "$P3"
proxy() { # upstream-line location-line
  [ -z "$NGINX_PID" ] || { kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; }
  mkdir -p "$OUT/nginx"
  cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes auto;
pid nginx.pid;
error_log error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path client_body;
    proxy_temp_path proxy_temp;
    fastcgi_temp_path fastcgi_temp;
    uwsgi_temp_path uwsgi_temp;
    scgi_temp_path scgi_temp;
    upstream pakn {
        server 127.0.0.1:$P1 max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$P2 max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$P3 max_fails=1 fail_timeout=5s;
        $1
    }
    server {
        listen 127.0.0.1:$PX;
        client_max_body_size 60m;
        location / {
            proxy_pass http://pakn;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Request-Id \$request_id;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;
            ${2:-}
        }
    }
}
CONF
  "$NGINX" -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" -e "$OUT/nginx/error.log" -g 'daemon off;' &
  NGINX_PID=$!
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PX/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "nginx did not start"; cat "$OUT/nginx/error.log"; exit 1
}
SITE_UPSTREAM="keepalive 32; keepalive_timeout 4s;"
SITE_LOCATION="proxy_buffer_size 16k; proxy_buffers 16 16k; proxy_busy_buffers_size 32k;"
proxy "$SITE_UPSTREAM" "$SITE_LOCATION"
run nginx3_feedback_new "http://127.0.0.1:$PX" "$OUT/form.txt"
run nginx3_queue_first "http://127.0.0.1:$PX" "$OUT/queue.txt"
proxy "" ""
run nginx3_defaults_feedback_new "http://127.0.0.1:$PX" "$OUT/form.txt"
run nginx3_defaults_queue_first "http://127.0.0.1:$PX" "$OUT/queue.txt"
# One instance directly again: the ratios take the mean of the runs before and after.
run direct_again_feedback_new "http://127.0.0.1:$P1" "$OUT/form.txt"
run direct_again_queue_first "http://127.0.0.1:$P1" "$OUT/queue.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
