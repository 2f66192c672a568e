-- A rating judges one answer (an approved reply), not the PAKN: a PAKN its sender
-- reopened ("Không hài lòng — chưa được giải quyết") and that was answered again can be
-- rated again, once per answer. ticket_id stays, for the lookups by ticket.
ALTER TABLE ratings ADD COLUMN reply_id bigint REFERENCES replies (id);

-- Existing ratings judged the answer the sender had read when rating: the ticket's latest
-- approved reply at or before the rating's time, or else its latest approved reply.
UPDATE ratings r
   SET reply_id = coalesce(
        (SELECT p.id FROM replies p
          WHERE p.ticket_id = r.ticket_id AND p.state = 'approved' AND p.decided_at <= r.at
          ORDER BY p.decided_at DESC, p.id DESC
          LIMIT 1),
        (SELECT p.id FROM replies p
          WHERE p.ticket_id = r.ticket_id AND p.state = 'approved'
          ORDER BY p.id DESC
          LIMIT 1));

-- The handling only accepts a rating once a reply was approved, so every rating has one;
-- a rating without any (written outside the application) stops the migration rather
-- than being dropped.
DO $$
DECLARE
    orphans bigint;
BEGIN
    SELECT count(*) INTO orphans FROM ratings WHERE reply_id IS NULL;
    IF orphans > 0 THEN
        RAISE EXCEPTION 'ratings_per_answer: % rating(s) belong to a PAKN without an approved reply; attach them to a reply (ratings.reply_id) or delete them, then migrate again', orphans;
    END IF;
END
$$;

ALTER TABLE ratings ALTER COLUMN reply_id SET NOT NULL;
ALTER TABLE ratings DROP CONSTRAINT ratings_pkey;
ALTER TABLE ratings ADD PRIMARY KEY (reply_id);
CREATE INDEX ratings_ticket ON ratings (ticket_id);
