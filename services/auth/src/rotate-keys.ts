/**
 * `pnpm --filter @footfall/auth rotate-keys`: adds a new current signing key to the auth
 * database and keeps the previous one published, so tokens it signed verify until they expire.
 * Replicas pick the new key up within AUTH_KEY_REFRESH_INTERVAL_MS. Needs DATABASE_URL (the
 * runtime role); prints one JSON line with the new key id, never key material; exits 1 on failure.
 */
import { createPool, postgresUrlSchema } from '@footfall/db';
import { z } from 'zod';
import { rotateSigningKey } from './signing-keys.ts';

const environment = z.object({ DATABASE_URL: postgresUrlSchema }).safeParse(process.env);

if (environment.success) {
  const pool = createPool({
    connectionString: environment.data.DATABASE_URL,
    applicationName: 'auth-rotate-keys',
  });

  try {
    const kid = await rotateSigningKey(pool);
    process.stdout.write(`${JSON.stringify({ rotated: true, kid })}\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`${JSON.stringify({ rotated: false, error: message })}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
} else {
  process.stdout.write(
    `${JSON.stringify({ rotated: false, error: 'DATABASE_URL is required' })}\n`,
  );
  process.exitCode = 1;
}
