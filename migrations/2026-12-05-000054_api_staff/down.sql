ALTER TABLE api_clients DROP COLUMN acts_as;
