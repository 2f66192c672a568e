DROP INDEX upload_stash_owner;
ALTER TABLE upload_stash DROP COLUMN owner;
DROP TABLE rate_limit_salts;
