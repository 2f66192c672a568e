UPDATE outbox SET subject = coalesce(subject, ''), body_text = coalesce(body_text, '');
ALTER TABLE outbox ALTER COLUMN subject SET NOT NULL, ALTER COLUMN body_text SET NOT NULL;
