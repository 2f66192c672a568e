DROP TABLE job_leases, visitors_online, visit_days, privacy_requests, audit_log,
    personal_data_views, rate_limits, outbox, ticket_counters, ratings, public_answers,
    attachments, replies, upload_stash, ticket_events, tickets, sessions, users,
    reason_templates, calendar_days, routing_rule_contacts, routing_rules, content_categories,
    fields, contacts, units, reference_state, settings CASCADE;
