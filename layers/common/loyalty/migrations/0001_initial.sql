-- The first schema: admins and their tokens, programs, balances and the ledger.
--
-- Tables that grow with traffic (balances, transactions) carry program_id first in their
-- primary key and in every index, so that they can later be distributed by program (Citus,
-- Aurora Limitless) with program_id as the distribution column.

CREATE TABLE admins (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 150),
    -- Usernames are unique regardless of case; the application stores the case-folded form
    -- so that uniqueness does not depend on the database's locale.
    username_folded text NOT NULL UNIQUE,
    email text CHECK (char_length(email) <= 254),
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth_tokens (
    -- SHA-256 of the token: the token itself is never stored.
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    admin_id bigint NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);

CREATE INDEX auth_tokens_expires_at_idx ON auth_tokens (expires_at);

CREATE TABLE programs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    tier_basis text NOT NULL DEFAULT 'balance' CHECK (tier_basis IN ('balance', 'lifetime')),
    tiers jsonb NOT NULL DEFAULT '[]'
        CHECK (jsonb_typeof(tiers) = 'array' AND jsonb_array_length(tiers) <= 20),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX programs_owner_id_idx ON programs (owner_id, id DESC);

CREATE TABLE balances (
    program_id bigint NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    -- "C" collation: members are listed in byte order whatever the database's locale, which
    -- keeps keyset pagination stable.
    user_id text COLLATE "C" NOT NULL CHECK (char_length(user_id) BETWEEN 1 AND 255),
    balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
    -- Lifetime points are every point ever earned, so they can never be below the balance.
    lifetime_points bigint NOT NULL DEFAULT 0 CHECK (lifetime_points >= balance),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, user_id)
);

CREATE TABLE transactions (
    program_id bigint NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    user_id text COLLATE "C" NOT NULL,
    type text NOT NULL CHECK (type IN ('earn', 'redeem')),
    points bigint NOT NULL CHECK (points BETWEEN 1 AND 1000000000),
    balance_after bigint NOT NULL CHECK (balance_after >= 0),
    reason text CHECK (char_length(reason) <= 255),
    idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (program_id, id),
    FOREIGN KEY (program_id, user_id)
        REFERENCES balances (program_id, user_id) ON DELETE CASCADE
);

CREATE INDEX transactions_member_idx ON transactions (program_id, user_id, id DESC);

-- The ledger's invariants, held by the database itself rather than by the application:
--
-- 1. Each transaction continues its member's chain: its balance_after is the previous
--    transaction's balance_after (0 before the first) plus or minus its points.
-- 2. At commit, a member's balance equals the balance_after of their latest transaction.
--
-- Together they make every balance equal to earned minus redeemed points. Both checks are
-- index lookups on transactions_member_idx; callers hold the balance row's lock while they
-- insert, so "latest" cannot move under them.

CREATE FUNCTION transactions_continue_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    previous bigint;
    expected bigint;
BEGIN
    SELECT t.balance_after INTO previous
    FROM transactions t
    WHERE t.program_id = NEW.program_id AND t.user_id = NEW.user_id
    ORDER BY t.id DESC
    LIMIT 1;
    expected := coalesce(previous, 0)
        + (CASE NEW.type WHEN 'earn' THEN NEW.points ELSE -NEW.points END);
    IF NEW.balance_after <> expected THEN
        RAISE EXCEPTION 'transaction breaks the ledger chain of its member'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'transactions_chain_check';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER transactions_chain_check
    BEFORE INSERT ON transactions
    FOR EACH ROW EXECUTE FUNCTION transactions_continue_chain();

CREATE FUNCTION balances_match_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    current_balance bigint;
    ledger_balance bigint;
BEGIN
    SELECT b.balance INTO current_balance
    FROM balances b
    WHERE b.program_id = NEW.program_id AND b.user_id = NEW.user_id;
    IF NOT FOUND THEN
        -- Removed later in the same transaction (its program was deleted).
        RETURN NULL;
    END IF;
    SELECT t.balance_after INTO ledger_balance
    FROM transactions t
    WHERE t.program_id = NEW.program_id AND t.user_id = NEW.user_id
    ORDER BY t.id DESC
    LIMIT 1;
    IF current_balance <> coalesce(ledger_balance, 0) THEN
        RAISE EXCEPTION 'balance does not match the ledger of its member'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'balances_ledger_check';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER balances_ledger_check
    AFTER INSERT OR UPDATE ON balances
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION balances_match_ledger();

-- Transactions are immutable: they are only ever inserted, and removed with their program.
CREATE FUNCTION transactions_forbid_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transactions are immutable'
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'transactions_immutable';
END
$$;

CREATE TRIGGER transactions_immutable
    BEFORE UPDATE ON transactions
    FOR EACH ROW EXECUTE FUNCTION transactions_forbid_update();
