-- The public list of answers (/answers): newest answer first, by lĩnh vực and by year,
-- keyset pages on (answered_on, public_id) (the public id is random, so a cursor tells
-- nothing about how many answers exist), and a folded word search over the public
-- copy's own text, never the ticket's. Every index covers listed rows only.
ALTER TABLE public_answers
    ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
DROP INDEX public_answers_listed;
CREATE INDEX public_answers_listed ON public_answers (answered_on DESC, public_id DESC)
    WHERE published_at IS NOT NULL AND unpublished_at IS NULL;
CREATE INDEX public_answers_field_listed ON public_answers (field_code, answered_on DESC, public_id DESC)
    WHERE published_at IS NOT NULL AND unpublished_at IS NULL;
CREATE INDEX public_answers_search ON public_answers USING gin (search_tsv)
    WHERE published_at IS NOT NULL AND unpublished_at IS NULL;
