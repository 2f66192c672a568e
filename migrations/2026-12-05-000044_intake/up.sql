-- Issue 16: a PAKN sent by email waits "chờ hoàn thiện" until staff complete what
-- Điều 7 requires (name, address, phone, email or postal address) and accept it as a
-- PAKN of channel `email`, or mark it as spam. It is not a ticket until accepted: no
-- code, no deadline, not in the queue.
CREATE TABLE intake_items (
    id             bigserial PRIMARY KEY,
    -- The message it came in (its raw bytes stay there, with the files).
    inbound_id     bigint NOT NULL UNIQUE REFERENCES inbound_mail (id),
    -- Replies to the acknowledgement that were added to it, oldest first.
    reply_ids      bigint[] NOT NULL DEFAULT '{}',
    -- When the first mail came in: the receipt time of the PAKN once accepted.
    received_at    timestamptz NOT NULL,
    sender_email   text NOT NULL,
    -- The From display name, when the mail gave one.
    sender_name    text,
    subject        text NOT NULL,
    -- The mail's text, and the text of each reply added after it.
    body           text NOT NULL,
    -- A Vietnamese phone number found in the text, when one was.
    found_phone    text,
    state          text COLLATE "C" NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'accepted', 'spam')),
    ticket_id      bigint REFERENCES tickets (id),
    decided_by     integer REFERENCES users (id),
    decided_at     timestamptz,
    -- The acknowledgement to the sender: a reply to its Message-ID joins this item.
    ack_outbox_id  bigint REFERENCES outbox (id) ON DELETE SET NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((state = 'accepted') = (ticket_id IS NOT NULL)),
    CHECK ((state = 'waiting') = (decided_at IS NULL))
);
CREATE INDEX intake_items_waiting ON intake_items (received_at DESC) WHERE state = 'waiting';
CREATE INDEX intake_items_ack ON intake_items (ack_outbox_id) WHERE ack_outbox_id IS NOT NULL;
