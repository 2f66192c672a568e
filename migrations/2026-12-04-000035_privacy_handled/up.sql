-- Issue 14, items 4 and 5: data-subject requests handled on a staff screen by admins and
-- the new privacy officer role, and PAKN anonymised a number of years after they end.

-- The data protection officer (cán bộ bảo vệ dữ liệu cá nhân): handles data-subject
-- requests and reads no PAKN in the queue.
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check
    CHECK (roles <@ ARRAY['admin', 'leader', 'officer', 'inspector', 'privacy']::text[] AND cardinality(roles) > 0);

-- Who handles a request, and the answer given (mailed when the contact is an email;
-- to be given by phone otherwise).
ALTER TABLE privacy_requests
    ADD COLUMN assigned_to integer REFERENCES users (id),
    ADD COLUMN assigned_at timestamptz,
    ADD COLUMN answer      text;
CREATE INDEX privacy_requests_open ON privacy_requests (due_on, id) WHERE handled_at IS NULL;

-- The retention job looks for ended PAKN not yet anonymised, oldest end first.
CREATE INDEX tickets_ended_not_anonymized ON tickets (closed_at)
    WHERE anonymized_at IS NULL AND status IN ('rejected', 'out_of_scope', 'transferred', 'closed');
-- A person's PAKN by email use `tickets_email` (000013): emails are stored in lower case.

-- Retention counts from a PAKN's end (closed_at), not from this date of receipt + N
-- years written at filing: nothing reads it any more.
COMMENT ON COLUMN tickets.retention_until IS
    'Unused since 000035: the retention job anonymises N years after the PAKN ends (closed_at), see handling::retention.';
