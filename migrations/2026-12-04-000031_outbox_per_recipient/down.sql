DROP TABLE outbox_refusals;
ALTER TABLE outbox DROP COLUMN delivered_to;
