DROP FUNCTION pakn_report_truth(integer);
DROP FUNCTION pakn_working_day_numbers(date, date);
DROP TABLE report_counts;
