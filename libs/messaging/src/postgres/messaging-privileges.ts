import { type ExpectedPrivileges, messagingDatabase } from '@footfall/db';

/**
 * The broker functions a runtime role may execute, as the catalog names them. This is all a
 * runtime role holds in the messaging database: no table, sequence or other function.
 */
export const brokerFunctions = [
  'messaging.publish(p_topic text, p_envelope_ids text[], p_keys text[], p_data bytea[], ' +
    'p_attributes jsonb[])',
  'messaging.open_subscription(p_topic text, p_subscription text)',
  'messaging.claim(p_subscription text, p_consumer uuid, p_limit integer, p_lease_ms integer)',
  'messaging.ack(p_subscription text, p_consumer uuid, p_message_ids bigint[])',
  'messaging.retry(p_subscription text, p_consumer uuid, p_message_id bigint, ' +
    'p_delay_ms integer, p_error text)',
  'messaging.release(p_subscription text, p_consumer uuid, p_message_ids bigint[])',
  'messaging.extend_leases(p_subscription text, p_consumer uuid, p_message_ids bigint[], ' +
    'p_lease_ms integer)',
  'messaging.dead_letter(p_subscription text, p_consumer uuid, p_message_id bigint, ' +
    'p_reason text, p_detail text)',
  'messaging.lag_seconds(p_subscription text)',
  'messaging.cleanup(p_limit integer)',
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
