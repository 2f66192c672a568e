DROP TRIGGER webhook_rated ON ratings;
DROP TRIGGER webhook_published ON public_answers;
DROP TRIGGER webhook_ticket_events ON ticket_events;
DROP FUNCTION webhook_rated();
DROP FUNCTION webhook_published();
DROP FUNCTION webhook_ticket_events();
DROP FUNCTION webhook_queue(text, bigint, timestamptz, jsonb);
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
