/**
 * `pnpm --filter @footfall/auth rotate-keys [--activate-in <seconds>]`: adds a new signing key to
 * the auth database. It is published in the JWKS at once and signs from `--activate-in` seconds
 * on (default 120: two key-refresh intervals, so every replica publishes it first); the previous
 * key stays published so tokens it signed verify until they expire. Needs DATABASE_URL (the
 * runtime role). Prints one JSON line with the new key id, never key material; exits 1 on failure.
 */
import { parseArgs } from 'node:util';
import { createPool, postgresUrlSchema } from '@footfall/db';
import { z } from 'zod';
import { rotateSigningKey } from './signing-keys.ts';

const defaultActivationSeconds = 120;

const environment = z.object({ DATABASE_URL: postgresUrlSchema }).safeParse(process.env);
const activateIn = readActivationDelay();

if (!environment.success || activateIn === undefined) {
  fail('DATABASE_URL is required, and --activate-in must be a whole number of seconds');
} else {
  const pool = createPool({
    connectionString: environment.data.DATABASE_URL,
    applicationName: 'auth-rotate-keys',
  });

  try {
    const kid = await rotateSigningKey(pool, activateIn);
    process.stdout.write(
      `${JSON.stringify({ rotated: true, kid, activatesInSeconds: activateIn })}\n`,
    );
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    await pool.end();
  }
}

function readActivationDelay(): number | undefined {
  const { values } = parseArgs({ options: { 'activate-in': { type: 'string' } }, strict: false });
  const raw = values['activate-in'];
  const seconds = typeof raw === 'string' ? Number(raw) : defaultActivationSeconds;

  return Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
}

function fail(message: string): void {
  process.stdout.write(`${JSON.stringify({ rotated: false, error: message })}\n`);
  process.exitCode = 1;
}
