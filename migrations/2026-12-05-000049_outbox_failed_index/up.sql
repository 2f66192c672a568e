-- The mails given up, counted by every /metrics scrape and `pakn outbox status`: a
-- partial index holds only them, so the count never walks the sent mail.
CREATE INDEX IF NOT EXISTS outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
