-- A new user's invitation is mailed after the user's row is committed, so that no transaction
-- waits on an SMTP server. When that mail fails, the user is removed again: a failed delivery
-- creates nobody. The runtime role holds no DELETE on auth.users; this function is all it gets,
-- and it removes only a user who never had a password (their one-time tokens go with them).

CREATE FUNCTION auth.forget_unmailed_user(p_user_id uuid) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = auth, pg_temp AS $$
  WITH forgotten AS (
    DELETE FROM auth.users WHERE id = p_user_id AND password_hash IS NULL RETURNING id
  )
  SELECT count(*) = 1 FROM forgotten
$$;

REVOKE EXECUTE ON FUNCTION auth.forget_unmailed_user(uuid) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION auth.forget_unmailed_user(uuid) TO footfall_auth_app;
