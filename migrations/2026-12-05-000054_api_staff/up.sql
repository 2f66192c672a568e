-- Staff-scoped API clients (issue 20): a client with the scope `staff` acts as one staff
-- account, whose roles and unit decide what it reads and which moves it may make, through
-- the same access policy and move table as the web; its reads of personal data are
-- logged under that account.
ALTER TABLE api_clients ADD COLUMN acts_as integer REFERENCES users (id);
