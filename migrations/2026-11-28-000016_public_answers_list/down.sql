DROP INDEX public_answers_search;
DROP INDEX public_answers_field_listed;
DROP INDEX public_answers_listed;
ALTER TABLE public_answers DROP COLUMN search_tsv;
CREATE INDEX public_answers_listed ON public_answers (published_at DESC, id DESC)
    WHERE unpublished_at IS NULL AND published_at IS NOT NULL;
