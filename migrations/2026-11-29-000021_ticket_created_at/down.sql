ALTER TABLE tickets DROP COLUMN created_at;
