-- The personal-data log page filters by staff member, newest first.
CREATE INDEX personal_data_views_user ON personal_data_views (user_id, id);
