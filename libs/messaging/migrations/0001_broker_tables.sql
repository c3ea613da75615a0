-- The broker's tables. Runtime roles get no rights on any of them: they reach them only through
-- the SECURITY DEFINER functions of 0002, which check the ACL below against session_user.

CREATE TABLE topics (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Subscription names are global, as on Pub/Sub: a consumer names one and gets its topic's share.
CREATE TABLE subscriptions (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic_id integer NOT NULL REFERENCES topics ON DELETE CASCADE,
  name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'),
  -- A backstop for messages whose consumer keeps dying mid-handler (its lease expires instead of
  -- the handler failing): after this many deliveries the broker dead-letters them itself.
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX subscriptions_topic ON subscriptions (topic_id);

-- The ACL: role names as the server knows them (session_user), one row per right.
CREATE TABLE publishers (
  topic_id integer NOT NULL REFERENCES topics ON DELETE CASCADE,
  role name NOT NULL,
  PRIMARY KEY (topic_id, role)
);

CREATE TABLE consumers (
  subscription_id integer NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
  role name NOT NULL,
  PRIMARY KEY (subscription_id, role)
);

-- One row per published message, shared by every subscription of its topic. `data` is the
-- encoded envelope exactly as the producer sent it (UTF-8 JSON; read it with convert_from).
CREATE TABLE messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic_id integer NOT NULL,
  envelope_id text NOT NULL,
  key text NOT NULL,
  data bytea NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}',
  published_at timestamptz NOT NULL DEFAULT now()
);

-- One row per message still owed to a subscription; acknowledging deletes it. No foreign key to
-- messages: its check on every delete would need another index on this, the hottest table, and
-- the functions keep the two in step (cleanup deletes a message only once no row points at it).
-- visible_at is when the row may be handed out: now for a fresh message, the end of the lease
-- while a consumer holds it, the end of the backoff after a failure.
CREATE TABLE deliveries (
  subscription_id integer NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
  message_id bigint NOT NULL,
  key text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  visible_at timestamptz NOT NULL DEFAULT now(),
  leased_by uuid,
  last_error text,
  PRIMARY KEY (subscription_id, message_id)
);

-- Finds the rows that are leased or backing off, which block their key (see claim). Partial:
-- only rows claimed at least once, so publishing does not write to it, and the planner cannot
-- mistake it for a way to find claimable rows; those come from the primary key, oldest first.
CREATE INDEX deliveries_held ON deliveries (subscription_id, visible_at) WHERE attempts > 0;

-- Every message is inserted, updated and deleted here within seconds: vacuum and analyze it far
-- more often than the defaults (20% and 10% of the table changed) would.
ALTER TABLE deliveries SET (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_analyze_threshold = 1000
);

-- What could not be processed, kept whole so an operator can read it and, if it is fixable,
-- publish it again.
CREATE TABLE dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id integer NOT NULL REFERENCES subscriptions ON DELETE CASCADE,
  message_id bigint NOT NULL,
  envelope_id text NOT NULL,
  key text NOT NULL,
  data bytea NOT NULL,
  attributes jsonb NOT NULL,
  published_at timestamptz NOT NULL,
  reason text NOT NULL,
  detail text NOT NULL,
  attempts integer NOT NULL,
  dead_lettered_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX dead_letters_subscription ON dead_letters (subscription_id, dead_lettered_at);
