-- Idempotency keys of earn and redeem: the first answer of each (admin, key), kept to replay.
--
-- A row is written in the same statement as the balance change it answers for, so there is
-- no moment when one exists without the other. Only applied changes are remembered: a request
-- that failed (validation, not found, insufficient points, database down) leaves the key free
-- for a retry. Keys belong to the admin, not to a token or a program, so they are keyed by
-- admin_id; program_id and transaction_id say what each key did.

CREATE TABLE idempotency_keys (
    admin_id bigint NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    -- SHA-256 of the request's meaning: the operation and its validated fields.
    request_hash bytea NOT NULL CHECK (octet_length(request_hash) = 32),
    program_id bigint NOT NULL,
    transaction_id bigint NOT NULL,
    -- What the answer was built from (the balance and transaction rows and the program's
    -- tiers at that moment), so that a replay answers the very same body.
    response jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (admin_id, key),
    FOREIGN KEY (program_id, transaction_id)
        REFERENCES transactions (program_id, id) ON DELETE CASCADE
);

CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
