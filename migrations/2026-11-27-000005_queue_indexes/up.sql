-- The staff queue and search (issue 4). Each index was weighed against the cost it adds
-- to every filing (bench/results.md).

-- Folded word search: all words of the query against the folded text.
CREATE INDEX tickets_search ON tickets USING gin (to_tsvector('simple', search_text));
-- Queue tabs by status, newest first (keyset on received_at, id).
CREATE INDEX tickets_status_received ON tickets (status, received_at DESC, id DESC);
-- "Assigned to me".
CREATE INDEX tickets_assignee_received ON tickets (assignee_id, received_at DESC, id DESC) WHERE assignee_id IS NOT NULL;
-- Suspected spam is rare: a small partial index for its filter.
CREATE INDEX tickets_spam_received ON tickets (received_at DESC, id DESC) WHERE suspected_spam;
-- Overdue and due-soon counts and filters run over open tickets only.
CREATE INDEX tickets_open_due ON tickets (unit_id, reply_due)
    WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval');
