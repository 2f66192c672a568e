-- A published answer leaves the public list the moment its ticket is marked
-- confidential (a tố cáo), refused or out of scope, whichever code path makes that
-- change: the public pages then read public_answers alone, with no join to tickets on
-- every view (the join doubled the cost of a list page). The unpublication is a public
-- timeline event by the system, as a staff one would be.
CREATE FUNCTION public_answers_withdraw() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        UPDATE public_answers
           SET unpublished_at = now(), updated_at = now()
         WHERE ticket_id = NEW.id AND published_at IS NOT NULL AND unpublished_at IS NULL
        RETURNING public_id
    )
    INSERT INTO ticket_events (ticket_id, actor_kind, event, public, data)
    SELECT NEW.id, 'system', 'unpublish', true,
           jsonb_build_object('public_id', gone.public_id,
                              'reason', CASE WHEN NEW.confidential THEN 'confidential' ELSE NEW.status END)
      FROM gone;
    RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_withdraw_public_answer
    AFTER UPDATE OF confidential, status ON tickets
    FOR EACH ROW
    WHEN ((NEW.confidential AND NOT OLD.confidential)
          OR (NEW.status IN ('rejected', 'out_of_scope') AND NEW.status IS DISTINCT FROM OLD.status))
    EXECUTE FUNCTION public_answers_withdraw();
