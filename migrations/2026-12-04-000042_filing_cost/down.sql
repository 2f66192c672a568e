CREATE INDEX tickets_reminder_clock ON tickets (reply_due)
    INCLUDE (id, status, accept_due, forward_due, last_public_note_at, assignee_id, unit_id,
             routing_rule_id)
    WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval');
CREATE OR REPLACE FUNCTION pakn_staff_recipients(
    p_unit integer, p_linked integer[], p_exclude integer,
    OUT unit_emails text[], OUT other_emails text[]
) LANGUAGE sql STABLE AS $$
    WITH staff AS (
        SELECT id, lower(email) AS email, unit_id, roles
        FROM users
        WHERE active AND email <> '' AND id IS DISTINCT FROM p_exclude
    ), unit AS (
        SELECT email FROM staff
        WHERE unit_id = p_unit
          AND (roles && ARRAY['officer', 'leader']::text[] OR id = ANY (p_linked))
    ), other AS (
        SELECT email FROM staff
        WHERE (unit_id IS NULL AND 'leader' = ANY (roles)
               AND NOT EXISTS (SELECT 1 FROM users u
                               WHERE u.active AND u.unit_id = p_unit
                                 AND 'leader' = ANY (u.roles)))
           OR (id = ANY (p_linked) AND unit_id IS DISTINCT FROM p_unit)
    )
    SELECT coalesce((SELECT array_agg(DISTINCT email ORDER BY email) FROM unit), '{}'),
           coalesce((SELECT array_agg(DISTINCT email ORDER BY email) FROM other
                     WHERE email NOT IN (SELECT email FROM unit)), '{}')
$$;
