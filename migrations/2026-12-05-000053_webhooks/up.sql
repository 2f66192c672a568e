-- Webhooks (issue 20, item 4): an API client's subscriptions, and the deliveries waiting
-- for them, queued by triggers in the very transaction that makes the event (the outbox
-- pattern the mail uses: nothing is lost when pakn or the receiver restarts).
--
-- A subscription hears the events of the PAKN its client filed (tickets.idempotency_key
-- `api:<client>:…`), or of every PAKN when the client holds the scope `watch`. Payloads
-- carry no personal data: the public id, the tracking code for the client that filed the
-- PAKN only, statuses, lĩnh vực, unit, times.
--
-- The signing secret is never stored: it is derived from `[security] secret` and the
-- row's `secret_salt` (shown once when made; a new salt rotates it).
CREATE TABLE webhook_subscriptions (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id     integer NOT NULL REFERENCES api_clients (id),
    url           text NOT NULL CHECK (url ~ '^https?://'),
    events        text[] NOT NULL CHECK (cardinality(events) > 0),
    secret_salt   bytea NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    -- Since when every delivery has failed (NULL once one succeeds).
    failing_since timestamptz,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_client ON webhook_subscriptions (client_id);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Standard Webhooks' `webhook-id`: the same on every attempt and replay.
    msg_id          text NOT NULL UNIQUE,
    subscription_id integer NOT NULL REFERENCES webhook_subscriptions (id),
    ticket_id       bigint,
    event           text NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    failed_at       timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id DESC);

-- Queues event `ev` about ticket `tid` for every subscription that hears it. (The
-- parameters' names are unlike any column's: in SQL functions a column wins.)
CREATE FUNCTION webhook_queue(ev text, tid bigint, ev_at timestamptz, extra jsonb)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO webhook_deliveries (msg_id, subscription_id, ticket_id, event, payload)
    SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), s.id, tk.id, ev,
           jsonb_build_object(
               'type', ev,
               'timestamp', to_char(ev_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                    'YYYY-MM-DD"T"HH24:MI:SS"+07:00"'),
               'data', jsonb_build_object(
                   'service_request_id', tk.public_id,
                   'code', CASE WHEN tk.idempotency_key LIKE 'api:' || s.client_id || ':%'
                                THEN tk.code END,
                   'status', tk.status,
                   'field_code', tk.field_code,
                   'unit', u.code,
                   'reply_due', tk.reply_due
               ) || extra)
      FROM tickets tk
      JOIN units u ON u.id = tk.unit_id
      JOIN webhook_subscriptions s ON s.enabled AND ev = ANY (s.events)
      JOIN api_clients c ON c.id = s.client_id AND c.enabled
     WHERE tk.id = tid
       AND ('watch' = ANY (c.scopes) OR tk.idempotency_key LIKE 'api:' || s.client_id || ':%')
$$;

-- A ticket's events: filed, a status changed, information asked, answered. One statement
-- (a filing, a bulk move, the seed) costs one check while nobody subscribes.
CREATE FUNCTION webhook_ticket_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    e record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled) THEN
        RETURN NULL;
    END IF;
    FOR e IN SELECT * FROM new_events ORDER BY id LOOP
        IF e.event = 'submitted' THEN
            PERFORM webhook_queue('pakn.filed', e.ticket_id, e.at, '{}');
        ELSIF e.to_status IS NOT NULL AND e.to_status IS DISTINCT FROM e.from_status THEN
            PERFORM webhook_queue('pakn.status_changed', e.ticket_id, e.at,
                jsonb_build_object('from_status', e.from_status, 'status', e.to_status));
            IF e.to_status = 'needs_info' THEN
                PERFORM webhook_queue('pakn.information_requested', e.ticket_id, e.at, '{}');
            ELSIF e.to_status = 'answered' THEN
                PERFORM webhook_queue('pakn.answered', e.ticket_id, e.at, '{}');
            END IF;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_ticket_events AFTER INSERT ON ticket_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_ticket_events();

-- A public copy published (first time or again).
CREATE FUNCTION webhook_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.published_at IS NOT NULL AND NEW.unpublished_at IS NULL
       AND (TG_OP = 'INSERT' OR OLD.published_at IS DISTINCT FROM NEW.published_at
            OR OLD.unpublished_at IS NOT NULL) THEN
        PERFORM webhook_queue('pakn.published', NEW.ticket_id, NEW.published_at,
            jsonb_build_object('answer_id', NEW.public_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_published AFTER INSERT OR UPDATE ON public_answers
    FOR EACH ROW EXECUTE FUNCTION webhook_published();

-- A citizen's rating (its value only, never the comment).
CREATE FUNCTION webhook_rated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook_queue('pakn.rated', NEW.ticket_id, NEW.at,
        jsonb_build_object('rating', NEW.rating));
    RETURN NULL;
END $$;
CREATE TRIGGER webhook_rated AFTER INSERT ON ratings
    FOR EACH ROW EXECUTE FUNCTION webhook_rated();
