/**
 * An error as one line for a person to read later (a parked outbox row, a dead letter, a retry's
 * last error): its code when it has one, since that is what an operator looks up in the docs,
 * else its name, then its message; cut to `maxLength` characters so it fits where it is kept.
 */
export function describeError(error: unknown, maxLength: number): string {
  if (!(error instanceof Error)) return String(error).slice(0, maxLength);

  const code = Reflect.get(error, 'code');
  const name = typeof code === 'string' ? code : error.name;
  return `${name}: ${error.message}`.slice(0, maxLength);
}
