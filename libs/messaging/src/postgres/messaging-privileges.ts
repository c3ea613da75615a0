import { type ExpectedPrivileges, messagingDatabase } from '@footfall/db';

/**
 * The broker functions a runtime role may execute, as the catalog names them. This is all a
 * runtime role holds in the messaging database: no table, sequence or other function.
 */
export const brokerFunctions = [
  'messaging.publish(text, text[], text[], bytea[], jsonb[])',
  'messaging.open_subscription(text, text)',
  'messaging.claim(text, uuid, integer, integer)',
  'messaging.ack(text, uuid, bigint[])',
  'messaging.retry(text, uuid, bigint, integer, text)',
  'messaging.release(text, uuid, bigint[])',
  'messaging.extend_leases(text, uuid, bigint[], integer)',
  'messaging.dead_letter(text, uuid, bigint, text, text)',
  'messaging.lag_seconds(text)',
  'messaging.cleanup(integer)',
] as const;

/**
 * What each runtime role holds in the messaging database, in the grant matrix's terms (see
 * docs/database.md): EXECUTE on the broker functions, the same for every service. Which topics
 * a role may use is not a privilege but a row of the broker's ACL, set by provisioning.
 */
export const messagingPrivileges: ExpectedPrivileges = Object.fromEntries(
  messagingDatabase.clientRoles.map((role) => [
    role,
    { functions: Object.fromEntries(brokerFunctions.map((name) => [name, ['EXECUTE']])) },
  ]),
);
