-- Mail delivery per recipient (issue 13). A mail goes to the recipients the server
-- accepts even when it refuses others: `delivered_to` holds those that have it (a retry
-- sends only to the rest), `outbox_refusals` those refused for good, with the server's
-- answer, to be shown on the ticket and in `pakn outbox status`.
-- A constant default: no table rewrite.
ALTER TABLE outbox ADD COLUMN delivered_to text[] NOT NULL DEFAULT '{}';

CREATE TABLE outbox_refusals (
    outbox_id  bigint      NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    address    text        NOT NULL,
    reply      text        NOT NULL,
    refused_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outbox_id, address)
);
