/**
 * `pnpm --filter @footfall/auth rotate-keys [--activate-in <seconds>] [--force]`: adds a new
 * signing key to the auth database. It is published in the JWKS at once and signs from
 * `--activate-in` seconds on (default 120: two key-refresh intervals, so every replica publishes
 * it first). Keys it replaced stay published until no token they signed can still be valid; this
 * command deletes those older than that. It refuses while an earlier rotation's key is still
 * waiting to activate, unless `--force`. Needs DATABASE_URL (the runtime role). Prints one JSON
 * line with the key ids, never key material; exits 1 on refusal or failure.
 */
import { parseArgs } from 'node:util';
import { createPool, postgresUrlSchema } from '@footfall/db';
import { z } from 'zod';
import { retiredKeyRetentionSeconds } from './signing-key-retention.ts';
import { type RotationResult, rotateSigningKey } from './signing-keys.ts';

const defaultActivationSeconds = 120;

const environment = z.object({ DATABASE_URL: postgresUrlSchema }).safeParse(process.env);
const options = readOptions();

if (!environment.success || options === undefined) {
  fail('DATABASE_URL is required, and --activate-in must be a whole number of seconds');
} else {
  const pool = createPool({
    connectionString: environment.data.DATABASE_URL,
    applicationName: 'auth-rotate-keys',
  });

  try {
    const result = await rotateSigningKey(pool, {
      ...options,
      retainSeconds: retiredKeyRetentionSeconds,
    });
    report(result, options.activateInSeconds);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    await pool.end();
  }
}

function readOptions() {
  const { values } = parseArgs({
    options: { 'activate-in': { type: 'string' }, force: { type: 'boolean' } },
    strict: false,
  });
  const raw = values['activate-in'];
  const seconds = typeof raw === 'string' ? Number(raw) : defaultActivationSeconds;
  if (!Number.isInteger(seconds) || seconds < 0) return undefined;

  return { activateInSeconds: seconds, force: values.force === true };
}

function report(result: RotationResult, activatesInSeconds: number): void {
  if (!result.rotated) {
    const { pendingKid, activatesInSeconds: pendingIn } = result;
    fail(
      `key ${pendingKid} from an earlier rotation activates in ${pendingIn} s; rotate again ` +
        'once it signs, or pass --force',
    );
    return;
  }

  const { kid, deletedKids } = result;
  process.stdout.write(
    `${JSON.stringify({ rotated: true, kid, activatesInSeconds, deletedKids })}\n`,
  );
}

function fail(message: string): void {
  process.stdout.write(`${JSON.stringify({ rotated: false, error: message })}\n`);
  process.exitCode = 1;
}
