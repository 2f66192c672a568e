-- Security review, finding 16: the rate-limit buckets' daily key was HMAC(secret, day),
-- recomputable by anyone holding a dump (the secret is in `settings`). Each UTC day now
-- gets a random salt, drawn by whichever instance needs it first (insert-on-conflict, so
-- every instance agrees) and deleted by the sweep once the day is over, as the visitor
-- counter does with `visit_days.salt`.
CREATE TABLE rate_limit_salts (
    day  date  PRIMARY KEY,
    salt bytea NOT NULL
);
-- Buckets keyed the old way could be linked back to addresses from a dump: forget them
-- (their counts start again, which only loosens the limits for at most a window).
DELETE FROM rate_limits;
DELETE FROM login_slots;

-- Security review, finding 3: files kept for a form that came back count against a byte
-- budget per client address; `owner` is that address's bucket under the day's salt
-- (NULL for staff entry, which is not budgeted per address).
ALTER TABLE upload_stash ADD COLUMN owner bytea;
CREATE INDEX upload_stash_owner ON upload_stash (owner) WHERE owner IS NOT NULL;
