-- The periodic jobs of the workflow (src/handling/jobs.rs) look for requests for
-- information past their expiry and answers past their rating window; both are small
-- slices of the tickets, so partial indexes keep the minutely scans cheap at any size.
CREATE INDEX tickets_needs_info_due ON tickets (needs_info_due) WHERE status = 'needs_info';
CREATE INDEX tickets_answered_at ON tickets (answered_at) WHERE status = 'answered';
-- Tickets closed as duplicates point at the original; the original's page lists them.
CREATE INDEX tickets_duplicate_of ON tickets (duplicate_of) WHERE duplicate_of IS NOT NULL;
