DROP INDEX outbox_ticket;
