-- People who sign in, what slows down guessing their passwords, the one-time links that let them
-- set one, and the audit trail of everything security-relevant that happens to them.

-- A customer user belongs to exactly one customer; a platform admin to none. Emails are kept
-- lower-cased by the service, so the unique index is the one place duplicates are refused.
CREATE TABLE auth.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  role text NOT NULL CHECK (role IN ('customer-user', 'platform-admin')),
  customer_id uuid,
  -- An argon2id PHC string; NULL until an invitation is accepted.
  password_hash text CHECK (password_hash LIKE '$argon2id$%'),
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT users_customer_matches_role CHECK (
    (role = 'customer-user' AND customer_id IS NOT NULL)
    OR (role = 'platform-admin' AND customer_id IS NULL)
  )
);

CREATE INDEX users_customer_id ON auth.users (customer_id) WHERE customer_id IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON auth.users TO footfall_auth_app;

-- Failed sign-ins per account and per client address. A subject is locked until locked_until;
-- each lockout in a row lasts longer (lockouts counts them) until a success resets the row.
CREATE TABLE auth.sign_in_throttle (
  subject text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  lockouts integer NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
  locked_until timestamptz,
  last_failure_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX sign_in_throttle_last_failure_at ON auth.sign_in_throttle (last_failure_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON auth.sign_in_throttle TO footfall_auth_app;

-- Invitations and password resets. Only a SHA-256 of the token is stored, so a leaked table
-- cannot be turned into working links; used_at makes each token good for one use.
CREATE TABLE auth.one_time_tokens (
  token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX one_time_tokens_user_id ON auth.one_time_tokens (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON auth.one_time_tokens TO footfall_auth_app;

-- Append-only: the runtime role may add rows and read them, never change or remove one.
CREATE TABLE auth.audit_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  event text NOT NULL,
  user_id uuid,
  client_id text,
  -- A keyed hash of the client address, never the address itself.
  address_hash text,
  detail jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_events_occurred_at ON auth.audit_events (occurred_at);
CREATE INDEX audit_events_user_id ON auth.audit_events (user_id) WHERE user_id IS NOT NULL;

GRANT SELECT, INSERT ON auth.audit_events TO footfall_auth_app;

-- Disabling a user or resetting a password revokes everything the provider holds for them.
CREATE INDEX oidc_models_account_id ON auth.oidc_models ((payload->>'accountId'))
  WHERE payload ? 'accountId';
