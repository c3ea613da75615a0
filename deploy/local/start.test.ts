import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findFreePort, startLocalPostgres } from '@footfall/local-postgres';
import { signInThroughPages } from '@footfall/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const startScript = join(import.meta.dirname, 'start.ts');
// Below Linux's ephemeral range (32768 and up), where no port-0 listener or outgoing connection of
// the suites running beside this one can take a port the platform is about to bind.
const basePort = 20_000 + Math.floor(Math.random() * 1_200) * 10;
const postgresPort = basePort + 9;
const readyLine = /Footfall is ready in/;

let dataDir = '';
const started: ChildProcess[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) await abandon(child);
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

// After a failed test: two SIGINTs make pnpm start kill its services and PostgreSQL at once
// (a SIGKILL would orphan them); SIGKILL only if even that does not end it.
async function abandon(child: ChildProcess) {
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGINT');

  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `pnpm start`'s script until it prints the ready line; resolves with its output so far. */
async function startPlatform(extraArguments: readonly string[] = []) {
  dataDir ||= await mkdtemp(join(tmpdir(), 'footfall-start-'));
  const child = spawn(
    process.execPath,
    [startScript, '--data-dir', dataDir, '--base-port', String(basePort), ...extraArguments],
    {
      env: { PATH: process.env.PATH ?? '', FOOTFALL_POSTGRES_PORT: String(postgresPort) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  started.push(child);

  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of reader) {
    lines.push(line);
    if (readyLine.test(line)) break;
  }

  return { child, lines };
}

/** Signs in with each printed demo login through the real pages, as the admin CLI would. */
async function expectDemoLoginsWork(lines: readonly string[]) {
  const logins = lines.flatMap((line) => {
    const match = /(platform-admin|customer-user)\s+(\S+@\S+)\s+(\S+)$/.exec(line);
    return match === null
      ? []
      : [{ role: match[1], email: match[2] ?? '', password: match[3] ?? '' }];
  });
  const authUrl = `http://127.0.0.1:${basePort + 1}`;
  const auth = { url: authUrl, issuer: `${authUrl}/oidc` };
  const request = { resource: 'urn:footfall:customer', scopes: ['customer:read'] };

  expect(logins.map((login) => login.role).sort()).toEqual(['customer-user', 'platform-admin']);
  for (const login of logins) {
    const accessToken = await signInThroughPages(auth, login, request);
    expect(claimsOf(accessToken).role).toBe(login.role);
  }
}

/** A JWT's payload, unverified: the sign-in itself is what this test proves. */
function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function serviceUrls(lines: readonly string[]): string[] {
  return lines.flatMap((line) => /(http:\/\/127\.0\.0\.1:\d+)\s+\(ready\)$/.exec(line)?.[1] ?? []);
}

async function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(false));
  });
}

/** Ports close a moment after a process is killed; wait for that, boundedly. */
async function waitUntilClosed(ports: readonly number[]) {
  const deadline = Date.now() + 15_000;

  for (const port of ports) {
    while (await isListening(port)) {
      if (Date.now() > deadline) throw new Error(`port ${port} is still listening`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function stopPlatform(child: ChildProcess) {
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('pnpm start', () => {
  it('brings all five services to ready, serves them, and stops cleanly on SIGINT', async () => {
    const { child, lines } = await startPlatform();
    const urls = serviceUrls(lines);
    expect(urls, lines.join('\n')).toHaveLength(5);

    for (const url of urls) {
      expect((await fetch(`${url}/readyz`)).status, url).toBe(200);

      const metrics = await fetch(`${url}/metrics`);
      expect(await metrics.text()).toContain('# TYPE http_request_duration_seconds histogram');

      const malformed = await fetch(`${url}/readyz`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"truncated": ',
      });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { code: string }).code).toBe('HTTP_INVALID_JSON');
    }

    await expectDemoLoginsWork(lines);
    await expectMaintenanceDatabasesClosed();

    expect(await stopPlatform(child)).toBe(0);
    for (const port of [basePort, basePort + 1, basePort + 2, basePort + 3, basePort + 4]) {
      expect(await isListening(port), `port ${port}`).toBe(false);
    }
    expect(await isListening(postgresPort), 'postgres').toBe(false);
  }, 120_000);

  it('reuses private passwords and data on the next start; a second SIGINT leaves nothing', async () => {
    const secretsPath = join(dataDir, 'secrets.json');
    const before = await readFile(secretsPath, 'utf8');
    expect((await stat(secretsPath)).mode & 0o777).toBe(0o600);

    const { child, lines } = await startPlatform();
    expect(lines.join('\n')).toContain('reusing role passwords');
    expect(await readFile(secretsPath, 'utf8')).toBe(before);
    expect(serviceUrls(lines), lines.join('\n')).toHaveLength(5);

    // An impatient second Ctrl-C exits at once, but must still leave nothing running.
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGINT');
    await exited;
    await waitUntilClosed([basePort, basePort + 1, basePort + 2, basePort + 3, basePort + 4]);
    await waitUntilClosed([postgresPort]);
  }, 120_000);

  it('uses an existing PostgreSQL when given --database-url, and leaves it running', async () => {
    const serverDir = await mkdtemp(join(tmpdir(), 'footfall-external-'));
    const external = await startLocalPostgres({
      directory: join(serverDir, 'data'),
      port: await findFreePort(),
      superuserPassword: 'external-admin-password',
      env: process.env,
      throwaway: true,
    });

    try {
      const { child, lines } = await startPlatform(['--database-url', external.adminUrl]);
      expect(lines.join('\n')).not.toContain('external-admin-password');
      expect(serviceUrls(lines), lines.join('\n')).toHaveLength(5);
      expect(lines.join('\n')).toContain('--close-maintenance-databases revokes that');
      expect(await stopPlatform(child)).toBe(0);

      const { databases, postgresOpen } = await inspectServer(external.adminUrl);
      expect(databases).toContain('footfall_ingestion');
      // Not its cluster: the server's own database keeps PostgreSQL's defaults.
      expect(postgresOpen).toBe(true);
    } finally {
      await external.stop();
      await rm(serverDir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The footfall databases on a server, and whether PUBLIC may still connect to `postgres`. */
async function inspectServer(adminUrl: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();

  try {
    const databases = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'footfall_%'",
    );
    const open = await client.query<{ open: boolean }>(
      "SELECT has_database_privilege('public', 'postgres', 'CONNECT') AS open",
    );

    return {
      databases: databases.rows.map((row) => row.datname),
      postgresOpen: open.rows[0]?.open,
    };
  } finally {
    await client.end();
  }
}

/** On its own embedded server, no platform role gets into postgres or template1. */
async function expectMaintenanceDatabasesClosed() {
  const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'));
  const role = 'footfall_ingestion_app';
  const password = encodeURIComponent(secrets.rolePasswords[role]);

  for (const database of ['postgres', 'template1']) {
    const client = new pg.Client({
      connectionString: `postgresql://${role}:${password}@127.0.0.1:${postgresPort}/${database}`,
    });

    await expect(client.connect(), database).rejects.toMatchObject({ code: '42501' });
  }
}
