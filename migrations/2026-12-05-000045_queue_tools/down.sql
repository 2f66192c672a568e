DROP INDEX tickets_open_assignee_work_due;
DROP INDEX tickets_open_unit_work_due;
DROP INDEX tickets_open_work_due;
DROP TABLE saved_views;
