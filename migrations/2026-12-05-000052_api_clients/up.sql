-- API clients (issue 20): systems that file and follow PAKN on citizens' behalf (the
-- national PAKN system, the provincial portal and app). A client's key is
-- `pakn_<key_id>_<secret>`; only the SHA-256 of the secret is kept. Its PAKN are those
-- filed with an idempotency key `api:<client id>:<its key>` (tickets.idempotency_key).
CREATE TABLE api_clients (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    key_id        text NOT NULL UNIQUE,
    secret_sha256 bytea NOT NULL,
    -- 'file' (file PAKN and read those it filed); more scopes come with the staff API.
    scopes        text[] NOT NULL DEFAULT '{file}',
    -- The channel its PAKN are received through (national_portal, api, …).
    channel       text NOT NULL DEFAULT 'api',
    -- Calls a minute it may make (429 beyond).
    rate_per_min  integer NOT NULL DEFAULT 600 CHECK (rate_per_min > 0),
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz
);
