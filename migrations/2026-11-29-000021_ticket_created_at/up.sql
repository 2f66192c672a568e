-- When the row was written (received_at is when the PAKN reached the department, which
-- staff backdate for post and phone). Rows from before this migration have none: adding
-- the column with no default and then setting the default leaves them NULL without
-- rewriting the table.
ALTER TABLE tickets ADD COLUMN created_at timestamptz;
ALTER TABLE tickets ALTER COLUMN created_at SET DEFAULT now();
