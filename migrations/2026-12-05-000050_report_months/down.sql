DROP TRIGGER report_months_delta ON report_counts;
DROP FUNCTION pakn_report_months_truth();
DROP FUNCTION pakn_report_months_delta();
DROP TABLE report_months;
