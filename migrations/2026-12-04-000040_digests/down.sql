DROP INDEX tickets_answered_at_any;
DROP TABLE digests_sent;
ALTER TABLE outbox DROP COLUMN list_unsubscribe;
ALTER TABLE users DROP COLUMN digest_weekly, DROP COLUMN digest_daily;
