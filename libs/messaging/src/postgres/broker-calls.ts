import type pg from 'pg';
import type { EncodedMessage } from '../envelope-codec.ts';
import { MessagingError } from '../messaging-error.ts';

/**
 * One typed call per broker function (libs/messaging/migrations/0002_broker_functions.sql, and
 * claim as 0004 redefines it). The runtime role may call nothing else in the messaging database,
 * so this file is the whole surface the transport uses.
 */

/** A delivery as the broker hands it out: leased to one consumer until it is settled. */
export interface ClaimedDelivery {
  /** The broker's message number: what ack, retry and dead-letter name. */
  readonly messageId: string;
  readonly key: string;
  /** 1 on first delivery. */
  readonly attempt: number;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What one claim returned: deliveries to handle, and any the broker itself dead-lettered. */
export interface Claim {
  readonly deliveries: readonly ClaimedDelivery[];
  /**
   * Deliveries whose consumers kept dying until they used the subscription's max_attempts: the
   * claim moved them to the dead letters (reason lease-expired) instead of handing them out.
   */
  readonly deadLettered: readonly { readonly messageId: string; readonly attempt: number }[];
}

/** Who is asking: one consumer of one subscription, known to the broker by a random token. */
export interface ConsumerIdentity {
  readonly subscription: string;
  readonly token: string;
}

type Queryable = Pick<pg.Pool, 'query'>;

const insufficientPrivilege = '42501';

export async function publishMessages(
  pool: Queryable,
  topic: string,
  messages: readonly EncodedMessage[],
): Promise<void> {
  const statement = 'SELECT messaging.publish($1, $2, $3, $4, $5)';
  const values = [
    topic,
    messages.map((message) => message.id),
    messages.map((message) => message.key),
    messages.map((message) => message.data),
    messages.map((message) => JSON.stringify(message.attributes)),
  ];

  await call(pool, statement, values, { action: 'publish to', target: `topic ${topic}` });
}

/** Checks that this role may consume the subscription and that it belongs to the topic. */
export async function openSubscription(
  pool: Queryable,
  topic: string,
  subscription: string,
): Promise<void> {
  await call(pool, 'SELECT messaging.open_subscription($1, $2)', [topic, subscription], {
    action: 'consume',
    target: `subscription ${subscription} of topic ${topic}`,
  });
}

export async function claimDeliveries(
  pool: Queryable,
  consumer: ConsumerIdentity,
  limit: number,
  leaseMs: number,
): Promise<Claim> {
  const result = await call<ClaimRow>(
    pool,
    'SELECT message_id, key, attempt, data, attributes, dead_lettered ' +
      'FROM messaging.claim($1, $2, $3, $4)',
    [consumer.subscription, consumer.token, limit, leaseMs],
    consumeDenied(consumer),
  );
  const deliveries: ClaimedDelivery[] = [];
  const deadLettered: Claim['deadLettered'][number][] = [];

  for (const row of result.rows) {
    const { message_id: messageId, key, attempt, data, attributes } = row;
    if (row.dead_lettered || data === null) deadLettered.push({ messageId, attempt });
    else deliveries.push({ messageId, key, attempt, data, attributes: attributes ?? {} });
  }

  return { deliveries, deadLettered };
}

/** Resolves with how many the broker acknowledged: none for a lease another consumer took. */
export async function acknowledge(
  pool: Queryable,
  consumer: ConsumerIdentity,
  messageIds: readonly string[],
): Promise<number> {
  const result = await settle(pool, 'messaging.ack($1, $2, $3) AS acked', consumer, [messageIds]);
  return Number(result.rows[0]?.acked ?? 0);
}

/** Hands back deliveries this consumer leased but never started; the attempt does not count. */
export async function release(
  pool: Queryable,
  consumer: ConsumerIdentity,
  messageIds: readonly string[],
): Promise<void> {
  await settle(pool, 'messaging.release($1, $2, $3)', consumer, [messageIds]);
}

export async function retryLater(
  pool: Queryable,
  consumer: ConsumerIdentity,
  messageId: string,
  delayMs: number,
  error: string,
): Promise<void> {
  const values = [messageId, Math.round(delayMs), error];
  await settle(pool, 'messaging.retry($1, $2, $3, $4, $5)', consumer, values);
}

export async function deadLetter(
  pool: Queryable,
  consumer: ConsumerIdentity,
  messageId: string,
  reason: string,
  detail: string,
): Promise<void> {
  const values = [messageId, reason, detail];
  await settle(pool, 'messaging.dead_letter($1, $2, $3, $4, $5)', consumer, values);
}

export async function extendLeases(
  pool: Queryable,
  consumer: ConsumerIdentity,
  messageIds: readonly string[],
  leaseMs: number,
): Promise<void> {
  const values = [messageIds, leaseMs];
  await settle(pool, 'messaging.extend_leases($1, $2, $3, $4)', consumer, values);
}

/** Age in seconds of the subscription's oldest unacknowledged message; 0 when there is none. */
export async function readLagSeconds(pool: Queryable, subscription: string): Promise<number> {
  const result = await call<{ lag: number }>(
    pool,
    'SELECT messaging.lag_seconds($1) AS lag',
    [subscription],
    consumeDenied({ subscription }),
  );

  return result.rows[0]?.lag ?? 0;
}

/** Deletes up to `limit` messages no subscription still needs; returns how many. */
export async function cleanUpMessages(pool: Queryable, limit: number): Promise<number> {
  const result = await pool.query<{ deleted: number }>('SELECT messaging.cleanup($1) AS deleted', [
    limit,
  ]);

  return result.rows[0]?.deleted ?? 0;
}

interface ClaimRow {
  message_id: string;
  key: string;
  attempt: number;
  /** Null on a row the claim dead-lettered. */
  data: Buffer | null;
  attributes: Record<string, string> | null;
  dead_lettered: boolean;
}

interface Refusal {
  readonly action: string;
  readonly target: string;
}

function consumeDenied(consumer: Pick<ConsumerIdentity, 'subscription'>): Refusal {
  return { action: 'consume', target: `subscription ${consumer.subscription}` };
}

function settle(
  pool: Queryable,
  invocation: string,
  consumer: ConsumerIdentity,
  values: unknown[],
): Promise<pg.QueryResult> {
  const statement = `SELECT ${invocation}`;

  const allValues = [consumer.subscription, consumer.token, ...values];

  return call(pool, statement, allValues, consumeDenied(consumer));
}

// The broker refuses with SQLSTATE 42501 when the ACL says no, or the topic or subscription
// does not exist (the two look the same on purpose); that becomes the library's coded error.
async function call<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  pool: Queryable,
  statement: string,
  values: unknown[],
  refusal: Refusal,
): Promise<pg.QueryResult<Row>> {
  try {
    return await pool.query<Row>(statement, values);
  } catch (error) {
    if ((error as { code?: unknown }).code === insufficientPrivilege) {
      throw new MessagingError('MESSAGING_NOT_PERMITTED', { ...refusal }, { cause: error });
    }

    throw error;
  }
}
