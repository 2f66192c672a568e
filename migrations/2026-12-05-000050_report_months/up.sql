-- Monthly report roll-ups (issue 18, "kept fast"): report_counts holds one row per day ×
-- full classification × metric, so a six-month report at 1,000,000 PAKN summed about a
-- million rows. A report needs one dimension at a time, by unit: report_months holds,
-- per basis × month × unit × ONE dimension (lĩnh vực, content category, channel, kind)
-- × metric, the same counts (grouping by unit sums dimension 'kind'), a few thousand
-- rows for six months.
--
-- It is derived from report_counts by a trigger, so every writer of report_counts (the
-- filing statement, the moves, the reconciliation, its compaction, a repair by hand)
-- keeps it right in the same transaction. The trigger only INSERTs delta rows (no
-- upsert, hence no hot row, no lock taken and no lock-order deadlock between writers);
-- the periodic job folds the delta rows of each key into one row (`folded`), deleting
-- exactly the rows it sums, so concurrent folds and writers never count a delta twice.
CREATE TABLE report_months (
    basis   text NOT NULL,
    month   date NOT NULL,
    unit_id integer NOT NULL,
    dim     text NOT NULL CHECK (dim IN ('field', 'category', 'channel', 'kind')),
    value   text NOT NULL,
    metric  text NOT NULL,
    n       bigint NOT NULL,
    folded  boolean NOT NULL DEFAULT false
);

-- Reports read by basis, dimension and months (the public figures by metric too), with
-- the count in the index: an index-only scan, whatever order the heap is in.
CREATE INDEX report_months_read ON report_months (basis, dim, month, metric, unit_id, value)
    INCLUDE (n);
CREATE INDEX report_months_fresh ON report_months (basis, dim, month, metric, unit_id, value)
    WHERE NOT folded;

CREATE FUNCTION pakn_report_months_delta() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r report_counts;
    delta bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        r := OLD;
        delta := -OLD.n;
    ELSIF TG_OP = 'UPDATE' THEN
        r := NEW;
        delta := NEW.n - OLD.n;
        IF (OLD.basis, OLD.day, OLD.unit_id, OLD.field_code, OLD.content_category,
            OLD.channel, OLD.kind, OLD.metric)
           IS DISTINCT FROM (NEW.basis, NEW.day, NEW.unit_id, NEW.field_code,
                             NEW.content_category, NEW.channel, NEW.kind, NEW.metric) THEN
            -- A key changed by hand: take the old row out whole, put the new one in.
            INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n)
            SELECT OLD.basis, date_trunc('month', OLD.day)::date, OLD.unit_id, d.dim, d.value,
                   OLD.metric, -OLD.n
              FROM (VALUES ('field', OLD.field_code), ('category', OLD.content_category),
                           ('channel', OLD.channel), ('kind', OLD.kind)) AS d (dim, value);
            delta := NEW.n;
        END IF;
    ELSE
        r := NEW;
        delta := NEW.n;
    END IF;
    IF delta <> 0 THEN
        INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n)
        SELECT r.basis, date_trunc('month', r.day)::date, r.unit_id, d.dim, d.value,
               r.metric, delta
          FROM (VALUES ('field', r.field_code), ('category', r.content_category),
                       ('channel', r.channel), ('kind', r.kind)) AS d (dim, value);
    END IF;
    RETURN NULL;
END
$$;

-- What report_months must sum to, from report_counts (the reconciliation compares them).
CREATE FUNCTION pakn_report_months_truth()
RETURNS TABLE (basis text, month date, unit_id integer, dim text, value text, metric text,
               n bigint)
LANGUAGE sql STABLE AS $$
    SELECT c.basis, date_trunc('month', c.day)::date, c.unit_id, d.dim, d.value, c.metric,
           sum(c.n)::bigint
      FROM report_counts c
     CROSS JOIN LATERAL (VALUES ('field', c.field_code), ('category', c.content_category),
                                ('channel', c.channel), ('kind', c.kind)) AS d (dim, value)
     GROUP BY 1, 2, 3, 4, 5, 6
$$;

INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n, folded)
SELECT basis, month, unit_id, dim, value, metric, n, true
  FROM pakn_report_months_truth() WHERE n <> 0
 ORDER BY basis, dim, month;

CREATE TRIGGER report_months_delta
    AFTER INSERT OR UPDATE OR DELETE ON report_counts
    FOR EACH ROW EXECUTE FUNCTION pakn_report_months_delta();
