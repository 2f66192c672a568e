-- Issue 16: mail comes back in.
--
-- Every inbound message (from `pakn mail receive` or the IMAP poller) is stored here
-- first, raw and size-limited, in its own commit; a job then processes it. A crash
-- between the two leaves a `new` row that the next pass takes, and a message that fails
-- to process is retried with backoff, then shown to staff as `failed` (retry from the
-- admin screens). The same message delivered twice has one key (its Message-ID, or the
-- SHA-256 of its bytes when it has none) and is stored once.
CREATE TABLE inbound_mail (
    id              bigserial PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    source          text COLLATE "C" NOT NULL CHECK (source IN ('pipe', 'imap')),
    message_key     text COLLATE "C" NOT NULL UNIQUE,
    -- The whole message; only its header for a message refused as too large.
    raw             bytea NOT NULL,
    size            integer NOT NULL,
    state           text COLLATE "C" NOT NULL DEFAULT 'new'
        CHECK (state IN ('new', 'done', 'held', 'ignored', 'refused', 'failed')),
    -- What processing made of it: citizen_message, answer_info, internal_note, intake,
    -- bounce, automatic, too_large, rate_limited, unknown_sender, bad_token, unmatched, …
    outcome         text COLLATE "C",
    ticket_id       bigint REFERENCES tickets (id),
    -- The timeline event it became, if any.
    event_id        bigint,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    processed_at    timestamptz,
    -- The sender, hashed with the instance secret (the per-sender rate limit counts it;
    -- the address itself stays only in the raw message).
    sender_hash     bytea
);
CREATE INDEX inbound_mail_due ON inbound_mail (next_attempt_at) WHERE state = 'new';
CREATE INDEX inbound_mail_review ON inbound_mail (received_at DESC) WHERE state IN ('held', 'failed');
CREATE INDEX inbound_mail_ticket ON inbound_mail (ticket_id, received_at) WHERE ticket_id IS NOT NULL;
CREATE INDEX inbound_mail_sender ON inbound_mail (sender_hash, received_at) WHERE sender_hash IS NOT NULL;

-- A bounce (RFC 3464) that came back for a mail already sent.
ALTER TABLE outbox ADD COLUMN bounced_at timestamptz;
