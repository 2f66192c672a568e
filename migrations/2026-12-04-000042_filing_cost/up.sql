-- Issue 15's benchmark (bench/results.md): two things of migrations 000038 and 000039 cost every
-- filing Postgres CPU (0.58 ms → 0.99 ms a filing, 1,930 → 1,300 created/s):
-- - pakn_staff_recipients as a LANGUAGE sql function is planned again on every call;
--   as plpgsql its statements' plans are kept per session (same rule, same result);
-- - the reminder pass's covering index of open PAKN was written by every filing and
--   broke HOT updates of every move; the pass reads the open PAKN through
--   tickets_open_due and the heap instead (about 0.3 s more a pass over 100,000 open).
DROP INDEX tickets_reminder_clock;
CREATE OR REPLACE FUNCTION pakn_staff_recipients(
    p_unit integer, p_linked integer[], p_exclude integer,
    OUT unit_emails text[], OUT other_emails text[]
) LANGUAGE plpgsql STABLE AS $$
BEGIN
    SELECT coalesce(array_agg(DISTINCT lower(u.email) ORDER BY lower(u.email)), '{}')
      INTO unit_emails
      FROM users u
     WHERE u.active AND u.email <> '' AND u.id IS DISTINCT FROM p_exclude
       AND u.unit_id = p_unit
       AND (u.roles && ARRAY['officer', 'leader']::text[] OR u.id = ANY (p_linked));
    SELECT coalesce(array_agg(DISTINCT lower(u.email) ORDER BY lower(u.email)), '{}')
      INTO other_emails
      FROM users u
     WHERE u.active AND u.email <> '' AND u.id IS DISTINCT FROM p_exclude
       AND ((u.unit_id IS NULL AND 'leader' = ANY (u.roles)
             AND NOT EXISTS (SELECT 1 FROM users l WHERE l.active AND l.unit_id = p_unit
                                                     AND 'leader' = ANY (l.roles)))
            OR (u.id = ANY (p_linked) AND u.unit_id IS DISTINCT FROM p_unit))
       AND lower(u.email) <> ALL (unit_emails);
END
$$;
