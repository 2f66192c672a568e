DROP TRIGGER tickets_withdraw_public_answer ON tickets;
DROP FUNCTION public_answers_withdraw();
