-- The staff queue as a working tool (issue 17, item 8).

-- Saved views: a staff member's own named filter and sort (the queue's query string,
-- reduced to the parameters the queue knows).
CREATE TABLE saved_views (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    query text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name)
);

-- The default order of open work: the due date that matters for the status (the
-- acceptance deadline while "Chờ tiếp nhận", the reply deadline after), earliest first,
-- so that overdue PAKN lead. One index per way the queue is scoped: every unit (leaders),
-- one unit (an officer's unit), one handler ("mine").
CREATE INDEX tickets_open_work_due ON tickets
    ((CASE WHEN status = 'submitted' THEN accept_due ELSE reply_due END), id)
    WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval');
CREATE INDEX tickets_open_unit_work_due ON tickets
    (unit_id, (CASE WHEN status = 'submitted' THEN accept_due ELSE reply_due END), id)
    WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval');
CREATE INDEX tickets_open_assignee_work_due ON tickets
    (assignee_id, (CASE WHEN status = 'submitted' THEN accept_due ELSE reply_due END), id)
    WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval');
