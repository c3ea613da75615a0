import type { OutgoingMessage } from '../message.ts';
import { MessagingError } from '../messaging-error.ts';
import type { Transport } from '../transport.ts';
import { isPermanentFailure } from './permanent-failure.ts';

export interface OutboxRow {
  readonly id: string;
  readonly topic: string;
  readonly message: OutgoingMessage;
}

/** What one round did with its rows; rows after a `failure` were not tried. */
export interface PublishOutcome {
  readonly sent: readonly string[];
  readonly parked: readonly { readonly row: OutboxRow; readonly error: unknown }[];
  /** A failure that may pass on a later round; the round stopped at it. */
  readonly failure?: unknown;
}

type Attempt = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

interface Progress {
  readonly sent: string[];
  readonly parked: { readonly row: OutboxRow; readonly error: unknown }[];
}

/**
 * Publishes rows in outbox order, consecutive rows of one topic in one call. When a call is
 * refused for good, its rows are tried one by one, so only those that cannot be published are
 * parked and the others go out. A failure that may pass stops the round where it happened, so
 * nothing overtakes the rows it left behind.
 */
export async function publishRows(
  rows: readonly OutboxRow[],
  transport: Transport,
  timeoutMs: number,
): Promise<PublishOutcome> {
  const progress: Progress = { sent: [], parked: [] };

  for (const group of groupsByTopic(rows)) {
    const whole = await attempt(group, transport, timeoutMs);
    if (whole.ok) {
      progress.sent.push(...group.map((row) => row.id));
      continue;
    }

    const stop = isPermanentFailure(whole.error)
      ? await publishOneByOne(group, transport, timeoutMs, progress)
      : whole;
    if (!stop.ok) return { ...progress, failure: stop.error };
  }

  return progress;
}

async function publishOneByOne(
  group: readonly OutboxRow[],
  transport: Transport,
  timeoutMs: number,
  progress: Progress,
): Promise<Attempt> {
  for (const row of group) {
    const single = await attempt([row], transport, timeoutMs);

    if (single.ok) progress.sent.push(row.id);
    else if (isPermanentFailure(single.error)) progress.parked.push({ row, error: single.error });
    else return single;
  }

  return { ok: true };
}

async function attempt(
  rows: readonly OutboxRow[],
  transport: Transport,
  timeoutMs: number,
): Promise<Attempt> {
  const topic = rows[0]?.topic ?? '';
  const messages = rows.map((row) => row.message);

  try {
    await withTimeout(transport.publish(topic, messages), timeoutMs, topic);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

// The publish itself cannot be cancelled; the round stops waiting so its transaction and lock
// end, and a late success only means those rows go out again next round, with the same ids.
async function withTimeout<T>(work: Promise<T>, timeoutMs: number, topic: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new MessagingError('MESSAGING_PUBLISH_TIMEOUT', { topic, timeoutMs }));
    }, timeoutMs);
  });

  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

function groupsByTopic(rows: readonly OutboxRow[]): OutboxRow[][] {
  const groups: OutboxRow[][] = [];

  for (const row of rows) {
    const last = groups.at(-1);
    if (last !== undefined && last[0]?.topic === row.topic) last.push(row);
    else groups.push([row]);
  }

  return groups;
}
