-- Issue 15, part 4: digests. Each staff member switches the daily digest (officers:
-- their open PAKN) and the weekly one (leaders: the previous week per unit) on or off.
ALTER TABLE users
    ADD COLUMN digest_daily boolean NOT NULL DEFAULT true,
    ADD COLUMN digest_weekly boolean NOT NULL DEFAULT true;

-- The RFC 8058 one-click unsubscribe link a digest carries (List-Unsubscribe); NULL for
-- every other mail.
ALTER TABLE outbox ADD COLUMN list_unsubscribe text;

-- One row per digest and period, written with INSERT … ON CONFLICT DO NOTHING in the
-- transaction that queues the mail: a restart, a second pass or a second instance never
-- sends one twice. outbox_id is NULL when there was nothing to list (no mail).
CREATE TABLE digests_sent (
    user_id      integer NOT NULL REFERENCES users (id),
    kind         text NOT NULL CHECK (kind IN ('daily', 'weekly')),
    -- The day (daily) or the Monday of the week reported (weekly), Vietnam time.
    period_start date NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    outbox_id    bigint REFERENCES outbox (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, kind, period_start)
);

-- The weekly digest counts the PAKN answered in a week, whatever their status now.
CREATE INDEX tickets_answered_at_any ON tickets (answered_at) WHERE answered_at IS NOT NULL;
