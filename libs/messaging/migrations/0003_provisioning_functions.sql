-- Provisioning, for the owner only (no EXECUTE is granted to anyone): what an operator runs,
-- and what provisionPostgresTopology() calls. Every function converges, so running the same
-- topology again changes nothing.

CREATE FUNCTION ensure_topic(p_topic text) RETURNS integer
LANGUAGE plpgsql SET search_path = messaging, pg_temp AS $$
DECLARE
  v_topic integer;
BEGIN
  INSERT INTO topics (name) VALUES (p_topic) ON CONFLICT (name) DO NOTHING;
  SELECT t.id INTO v_topic FROM topics t WHERE t.name = p_topic;

  RETURN v_topic;
END $$;

-- A subscription receives what is published after it exists, never anything earlier.
CREATE FUNCTION ensure_subscription(p_topic text, p_subscription text, p_max_attempts integer)
RETURNS integer
LANGUAGE plpgsql SET search_path = messaging, pg_temp AS $$
DECLARE
  v_topic integer := ensure_topic(p_topic);
  v_subscription integer;
BEGIN
  INSERT INTO subscriptions (topic_id, name, max_attempts)
  VALUES (v_topic, p_subscription, p_max_attempts)
  ON CONFLICT (name) DO UPDATE SET max_attempts = excluded.max_attempts
  WHERE subscriptions.topic_id = excluded.topic_id
  RETURNING id INTO v_subscription;

  IF v_subscription IS NULL THEN
    RAISE EXCEPTION 'subscription % already exists on another topic', p_subscription
      USING ERRCODE = '42710';
  END IF;

  RETURN v_subscription;
END $$;

CREATE FUNCTION assert_roles_exist(p_roles name[]) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = messaging, pg_temp AS $$
DECLARE
  v_missing text;
BEGIN
  SELECT string_agg(r, ', ') INTO v_missing
  FROM unnest(p_roles) AS r
  WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r);

  IF v_missing IS NOT NULL THEN
    RAISE EXCEPTION 'no such role: %', v_missing USING ERRCODE = '42704';
  END IF;
END $$;

-- Makes exactly these roles the topic's publishers: any other loses the right.
CREATE FUNCTION set_publishers(p_topic text, p_roles name[]) RETURNS void
LANGUAGE plpgsql SET search_path = messaging, pg_temp AS $$
DECLARE
  v_topic integer := ensure_topic(p_topic);
BEGIN
  PERFORM assert_roles_exist(p_roles);
  DELETE FROM publishers p WHERE p.topic_id = v_topic AND p.role <> ALL (p_roles);
  INSERT INTO publishers (topic_id, role)
  SELECT v_topic, r FROM unnest(p_roles) AS r
  ON CONFLICT DO NOTHING;
END $$;

-- Makes exactly these roles the subscription's consumers: any other loses the right.
CREATE FUNCTION set_consumers(p_subscription text, p_roles name[]) RETURNS void
LANGUAGE plpgsql SET search_path = messaging, pg_temp AS $$
DECLARE
  v_subscription integer;
BEGIN
  SELECT s.id INTO STRICT v_subscription FROM subscriptions s WHERE s.name = p_subscription;
  PERFORM assert_roles_exist(p_roles);
  DELETE FROM consumers c WHERE c.subscription_id = v_subscription AND c.role <> ALL (p_roles);
  INSERT INTO consumers (subscription_id, role)
  SELECT v_subscription, r FROM unnest(p_roles) AS r
  ON CONFLICT DO NOTHING;
END $$;

-- Owner only, like every function here that 0002 does not grant.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA messaging FROM PUBLIC;
