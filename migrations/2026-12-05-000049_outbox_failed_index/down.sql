DROP INDEX IF EXISTS outbox_failed;
