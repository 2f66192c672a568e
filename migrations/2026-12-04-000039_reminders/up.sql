-- Issue 15, parts 3 and 5: reminders and escalation, and the publication clock.
--
-- Each reminder is sent once per PAKN (or data-subject request), deadline, kind and due
-- date: the pass inserts its keys with ON CONFLICT DO NOTHING RETURNING in the
-- transaction that queues their mail, so two instances, a restart or a crash never
-- repeat one. The due date is part of the key: a new reply deadline after a reopening
-- gets reminders of its own, and each 7-day date of the progress duty is a key.
--
-- No foreign keys: the check of one locks the PAKN's row (FOR KEY SHARE, a write to the
-- tickets heap) for every key, which halved the rate of a first pass over a backlog
-- (bench/results.md, issue 15 reminders). Neither PAKN nor requests are ever deleted
-- (retention anonymises them in place); a key of a row that no longer exists is inert.
-- The codes compare bytewise (COLLATE "C"): the unique key is checked for every key of
-- every pass, and locale-aware comparison made the first pass a third slower.
CREATE TABLE reminders_sent (
    id                 bigserial PRIMARY KEY,
    ticket_id          bigint,
    privacy_request_id bigint,
    deadline           text COLLATE "C" NOT NULL
        CHECK (deadline IN ('classify', 'forward', 'reply', 'publication', 'privacy')),
    kind               text COLLATE "C" NOT NULL
        CHECK (kind IN ('due_soon', 'overdue', 'progress', 'draft_waiting')),
    due_on             date NOT NULL,
    sent_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((ticket_id IS NULL) <> (privacy_request_id IS NULL))
);
CREATE UNIQUE INDEX reminders_sent_ticket_key ON reminders_sent (ticket_id, deadline, kind, due_on)
    WHERE ticket_id IS NOT NULL;
CREATE UNIQUE INDEX reminders_sent_privacy_key
    ON reminders_sent (privacy_request_id, deadline, kind, due_on)
    WHERE privacy_request_id IS NOT NULL;

-- The pass reads every open PAKN's clock from this index alone (an index-only scan; the
-- heap of a million PAKN is never walked).
CREATE INDEX tickets_reminder_clock ON tickets (reply_due)
    INCLUDE (id, status, accept_due, forward_due, last_public_note_at, assignee_id, unit_id,
             routing_rule_id)
    WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval');

-- The publication clock: answered PAKN whose citizen consented (the queue's filter and
-- the pass), by the moment of the answer.
CREATE INDEX tickets_publication_clock ON tickets (answered_at)
    INCLUDE (id, assignee_id, unit_id, routing_rule_id)
    WHERE status = 'answered' AND publish_consent;

-- Drafts waiting for a leader.
CREATE INDEX replies_pending ON replies (ticket_id, created_at) WHERE state = 'pending';
