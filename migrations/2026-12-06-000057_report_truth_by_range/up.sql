-- The report truth of a range of PAKN ids (issue 21, item 4). A PAKN's facts come from
-- its own rows only, so the truths of ranges that cover the ids add up to the whole one:
-- `pakn seed-demo` computes ten million PAKN's aggregates a range per connection, on
-- every CPU at once, instead of in one backend. The bounds are written into the text
-- (they are numbers), so each call is planned for its own range: a whole-table call
-- still reads the tables through, as before. pakn_report_truth(p) is the whole
-- table's, as the reconciliation reads it; its rules are unchanged (see 000047).
CREATE FUNCTION pakn_report_truth_of(p_publish_days integer, p_first bigint, p_last bigint)
RETURNS TABLE (basis text, day date, unit_id integer, field_code text, content_category text,
               channel text, kind text, metric text, n bigint)
LANGUAGE plpgsql STABLE AS $f$
DECLARE
    tickets_in text := CASE WHEN p_first IS NULL THEN 'true'
                            ELSE format('id BETWEEN %s AND %s', p_first, p_last) END;
    events_in text := CASE WHEN p_first IS NULL THEN 'true'
                           ELSE format('e.ticket_id BETWEEN %s AND %s', p_first, p_last) END;
BEGIN
    RETURN QUERY EXECUTE format($q$
WITH t AS (
    SELECT id, unit_id, field_code, content_category, channel, kind, reply_due, answered_at,
           (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS r
      FROM tickets
     WHERE %1$s
), cal AS (
    SELECT * FROM pakn_working_day_numbers(
        (SELECT coalesce(min(r), current_date) - 1 FROM t),
        greatest(current_date, (SELECT max(reply_due) FROM t)) + 400)
), ev AS (
    SELECT e.ticket_id, e.event, e.to_status, e.data,
           (e.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS d,
           row_number() OVER (PARTITION BY e.ticket_id, e.event ORDER BY e.at, e.id) AS nth
      FROM ticket_events e
     WHERE %2$s
       AND (e.event IN ('accept', 'ask_info', 'withdraw', 'reopen', 'approve', 'rating', 'publish')
            OR e.to_status IN ('rejected', 'out_of_scope', 'transferred'))
), facts AS (
    SELECT t.id AS ticket_id, t.r AS d, 'received' AS metric FROM t
    UNION ALL
    SELECT ev.ticket_id, ev.d, m.metric
      FROM ev JOIN t ON t.id = ev.ticket_id
      LEFT JOIN cal ce ON ce.d = ev.d
      LEFT JOIN cal cr ON cr.d = t.r
      LEFT JOIN cal ca ON ca.d = (t.answered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
      LEFT JOIN cal cd ON cd.working
                      AND cd.num = ca.num + greatest($1, CASE WHEN ca.working THEN 0 ELSE 1 END)
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
$q$, tickets_in, events_in) USING p_publish_days;
END
$f$;

CREATE OR REPLACE FUNCTION pakn_report_truth(p_publish_days integer)
RETURNS TABLE (basis text, day date, unit_id integer, field_code text, content_category text,
               channel text, kind text, metric text, n bigint)
LANGUAGE sql STABLE AS $$
    SELECT * FROM pakn_report_truth_of(p_publish_days, NULL, NULL)
$$;
