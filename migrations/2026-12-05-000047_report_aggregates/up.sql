-- Daily report aggregates (issue 18, item 6): counts per day × basis × (unit, lĩnh vực,
-- content category, channel, kind) × metric, written in the transaction of each change.
-- Each fact is counted twice: on the day it happened (basis 'event': "by answer date")
-- and on the PAKN's day of receipt (basis 'receipt': the cohort of a period's PAKN).
-- Counts follow the PAKN's current classification: an acceptance that changes the unit,
-- lĩnh vực or kind moves what was counted before it (receipt, requests for information).
-- Hot rows are avoided as in ticket_counters: each write adds to a random shard of 64;
-- the nightly reconciliation folds the shards of past days into shard 0.
CREATE TABLE report_counts (
    basis            text NOT NULL CHECK (basis IN ('event', 'receipt')),
    day              date NOT NULL,
    unit_id          integer NOT NULL,
    field_code       text NOT NULL,
    content_category text NOT NULL,
    channel          text NOT NULL,
    kind             text NOT NULL,
    metric           text NOT NULL,
    shard            smallint NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (basis, day, unit_id, field_code, content_category, channel, kind, metric, shard)
);

-- Each date of [lo, hi] with whether it is a working day (the calendar's exceptions to
-- the Monday–Friday week, as domain::calendar::WorkCalendar) and the running count of
-- working days up to it: working_days_between(a, b) = num(b) - num(a).
CREATE FUNCTION pakn_working_day_numbers(lo date, hi date)
RETURNS TABLE (d date, working boolean, num bigint)
LANGUAGE sql STABLE AS $$
    SELECT g.d, w.working,
           sum(w.working::int) OVER (ORDER BY g.d) AS num
      FROM (SELECT generate_series(lo, hi, interval '1 day')::date AS d) g
      LEFT JOIN calendar_days c ON c.day = g.d
      CROSS JOIN LATERAL (SELECT CASE WHEN c.kind IS NOT NULL THEN c.kind = 'make_up_workday'
                                      ELSE extract(isodow FROM g.d) < 6 END AS working) w
$$;

-- What report_counts must hold, recomputed from the tickets and their timeline (shard 0).
-- The rules are those of the write paths (handling::report_facts):
--   received        the day of receipt;
--   accepted        each 'accept'; refused: each move into 'rejected' (refusal or an
--                   expired request for information); out_of_scope, transferred: the move;
--   withdrawn       each 'withdraw'; info_requested: each 'ask_info'; reopened: 'reopen';
--   answered_on_time / answered_late and answer_days:<n>: the first 'approve' (on time
--                   as recorded in its data, else its date against the reply deadline;
--                   n = working days from receipt, at most 60);
--   rating_<rating> each 'rating';
--   published, published_on_time: the first 'publish' (on time as recorded, else
--                   against p_publish_days working days after the answer).
CREATE FUNCTION pakn_report_truth(p_publish_days integer)
RETURNS TABLE (basis text, day date, unit_id integer, field_code text, content_category text,
               channel text, kind text, metric text, n bigint)
LANGUAGE sql STABLE AS $$
WITH t AS (
    SELECT id, unit_id, field_code, content_category, channel, kind, reply_due, answered_at,
           (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS r
      FROM tickets
), cal AS (
    SELECT * FROM pakn_working_day_numbers(
        (SELECT coalesce(min(r), current_date) - 1 FROM t),
        greatest(current_date, (SELECT max(reply_due) FROM tickets)) + 400)
), ev AS (
    SELECT e.ticket_id, e.event, e.to_status, e.data,
           (e.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d,
           row_number() OVER (PARTITION BY e.ticket_id, e.event ORDER BY e.at, e.id) AS nth
      FROM ticket_events e
     WHERE e.event IN ('accept', 'ask_info', 'withdraw', 'reopen', 'approve', 'rating', 'publish')
        OR e.to_status IN ('rejected', 'out_of_scope', 'transferred')
), facts AS (
    SELECT t.id AS ticket_id, t.r AS d, 'received' AS metric FROM t
    UNION ALL
    SELECT ev.ticket_id, ev.d, m.metric
      FROM ev JOIN t ON t.id = ev.ticket_id
      LEFT JOIN cal ce ON ce.d = ev.d
      LEFT JOIN cal cr ON cr.d = t.r
      LEFT JOIN cal ca ON ca.d = (t.answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
      LEFT JOIN cal cd ON cd.working
                      AND cd.num = ca.num + greatest(p_publish_days, CASE WHEN ca.working THEN 0 ELSE 1 END)
      CROSS JOIN LATERAL (VALUES
          (CASE WHEN ev.event = 'accept' THEN 'accepted'
                WHEN ev.event = 'ask_info' THEN 'info_requested'
                WHEN ev.event = 'withdraw' THEN 'withdrawn'
                WHEN ev.event = 'reopen' THEN 'reopened'
                WHEN ev.event = 'rating' THEN 'rating_' || (ev.data ->> 'rating')
                WHEN ev.to_status = 'rejected' THEN 'refused'
                WHEN ev.to_status = 'out_of_scope' THEN 'out_of_scope'
                WHEN ev.to_status = 'transferred' THEN 'transferred'
                WHEN ev.event = 'approve' AND ev.nth = 1 THEN
                     CASE WHEN coalesce((ev.data ->> 'on_time')::boolean, ev.d <= t.reply_due)
                          THEN 'answered_on_time' ELSE 'answered_late' END
                WHEN ev.event = 'publish' AND ev.nth = 1 THEN 'published' END),
          (CASE WHEN ev.event = 'approve' AND ev.nth = 1 THEN
                'answer_days:' || greatest(0, least(60, ce.num - cr.num))
                WHEN ev.event = 'publish' AND ev.nth = 1
                 AND coalesce((ev.data ->> 'on_time')::boolean, ev.d <= cd.d)
                THEN 'published_on_time' END)
      ) AS m (metric)
     WHERE m.metric IS NOT NULL
)
SELECT b.basis, CASE b.basis WHEN 'event' THEN f.d ELSE t.r END AS day,
       t.unit_id, t.field_code, t.content_category, t.channel, t.kind, f.metric,
       count(*)::bigint AS n
  FROM facts f JOIN t ON t.id = f.ticket_id
  CROSS JOIN (VALUES ('event'), ('receipt')) AS b (basis)
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
$$;

-- The backfill of the PAKN already there (publication deadline: the default 2 working
-- days; the first reconciliation corrects it where [deadlines] says otherwise).
INSERT INTO report_counts (basis, day, unit_id, field_code, content_category, channel, kind, metric, shard, n)
SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric, 0, n
  FROM pakn_report_truth(2);
