// The auth service's own hot paths, on a real auth app over loopback HTTP against a throwaway
// PostgreSQL: client-credentials token issuance beside the same app's /healthz (the cost of the
// OAuth machinery and its database writes over a bare route), and the argon2id cost of a sign-in
// beside the decoy check an unknown email gets (ratio near 1: timing tells no email apart).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { serviceClientIds } from '@footfall/contracts';
import { databaseFor, runMigrations } from '@footfall/db';
import { buildApp } from '../services/auth/src/app.ts';
import { configSchema } from '../services/auth/src/config.ts';
import { minimumHashingCost, PasswordHasher } from '../services/auth/src/password-hashing.ts';
import { startBenchPostgres } from './bench-postgres.ts';
import { formatRate, summarise } from './latency-stats.ts';

type Say = (line: string) => void;

const tokenRequests = 1_000;
const concurrency = 4;
const hashSamples = 20;

export async function runAuthServerBench(say: Say): Promise<void> {
  const postgres = await startBenchPostgres();

  say('');
  say('auth (authorization server)');
  try {
    await benchTokenIssuance(say, postgres);
    await benchPasswordHashing(say);
  } finally {
    await postgres.stop();
  }
}

async function benchTokenIssuance(
  say: Say,
  postgres: Awaited<ReturnType<typeof startBenchPostgres>>,
) {
  const auth = databaseFor('auth');
  await runMigrations({
    connectionString: postgres.urlOf(auth.ownerRole, auth.database),
    schema: auth.schema,
    directory: join(import.meta.dirname, '../services/auth/migrations'),
  });

  const secrets = Object.fromEntries(
    serviceClientIds.map((id) => [id, randomBytes(32).toString('base64url')]),
  );
  const app = await buildApp(
    configSchema.parse({
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: postgres.urlOf(auth.runtimeRole, auth.database),
      MESSAGING_DATABASE_URL: postgres.urlOf(auth.runtimeRole),
      AUTH_ISSUER: 'http://127.0.0.1:1/oidc',
      AUTH_CLIENT_SECRETS: JSON.stringify(secrets),
      AUTH_COOKIE_KEYS: randomBytes(32).toString('base64url'),
      // The bench measures issuance, not the rate limit one address would otherwise hit.
      AUTH_TOKEN_RATE_LIMIT_PER_ADDRESS: '1000000',
      AUTH_TOKEN_RATE_LIMIT_PER_CLIENT: '1000000',
    }),
    { logDestination: { write: () => {} } },
  );
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'tracking-ingestion',
    client_secret: secrets['tracking-ingestion'] ?? '',
    resource: 'urn:footfall:customer',
    scope: 'customer:read',
  }).toString();
  const issue = () =>
    call(`${origin}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  const health = () => call(`${origin}/healthz`, {});

  try {
    await measure(issue, 100);
    await measure(health, 100);
    const tokens = await measure(issue, tokenRequests);
    const baseline = await measure(health, tokenRequests * 5);
    say(`http       GET /healthz, ${concurrency} in flight: ${formatRate(baseline)}`);
    say(
      `http       client-credentials tokens issued: ${formatRate(tokens)} ` +
        `(${(tokens / baseline).toFixed(3)}× /healthz; ES256 JWT, one client lookup each)`,
    );
  } finally {
    await app.close();
  }
}

async function benchPasswordHashing(say: Say) {
  const hasher = new PasswordHasher(minimumHashingCost);
  const password = 'correct horse battery staple';
  const stored = await hasher.hash(password);
  await hasher.prepare();
  await hasher.check(null, password);

  const known = await sample(() => hasher.check(stored, password));
  const unknown = await sample(() => hasher.check(null, password));
  const { memoryKib, iterations, parallelism } = minimumHashingCost;

  say(
    `argon2id   m=${memoryKib} KiB t=${iterations} p=${parallelism}: sign-in check p50 ` +
      `${known.p50.toFixed(1)} ms, p99 ${known.p99.toFixed(1)} ms (≈${(1000 / known.p50).toFixed(0)} per second per core)`,
  );
  say(
    `argon2id   unknown email (decoy check) p50 ${unknown.p50.toFixed(1)} ms ` +
      `(${(unknown.p50 / known.p50).toFixed(2)}× a real account; ≈1 means timing tells nothing)`,
  );
}

async function sample(work: () => Promise<unknown>) {
  const durations: number[] = [];
  for (let index = 0; index < hashSamples; index += 1) {
    const begin = performance.now();
    await work();
    durations.push(performance.now() - begin);
  }

  return summarise(durations);
}

async function call(url: string, init: RequestInit): Promise<void> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`bench request answered ${response.status}`);
}

/** Requests per second with `concurrency` callers in flight until `count` have completed. */
async function measure(work: () => Promise<void>, count: number): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      await work();
    }
  };

  const begin = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / ((performance.now() - begin) / 1000);
}
