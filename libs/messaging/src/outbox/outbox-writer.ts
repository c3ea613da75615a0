import { randomUUID } from 'node:crypto';
import { messageCatalogue } from '@footfall/contracts';
import pg from 'pg';
import { encodeMessage } from '../envelope-codec.ts';
import type { ContractCatalogue, OutgoingMessage } from '../message.ts';

/**
 * Adds messages to a producer's outbox table inside the caller's transaction, so they are
 * published if and only if the producer's own data commits. Each message is validated and
 * sized now, so a bad message fails the producer's transaction instead of the relay later.
 * Returns the message ids.
 */
export async function writeToOutbox(
  client: pg.ClientBase,
  table: string,
  topic: string,
  messages: readonly OutgoingMessage[],
  catalogue: ContractCatalogue = messageCatalogue,
): Promise<string[]> {
  const rows = messages.map((message) => {
    const stamped = { ...message, id: message.id ?? randomUUID(), time: message.time ?? now() };
    encodeMessage(topic, stamped, catalogue);
    return stamped;
  });

  await client.query(
    `INSERT INTO ${qualified(table)} (id, topic, message)
     SELECT id, $1, message FROM unnest($2::uuid[], $3::jsonb[]) AS m(id, message)`,
    [topic, rows.map((row) => row.id), rows.map((row) => JSON.stringify(row))],
  );

  return rows.map((row) => row.id);
}

/** `schema.table` from trusted code, quoted so it can never be read as more SQL. */
export function qualified(table: string): string {
  return table
    .split('.')
    .map((part) => pg.escapeIdentifier(part))
    .join('.');
}

function now(): string {
  return new Date().toISOString();
}
