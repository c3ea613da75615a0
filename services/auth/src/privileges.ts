import type { ExpectedPrivileges } from '@footfall/db';

/**
 * What the runtime role may do to each table, sequence and function of this service's database.
 * Every migration GRANT is declared here, and only those: test/grants.test.ts compares this with
 * the catalog and fails on any difference, in either direction.
 */
export const expectedPrivileges: ExpectedPrivileges = {
  footfall_auth_app: {
    tables: {
      // oidc-provider's adapter: upsert, find, consume, destroy, revoke by grant, expiry clean-up.
      'auth.oidc_models': ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      // Generated on first start and rotated by the runtime role; keys past retirement deleted.
      'auth.signing_keys': ['SELECT', 'INSERT', 'DELETE'],
      // Created by the user API; passwords set, rehashed and accounts disabled; deleted only through
      // forget_unmailed_user, below.
      'auth.users': ['SELECT', 'INSERT', 'UPDATE'],
      // Failure counts and lockouts, cleared on success and deleted once stale.
      'auth.sign_in_throttle': ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      // Invitation and reset tokens: issued, used up, old ones deleted.
      'auth.one_time_tokens': ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      // Append-only: no UPDATE or DELETE, so the service cannot rewrite its own history.
      'auth.audit_events': ['SELECT', 'INSERT'],
    },
    functions: {
      // Removes a new user whose invitation could not be mailed; only one without a password.
      'auth.forget_unmailed_user(p_user_id uuid)': ['EXECUTE'],
    },
  },
};
