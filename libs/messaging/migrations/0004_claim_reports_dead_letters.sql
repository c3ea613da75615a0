-- claim (0002) dead-letters on its own the deliveries whose consumers kept dying (reason
-- lease-expired), and nobody saw it happen: the consumers count only the dead letters they send
-- themselves. From here on claim also returns those rows, with dead_lettered true and no data or
-- attributes, so the consumer that made the claim counts them and never hands them to a handler.
-- Everything else is as in 0002. The result type changes, so the function is dropped and created
-- again, and its grant with it.

DROP FUNCTION claim(text, uuid, integer, integer);

CREATE FUNCTION claim(text, uuid, integer, integer)
RETURNS TABLE (message_id bigint, key text, attempt integer, data bytea, attributes jsonb,
  dead_lettered boolean)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = messaging, pg_temp SET enable_seqscan = off SET enable_bitmapscan = off AS $$
#variable_conflict use_column
DECLARE
  p_subscription ALIAS FOR $1;
  p_consumer ALIAS FOR $2;
  p_limit ALIAS FOR $3;
  p_lease_ms ALIAS FOR $4;
  v_subscription integer := authorized_subscription(p_subscription);
  v_max_attempts integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('footfall.messaging.claim'), v_subscription);
  SELECT s.max_attempts INTO v_max_attempts FROM subscriptions s WHERE s.id = v_subscription;

  RETURN QUERY
  WITH blocked AS (
    SELECT DISTINCT b.key FROM deliveries b
    WHERE b.subscription_id = v_subscription AND b.attempts > 0 AND b.visible_at > now()
  ),
  claimable AS (
    SELECT d.message_id, d.leased_by IS NOT NULL AND d.attempts >= v_max_attempts AS abandoned
    FROM deliveries d
    WHERE d.subscription_id = v_subscription AND d.visible_at <= now()
      AND NOT EXISTS (SELECT FROM blocked WHERE blocked.key = d.key)
    ORDER BY d.message_id
    LIMIT p_limit
    FOR UPDATE OF d SKIP LOCKED
  ),
  buried AS (
    DELETE FROM deliveries d USING claimable c
    WHERE c.abandoned AND d.subscription_id = v_subscription AND d.message_id = c.message_id
    RETURNING d.message_id, d.key, d.attempts
  ),
  dead AS (
    INSERT INTO dead_letters (subscription_id, message_id, envelope_id, key, data, attributes,
      published_at, reason, detail, attempts)
    SELECT v_subscription, m.id, m.envelope_id, m.key, m.data, m.attributes, m.published_at,
      'lease-expired', 'its consumer stopped before finishing it on every attempt', b.attempts
    FROM buried b JOIN messages m ON m.id = b.message_id
  ),
  claimed AS (
    UPDATE deliveries d
    SET attempts = d.attempts + 1, leased_by = p_consumer,
      visible_at = now() + p_lease_ms * interval '1 millisecond'
    FROM claimable c
    WHERE NOT c.abandoned AND d.subscription_id = v_subscription AND d.message_id = c.message_id
    RETURNING d.message_id, d.attempts
  )
  SELECT c.message_id, m.key, c.attempts, m.data, m.attributes, false
  FROM claimed c JOIN messages m ON m.id = c.message_id
  UNION ALL
  SELECT b.message_id, b.key, b.attempts, NULL, NULL, true FROM buried b
  ORDER BY 1;
END $$;

REVOKE EXECUTE ON FUNCTION claim(text, uuid, integer, integer) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION claim(text, uuid, integer, integer)
TO footfall_ingestion_app, footfall_computation_app, footfall_customer_app, footfall_auth_app,
  footfall_dashboard_app;
