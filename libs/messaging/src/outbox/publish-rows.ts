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

interface Round {
  readonly transport: Transport;
  readonly timeoutMs: number;
  readonly sent: string[];
  readonly parked: { readonly row: OutboxRow; readonly error: unknown }[];
}

/**
 * Publishes rows in outbox order, consecutive rows of one topic in one call. A refusal for good
 * of the whole topic parks its rows at once; one of a single row parks that row, and the runs of
 * rows before and after it go out in one call each. A failure that may pass stops the round where
 * it happened, so nothing overtakes the rows it left behind.
 */
export async function publishRows(
  rows: readonly OutboxRow[],
  transport: Transport,
  timeoutMs: number,
): Promise<PublishOutcome> {
  const round: Round = { transport, timeoutMs, sent: [], parked: [] };

  for (const group of groupsByTopic(rows)) {
    const stop = await publishRun(group, round);
    if (!stop.ok) return { sent: round.sent, parked: round.parked, failure: stop.error };
  }

  return { sent: round.sent, parked: round.parked };
}

async function publishRun(run: readonly OutboxRow[], round: Round): Promise<Attempt> {
  if (run.length === 0) return { ok: true };

  const whole = await attempt(run, round);
  if (whole.ok) round.sent.push(...run.map((row) => row.id));
  if (whole.ok || !isPermanentFailure(whole.error)) return whole;

  if (run.length === 1 || refusesTopic(whole.error)) {
    round.parked.push(...run.map((row) => ({ row, error: whole.error })));
    return { ok: true };
  }

  return publishAround(run, whole.error, round);
}

// Every transport checks a call's messages in order before it sends any, so the rows before the
// refused one would have gone out; they and the rows after it are published again as runs.
async function publishAround(
  run: readonly OutboxRow[],
  error: unknown,
  round: Round,
): Promise<Attempt> {
  const id = refusedMessageId(error);
  const refused = id === undefined ? -1 : run.findIndex((row) => row.message.id === id);
  const row = run[refused];
  if (row === undefined) return publishHalves(run, round);

  const before = await publishRun(run.slice(0, refused), round);
  if (!before.ok) return before;

  round.parked.push({ row, error });
  return publishRun(run.slice(refused + 1), round);
}

// For a refusal that names no row of the run: each half is tried, and split again if refused.
async function publishHalves(run: readonly OutboxRow[], round: Round): Promise<Attempt> {
  const half = Math.ceil(run.length / 2);
  const first = await publishRun(run.slice(0, half), round);

  return first.ok ? publishRun(run.slice(half), round) : first;
}

/** Permission is per topic: every row of the run would be refused alike. */
function refusesTopic(error: unknown): boolean {
  return error instanceof MessagingError && error.code === 'MESSAGING_NOT_PERMITTED';
}

function refusedMessageId(error: unknown): string | undefined {
  return error instanceof MessagingError ? error.messageId : undefined;
}

async function attempt(rows: readonly OutboxRow[], round: Round): Promise<Attempt> {
  const topic = rows[0]?.topic ?? '';
  const messages = rows.map((row) => row.message);

  try {
    await withTimeout(round.transport.publish(topic, messages), round.timeoutMs, topic);
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
