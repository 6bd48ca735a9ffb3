-- Failed logins, counted per username and client address, to slow down password guessing.
--
-- Keyed by the case-folded username whether or not such an admin exists, so the answers
-- tell nothing about which usernames are real. A row is cleared by a successful login from
-- its address; rows whose last failure is older than a day are pruned by the next failure
-- of the same username.

CREATE TABLE login_failures (
    username_folded text NOT NULL,
    source text NOT NULL,
    failures integer NOT NULL CHECK (failures > 0),
    last_failure timestamptz NOT NULL,
    locked_until timestamptz,
    PRIMARY KEY (username_folded, source)
);

CREATE INDEX login_failures_last_failure_idx ON login_failures (last_failure);
