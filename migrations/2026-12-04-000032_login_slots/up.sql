-- The login throttle's queue per account (security review, finding 4): past the limit
-- of failures, each attempt takes the next slot, `auth::throttle::STEP` after the previous
-- one, so the rate of guesses stays bounded however many connections an attacker opens.
-- `subject` is a daily HMAC of the account, as in `rate_limits`.
CREATE TABLE login_slots (
    subject bytea       PRIMARY KEY,
    next_at timestamptz NOT NULL
);
