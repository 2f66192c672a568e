-- pakn: the whole schema of the product described in docs/domain.md.
-- Codes are text with CHECK constraints (readable in psql, easy to extend in a migration).

-- Settings and instance coordination ---------------------------------------------------

CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row. `version` is bumped by every edit of reference data so that every instance
-- reloads its in-memory cache; `seed_version` is the version of the embedded seed last
-- applied.
CREATE TABLE reference_state (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    version      bigint  NOT NULL DEFAULT 1,
    seed_version integer NOT NULL DEFAULT 0
);
INSERT INTO reference_state DEFAULT VALUES;

-- Reference data (admin-edited; deactivated, never deleted) ------------------------------

CREATE TABLE units (
    id         serial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name_vi    text NOT NULL,
    name_en    text NOT NULL,
    email      text,
    is_default boolean NOT NULL DEFAULT false,
    active     boolean NOT NULL DEFAULT true,
    sort       integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX units_single_default ON units (is_default) WHERE is_default;

-- Published recipients (notified by email) and hotline entries of the department.
CREATE TABLE contacts (
    id                 serial PRIMARY KEY,
    code               text NOT NULL UNIQUE,
    kind               text NOT NULL CHECK (kind IN ('receiving', 'hotline')),
    person_name        text,
    title_vi           text NOT NULL,
    title_en           text NOT NULL,
    phones             text[] NOT NULL DEFAULT '{}',
    email              text,
    needs_verification boolean NOT NULL DEFAULT true,
    active             boolean NOT NULL DEFAULT true,
    sort               integer NOT NULL DEFAULT 0,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Lĩnh vực.
CREATE TABLE fields (
    code       text PRIMARY KEY,
    name_vi    text NOT NULL,
    name_en    text NOT NULL,
    keywords   text NOT NULL DEFAULT '',
    active     boolean NOT NULL DEFAULT true,
    sort       integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Nội dung thuộc (Điều 5 NĐ 20/2008).
CREATE TABLE content_categories (
    code              text PRIMARY KEY,
    name_vi           text NOT NULL,
    name_en           text NOT NULL,
    implies_kien_nghi boolean NOT NULL DEFAULT false,
    active            boolean NOT NULL DEFAULT true,
    sort              integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Ordered routing rules: the first active rule whose lists contain the ticket's content
-- category and lĩnh vực (an empty list matches anything) sets the handling unit and the
-- one notification; the default rule applies only when none matches.
CREATE TABLE routing_rules (
    id               serial PRIMARY KEY,
    position         integer NOT NULL,
    name             text NOT NULL,
    match_categories text[] NOT NULL DEFAULT '{}',
    match_fields     text[] NOT NULL DEFAULT '{}',
    unit_id          integer NOT NULL REFERENCES units (id),
    is_default       boolean NOT NULL DEFAULT false,
    active           boolean NOT NULL DEFAULT true,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX routing_rules_single_default ON routing_rules (is_default) WHERE is_default AND active;

CREATE TABLE routing_rule_contacts (
    rule_id    integer NOT NULL REFERENCES routing_rules (id) ON DELETE CASCADE,
    contact_id integer NOT NULL REFERENCES contacts (id),
    recipient  text NOT NULL CHECK (recipient IN ('to', 'cc')),
    PRIMARY KEY (rule_id, contact_id)
);

-- Exceptions to the Monday–Friday week. Weekends need no row.
CREATE TABLE calendar_days (
    day        date PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('holiday', 'compensatory_off', 'swapped_off', 'make_up_workday')),
    name       text NOT NULL,
    status     text NOT NULL DEFAULT 'official' CHECK (status IN ('official', 'expected')),
    note       text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Refusal and closing templates (editable texts chosen by staff or the automatic jobs).
CREATE TABLE reason_templates (
    id         serial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    purpose    text NOT NULL CHECK (purpose IN ('rejected', 'needs_info_expired', 'out_of_scope', 'closed')),
    text_vi    text NOT NULL,
    text_en    text NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    sort       integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Staff ------------------------------------------------------------------------------------

CREATE TABLE users (
    id                  serial PRIMARY KEY,
    email               text NOT NULL,
    name                text NOT NULL,
    password_hash       text NOT NULL,
    roles               text[] NOT NULL CHECK (roles <@ ARRAY['admin', 'leader', 'officer', 'inspector']::text[] AND cardinality(roles) > 0),
    unit_id             integer REFERENCES units (id),
    active              boolean NOT NULL DEFAULT true,
    lang                text NOT NULL DEFAULT 'vi',
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    deactivated_at      timestamptz,
    CHECK (NOT ('officer' = ANY (roles)) OR unit_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

-- tower-sessions records, shared by every instance.
CREATE TABLE sessions (
    id         text PRIMARY KEY,
    user_id    integer REFERENCES users (id),
    data       jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Tickets (one row per PAKN) ----------------------------------------------------------------

CREATE TABLE tickets (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Public, non-sequential id (Open311 service_request_id, public answer links).
    public_id              text NOT NULL UNIQUE,
    -- Tracking code: 10 Crockford base32 symbols, canonical upper case without separator.
    code                   text NOT NULL UNIQUE,
    -- The citizen's private link /t/{access_token}; replaced to revoke.
    access_token           text NOT NULL UNIQUE,
    -- The filing form's token: a repeated POST of one form finds the same ticket.
    idempotency_key        text UNIQUE,
    content_hash           bytea,
    status                 text NOT NULL DEFAULT 'submitted' CHECK (status IN (
                               'submitted', 'needs_info', 'rejected', 'out_of_scope', 'accepted',
                               'transferred', 'in_progress', 'pending_approval', 'answered', 'closed')),
    -- Where needs_info returns to.
    status_before_info     text,
    channel                text NOT NULL DEFAULT 'web' CHECK (channel IN (
                               'web', 'email', 'phone', 'post', 'in_person', 'national_portal',
                               'provincial_committee', 'api')),
    external_ref           text,
    external_ref_date      date,
    entered_by             integer REFERENCES users (id),
    submitter_kind         text NOT NULL CHECK (submitter_kind IN ('individual', 'organization')),
    full_name              text,
    organization           text,
    representative         text,
    address                text NOT NULL,
    commune                text,
    phone                  text NOT NULL,
    email                  text,
    kind                   text NOT NULL CHECK (kind IN ('phan_anh', 'kien_nghi')),
    content_category       text NOT NULL REFERENCES content_categories (code),
    field_code             text NOT NULL REFERENCES fields (code),
    procedure_name         text,
    dossier_code           text,
    subject_agency         text,
    title                  text NOT NULL,
    content                text NOT NULL,
    proposal               text,
    lang                   text NOT NULL DEFAULT 'vi' CHECK (lang IN ('vi', 'en')),
    consent_at             timestamptz NOT NULL,
    privacy_notice_version text NOT NULL,
    publish_consent        boolean NOT NULL DEFAULT false,
    publish_consent_at     timestamptz,
    urgency                text CHECK (urgency IN ('urgent', 'normal', 'complex')),
    unit_id                integer NOT NULL REFERENCES units (id),
    routing_rule_id        integer REFERENCES routing_rules (id),
    assignee_id            integer REFERENCES users (id),
    received_at            timestamptz NOT NULL DEFAULT now(),
    accept_due             date NOT NULL,
    forward_due            date NOT NULL,
    reply_due              date NOT NULL,
    needs_info_due         date,
    paused_days            integer NOT NULL DEFAULT 0,
    accepted_at            timestamptz,
    answered_at            timestamptz,
    closed_at              timestamptz,
    last_public_note_at    timestamptz,
    duplicate_of           bigint REFERENCES tickets (id),
    suspected_spam         boolean NOT NULL DEFAULT false,
    spam_reasons           text[] NOT NULL DEFAULT '{}',
    confidential           boolean NOT NULL DEFAULT false,
    -- Folded (see domain::fold) name, title, content, proposal, agency and procedure.
    search_text            text NOT NULL,
    retention_until        date NOT NULL,
    anonymized_at          timestamptz,
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (submitter_kind <> 'individual' OR full_name IS NOT NULL),
    CHECK (submitter_kind <> 'organization' OR (organization IS NOT NULL AND representative IS NOT NULL))
);
CREATE INDEX tickets_received ON tickets (received_at DESC, id DESC);
CREATE INDEX tickets_unit_received ON tickets (unit_id, received_at DESC, id DESC);
CREATE INDEX tickets_phone ON tickets (phone);
CREATE INDEX tickets_dossier_code ON tickets (dossier_code) WHERE dossier_code IS NOT NULL;

-- The timeline: every change, note and message of a ticket.
CREATE TABLE ticket_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint NOT NULL REFERENCES tickets (id),
    at          timestamptz NOT NULL DEFAULT now(),
    actor_kind  text NOT NULL CHECK (actor_kind IN ('citizen', 'staff', 'system')),
    actor_id    integer REFERENCES users (id),
    event       text NOT NULL,
    from_status text,
    to_status   text,
    public      boolean NOT NULL DEFAULT false,
    body        text,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- Files: the citizen's (served to staff only) and the reply's (served to the citizen).
CREATE TABLE attachments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    bigint NOT NULL REFERENCES tickets (id),
    event_id     bigint REFERENCES ticket_events (id),
    reply_id     bigint,
    origin       text NOT NULL CHECK (origin IN ('citizen', 'staff', 'reply')),
    filename     text NOT NULL,
    content_type text NOT NULL,
    size_bytes   integer NOT NULL,
    sha256       bytea NOT NULL,
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);

-- Files that passed the checks on a form that came back with errors, kept under the
-- form's token so the citizen need not choose them again. Swept after a day.
CREATE TABLE upload_stash (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    form_key     text NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size_bytes   integer NOT NULL,
    sha256       bytea NOT NULL,
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX upload_stash_key ON upload_stash (form_key);
CREATE INDEX upload_stash_created ON upload_stash (created_at);

-- Official replies: drafted by an officer, approved (and so sent) or returned by a leader.
CREATE TABLE replies (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id     bigint NOT NULL REFERENCES tickets (id),
    state         text NOT NULL CHECK (state IN ('draft', 'pending', 'returned', 'approved')),
    body          text NOT NULL,
    number_symbol text,
    reply_date    date,
    signer        text,
    drafted_by    integer REFERENCES users (id),
    decided_by    integer REFERENCES users (id),
    return_reason text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz
);
CREATE INDEX replies_ticket ON replies (ticket_id, id);
ALTER TABLE attachments ADD FOREIGN KEY (reply_id) REFERENCES replies (id);

-- Publication is not a status: a reviewed public copy without personal data.
CREATE TABLE public_answers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id      text NOT NULL UNIQUE,
    ticket_id      bigint NOT NULL UNIQUE REFERENCES tickets (id),
    field_code     text NOT NULL REFERENCES fields (code),
    title          text NOT NULL,
    question       text NOT NULL,
    answer         text NOT NULL,
    answered_on    date NOT NULL,
    search_text    text NOT NULL,
    published_at   timestamptz,
    published_by   integer REFERENCES users (id),
    unpublished_at timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX public_answers_listed ON public_answers (published_at DESC, id DESC) WHERE unpublished_at IS NULL AND published_at IS NOT NULL;

CREATE TABLE ratings (
    ticket_id  bigint PRIMARY KEY REFERENCES tickets (id),
    rating     text NOT NULL CHECK (rating IN ('satisfied', 'neutral', 'unsatisfied')),
    comment    text,
    unit_id    integer NOT NULL REFERENCES units (id),
    field_code text NOT NULL REFERENCES fields (code),
    at         timestamptz NOT NULL DEFAULT now()
);

-- Counts per (unit, lĩnh vực, status, month of receipt), sharded: each write picks one of
-- 16 shards at random so concurrent filings never queue on one row; reads sum the shards.
CREATE TABLE ticket_counters (
    unit_id    integer NOT NULL,
    field_code text NOT NULL,
    status     text NOT NULL,
    month      date NOT NULL,
    shard      smallint NOT NULL,
    n          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, field_code, status, month, shard)
);

-- Mail ----------------------------------------------------------------------------------------

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       bigint REFERENCES tickets (id),
    kind            text NOT NULL,
    to_addrs        text[] NOT NULL,
    cc_addrs        text[] NOT NULL DEFAULT '{}',
    lang            text NOT NULL DEFAULT 'vi',
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text,
    message_id      text NOT NULL UNIQUE,
    in_reply_to     text,
    thread_refs     text,
    attachment_ids  bigint[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz,
    failed_at       timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Abuse limits and audit -----------------------------------------------------------------------

-- Fixed-window counters keyed by an HMAC of (limit, IP or address, day key): never a raw IP.
CREATE TABLE rate_limits (
    bucket       bytea NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- Every staff view of a PAKN's personal data.
CREATE TABLE personal_data_views (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   integer NOT NULL REFERENCES users (id),
    ticket_id bigint NOT NULL REFERENCES tickets (id),
    at        timestamptz NOT NULL DEFAULT now(),
    purpose   text NOT NULL DEFAULT 'view'
);
CREATE INDEX personal_data_views_ticket ON personal_data_views (ticket_id, at);

-- Every edit of configuration by an admin.
CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   integer REFERENCES users (id),
    at        timestamptz NOT NULL DEFAULT now(),
    entity    text NOT NULL,
    entity_id text NOT NULL,
    action    text NOT NULL,
    before    jsonb,
    after     jsonb
);

-- Data-subject requests (access, correction, deletion) sent from the privacy page.
CREATE TABLE privacy_requests (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('access', 'correction', 'deletion', 'objection', 'other')),
    name       text NOT NULL,
    contact    text NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    due_on     date NOT NULL,
    handled_at timestamptz,
    handled_by integer REFERENCES users (id)
);

-- The seed page's visitor counter: page views per day, and who is online (a hash of the
-- address with a daily salt; never the address).
CREATE TABLE visit_days (
    day   date PRIMARY KEY,
    views bigint NOT NULL DEFAULT 0,
    salt  bytea NOT NULL
);
CREATE TABLE visitors_online (
    visitor   bytea PRIMARY KEY,
    last_seen timestamptz NOT NULL
);
CREATE INDEX visitors_online_seen ON visitors_online (last_seen);

-- Leases for periodic jobs so that one instance does each piece of work.
CREATE TABLE job_leases (
    name        text PRIMARY KEY,
    leased_by   text,
    leased_until timestamptz NOT NULL DEFAULT 'epoch',
    last_run_at timestamptz
);
