-- Roles that read PAKN, given by an admin to themself or to another admin, wait here
-- for a second admin's approval (separation of duties; security review, finding 10).
CREATE TABLE role_grants (
    id           bigserial PRIMARY KEY,
    user_id      integer NOT NULL REFERENCES users (id),
    roles        text[] NOT NULL CHECK (cardinality(roles) > 0),
    requested_by integer NOT NULL REFERENCES users (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    decided_by   integer REFERENCES users (id),
    decided_at   timestamptz,
    approved     boolean,
    CHECK ((decided_at IS NULL) = (approved IS NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);
-- At most one request waits per account: a new one replaces it.
CREATE UNIQUE INDEX role_grants_one_open ON role_grants (user_id) WHERE decided_at IS NULL;
