-- The staff's second factor (issue 14): a TOTP secret per user and their recovery codes.
-- `secret` is the 20-byte secret encrypted with ChaCha20-Poly1305 under a key derived
-- from `[security] secret` (nonce, then ciphertext and tag; the user id is the
-- associated data), so a dump of this table alone gives no codes. `confirmed_at` is NULL
-- while enrolment waits for its first code. `last_step` is the time step of the last
-- accepted code: a code of that step or an earlier one is refused (no replay).
CREATE TABLE second_factors (
    user_id      integer     PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       bytea       NOT NULL,
    confirmed_at timestamptz,
    last_step    bigint,
    -- The user's random salt of their recovery codes' hashes.
    recovery_salt bytea      NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes: HMAC-SHA-256 of the user's salt and the code, under a key
-- derived from `[security] secret`, so equal codes of two users never hash alike and a
-- dump alone allows no guessing. `used_at` is set, atomically, when one is spent.
CREATE TABLE recovery_codes (
    user_id   integer     NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea       NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
