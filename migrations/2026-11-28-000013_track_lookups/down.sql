DROP INDEX IF EXISTS attachments_reply;
DROP INDEX IF EXISTS tickets_email;
