DROP INDEX tickets_search;
ALTER TABLE tickets DROP COLUMN search_tsv;
CREATE INDEX tickets_search ON tickets USING gin (to_tsvector('simple', search_text));
