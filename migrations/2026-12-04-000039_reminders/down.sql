DROP INDEX replies_pending;
DROP INDEX tickets_publication_clock;
DROP INDEX tickets_reminder_clock;
DROP TABLE reminders_sent;
