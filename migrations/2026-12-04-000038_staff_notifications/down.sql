DROP FUNCTION pakn_staff_recipients(integer, integer[], integer);
ALTER TABLE contacts DROP COLUMN user_id;
