DROP TABLE intake_items;
