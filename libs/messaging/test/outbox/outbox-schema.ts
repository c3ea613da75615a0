/**
 * The DDL of an outbox and of a processed-messages table, for a service's migration. Kept as
 * text here so every service creates the same shape; the migration grants the runtime role
 * what the relay, the writer and the idempotent handler need (docs/messaging.md).
 */
export function outboxTableSql(table: string): string {
  return `CREATE TABLE ${table} (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  topic text NOT NULL,
  message jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  parked_at timestamptz,
  parked_error text
);
CREATE INDEX ON ${table} (position) WHERE published_at IS NULL AND parked_at IS NULL;`;
}

export function processedMessagesTableSql(table: string): string {
  return `CREATE TABLE ${table} (
  subscription text NOT NULL,
  message_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription, message_id)
);`;
}
