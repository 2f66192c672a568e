-- A filing's mails are rendered by the worker when it sends them (from the ticket), so
-- the filing writes small outbox rows: subject and body are empty until then.
ALTER TABLE outbox ALTER COLUMN subject DROP NOT NULL, ALTER COLUMN body_text DROP NOT NULL;
