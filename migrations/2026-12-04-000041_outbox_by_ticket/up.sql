-- Issue 15, part 6: the ticket page lists every mail of its PAKN and the track page
-- reads the acknowledgement's state on every view; without this each was a scan of the
-- whole outbox.
CREATE INDEX outbox_ticket ON outbox (ticket_id, created_at) WHERE ticket_id IS NOT NULL;
