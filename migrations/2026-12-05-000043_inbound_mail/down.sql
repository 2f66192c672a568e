ALTER TABLE outbox DROP COLUMN bounced_at;
DROP TABLE inbound_mail;
