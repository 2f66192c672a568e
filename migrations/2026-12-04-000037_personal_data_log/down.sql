DROP INDEX personal_data_views_user;
