#!/usr/bin/env bash
# Issue 6 benchmark: the public /answers pages at 1,000,000 tickets (target: list pages
# ≥ 2,000 req/s, p99 < 50 ms). Reuses pakn_1m (seeded like issue4.sh), publishes a copy
# of every answered ticket whose sender consented (~427,000 at 1M: the worst case), then
# runs wrk -t1 -c16 -d30s (5 s warm-up) per kind of page, anonymous (no cookie).
source "$(dirname "$0")/lib.sh"
TICKETS=${TICKETS:-1000000}
OUT="$ROOT/target/bench/answers"; mkdir -p "$OUT"
build
use_pakn_1m
# Bench data only: the copy is the ticket's own text and search key (a real copy is
# masked and reviewed by staff); public ids are random-looking and stable across runs.
published=$(psql "$DB_URL" -qAt -c "SELECT count(*) FROM public_answers")
if [ "$published" -eq 0 ]; then
  psql "$DB_URL" -v ON_ERROR_STOP=1 -qAt -c "
    INSERT INTO public_answers (public_id, ticket_id, field_code, title, question, answer,
        answered_on, search_text, published_at)
    SELECT substr(md5(id::text || '.answer'), 1, 16), id, field_code, title, content,
        'Sở Nội vụ trả lời: ' || content,
        (answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, search_text, answered_at
      FROM tickets
     WHERE status IN ('answered', 'closed') AND publish_consent AND NOT confidential
       AND answered_at IS NOT NULL"
  psql "$DB_URL" -qAt -c "VACUUM ANALYZE public_answers"
fi
count "SELECT 'published copies: ' || count(*) FROM public_answers WHERE published_at IS NOT NULL AND unpublished_at IS NULL"
start_server
export COOKIE=""
run() { # name path-file
  export PATHS="$2"
  wrk -t1 -c16 -d5s -s "$ROOT/bench/paths.lua" "$BASE" >/dev/null 2>&1
  measure "$1" -t1 -c16 -d30s --latency -s "$ROOT/bench/paths.lua" "$BASE"
}
LISTED="published_at IS NOT NULL AND unpublished_at IS NULL"
echo "/answers" > "$OUT/first.txt"; run list_first_page "$OUT/first.txt"
psql "$DB_URL" -qAt -c "SELECT '/answers?field=' || code FROM fields WHERE active" > "$OUT/fields.txt"; run list_by_field "$OUT/fields.txt"
psql "$DB_URL" -qAt -c "SELECT DISTINCT '/answers?year=' || extract(year FROM answered_on)::int FROM public_answers WHERE $LISTED" > "$OUT/years.txt"; run list_by_year "$OUT/years.txt"
psql "$DB_URL" -qAt -c "SELECT '/answers?after=' || to_char(answered_on, 'YYYY-MM-DD') || '.' || public_id FROM public_answers WHERE $LISTED ORDER BY random() LIMIT 2000" > "$OUT/pages.txt"; run list_deep_pages "$OUT/pages.txt"
echo "/answers?q=thu+tuc" > "$OUT/common.txt"; run search_common "$OUT/common.txt"
psql "$DB_URL" -qAt -c "SELECT '/answers/' || public_id FROM public_answers WHERE $LISTED ORDER BY random() LIMIT 2000" > "$OUT/detail.txt"; run detail "$OUT/detail.txt"
stop_server
for q in "SELECT public_id FROM public_answers WHERE $LISTED ORDER BY answered_on DESC, public_id DESC LIMIT 21" \
         "SELECT public_id FROM public_answers WHERE $LISTED AND field_code = 'viec_lam' ORDER BY answered_on DESC, public_id DESC LIMIT 21" \
         "SELECT public_id FROM public_answers WHERE $LISTED AND coalesce(search_tsv @@ to_tsquery('simple', 'thu & tuc:*'), false) ORDER BY answered_on DESC, public_id DESC LIMIT 21"; do
  echo "== EXPLAIN $q"; psql "$DB_URL" -qAt -c "EXPLAIN (ANALYZE, COSTS OFF) $q"
done
