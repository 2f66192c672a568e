ALTER TABLE personal_data_views
    ADD CONSTRAINT personal_data_views_ticket_id_fkey FOREIGN KEY (ticket_id) REFERENCES tickets(id);
