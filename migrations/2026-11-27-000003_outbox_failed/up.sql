-- `pakn outbox status` counts failed mail without scanning every sent row.
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
