-- Back to one rating per PAKN: the rating of its latest rated answer stays, the earlier
-- ones are deleted (the counters keep counting them).
DELETE FROM ratings r
 USING ratings newer
 WHERE newer.ticket_id = r.ticket_id
   AND newer.reply_id > r.reply_id;
DROP INDEX ratings_ticket;
ALTER TABLE ratings DROP CONSTRAINT ratings_pkey;
ALTER TABLE ratings DROP COLUMN reply_id;
ALTER TABLE ratings ADD PRIMARY KEY (ticket_id);
