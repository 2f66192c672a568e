-- The personal-data log records ticket ids without a foreign key. Its check took a
-- FOR KEY SHARE lock on every PAKN listed: each export batch of 1,000 rows wrote a lock
-- into 1,000 ticket rows (dirtying their pages) and an export of 100,000 rows spent
-- most of its time there (178 ms per batch at 1,000,000 PAKN against 9 ms without);
-- every staff search paid it for its 50 rows. The ids are those the same request has
-- just read, and PAKN are never deleted (retention anonymises them in place), so the
-- key guarded nothing that can happen; a log of who saw what must also outlive any
-- future removal of what was seen.
ALTER TABLE personal_data_views DROP CONSTRAINT personal_data_views_ticket_id_fkey;
