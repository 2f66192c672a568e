-- Issue 15: a published contact can be linked to a staff account, so that a contact who
-- has one gets the staff version of the new-PAKN mail (staff link, and the sender's
-- details when the account is of the handling unit) instead of the contact version.
ALTER TABLE contacts ADD COLUMN user_id integer REFERENCES users (id) ON DELETE SET NULL;

-- Who among the staff is mailed about a PAKN of unit `p_unit`, as two lists of
-- addresses (lower case, sorted, each once):
--   unit_emails:  active officers and leaders whose account names the unit, and the
--                 linked contacts' accounts of that unit;
--   other_emails: the department's leaders (a leader without a unit) when the unit has no
--                 leader of its own, and the linked contacts' accounts of other units;
-- never `p_exclude` (who entered or moved the PAKN). The same rule as
-- `domain::recipients::{officers_of, leaders_of}`; called by the one-statement filing
-- (`db::tickets::FilingInsert`) and by a move into another unit.
CREATE FUNCTION pakn_staff_recipients(
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
