-- Redeem's debit as a function, so that its check and its update read the same locked row.
--
-- In plain SQL a redeem would lock the member's row in one common table expression and
-- update it in another, but both belong to one statement with one snapshot, and under
-- concurrent earns PostgreSQL can then compute the new balance from an older row version than
-- the one it checked (seen in tests as a balance below zero, stopped by balances_balance_check).
-- Inside a VOLATILE function each statement takes a fresh snapshot: the SELECT ... FOR UPDATE
-- waits for concurrent writers and reads the latest balance, and the UPDATE that follows, under
-- that lock, sees the same row.
--
-- Answers the locked balance (NULL when the member is not enrolled) and the row after the
-- debit (NULL when the balance does not cover the points, in which case nothing changed).

CREATE FUNCTION debit_balance(
    p_program_id bigint,
    p_user_id text,
    p_points bigint,
    OUT locked_balance bigint,
    OUT debited balances
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT b.balance INTO locked_balance
    FROM balances b
    WHERE b.program_id = p_program_id AND b.user_id = p_user_id
    FOR UPDATE;
    IF FOUND AND locked_balance >= p_points THEN
        UPDATE balances b
        SET balance = b.balance - p_points, updated_at = now()
        WHERE b.program_id = p_program_id AND b.user_id = p_user_id
        RETURNING b.* INTO debited;
    END IF;
END
$$;
