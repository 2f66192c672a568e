DROP INDEX tickets_duplicate_of;
DROP INDEX tickets_answered_at;
DROP INDEX tickets_needs_info_due;
