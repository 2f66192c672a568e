-- "Quên mã PAKN?" finds every PAKN filed with one email (stored lower-case): a partial
-- index, since many PAKN carry no email.
CREATE INDEX tickets_email ON tickets (email) WHERE email IS NOT NULL;
-- The track page lists an approved reply's files.
CREATE INDEX attachments_reply ON attachments (reply_id) WHERE reply_id IS NOT NULL;
