/**
 * The real auth service for any suite's tests: `services/auth/src/main.ts` started as its own
 * process, as `pnpm start` and production start it, on fresh test databases, configured only
 * through its environment. Libraries and services never import the auth service's code; this
 * runs it, and takes from it only the list of its service clients. Runs inside vitest (the
 * databases come from the run's global PostgreSQL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { type ServiceClientId, serviceClientIds } from '@footfall/contracts';
import { findFreePort } from '@footfall/local-postgres';
import { isRunning, stopChild, waitUntilReady } from '@footfall/local-processes';
import { authServiceEnvironment, generateClientSecrets } from './auth-service-environment.ts';
import { createTestDatabases, type TestDatabases } from './service-databases.ts';

export interface AuthServiceOptions {
  /** Extra environment variables for the service, e.g. AUTH_DASHBOARD_REDIRECT_URIS. */
  readonly env?: Readonly<Record<string, string>>;
}

/** How long start-up may take before it counts as failed. */
const readyTimeoutMs = 30_000;
/** How long the service may take to shut down before it is killed. */
const stopTimeoutMs = 10_000;

export interface AuthServiceProcess {
  /** The issuer identifier; discovery is at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The service's own origin (health routes, user API, password pages). */
  readonly url: string;
  /** One confidential client per service, with the secret it was started with. */
  readonly clients: readonly { readonly id: ServiceClientId; readonly secret: string }[];
  readonly databases: TestDatabases;
  /** The service's output so far, for a failing test's message. */
  readonly output: readonly string[];
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and drops its databases. */
  close(): Promise<void>;
}

const repositoryRoot = resolve(import.meta.dirname, '../../..');
/** Where the auth service's entry points are, relative to which its commands run. */
export const authServiceSource = resolve(repositoryRoot, 'services/auth/src');

/**
 * Starts the auth service on a free loopback port and waits until `/readyz` answers 200.
 * Register `afterAll(() => auth.close())`.
 *
 * @example
 * const auth = await startAuthService();
 * afterAll(() => auth.close());
 * const token = await obtainServiceToken(auth, {
 *   clientId: 'dashboard', resource: 'urn:footfall:customer', scopes: ['customer:read'] });
 */
export async function startAuthService(
  options: AuthServiceOptions = {},
): Promise<AuthServiceProcess> {
  const databases = await createTestDatabases();
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const secrets = generateClientSecrets();
  const env = {
    ...authServiceEnvironment({ databases, port, clientSecrets: secrets }),
    LOG_LEVEL: 'warn',
    ...options.env,
  };

  const output: string[] = [];
  const child = spawnService(env, output);
  const service = describeProcess(child, databases, url, secrets, output);
  await expectReady(child, url, output).catch(async (error: unknown) => {
    await service.close();
    throw error;
  });
  return service;
}

function spawnService(env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawn(process.execPath, [resolve(authServiceSource, 'main.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (text: string) => output.push(text));
  }
  return child;
}

function describeProcess(
  child: ChildProcess,
  databases: TestDatabases,
  url: string,
  secrets: Readonly<Record<ServiceClientId, string>>,
  output: string[],
): AuthServiceProcess {
  const clients = serviceClientIds.map((id) => ({ id, secret: secrets[id] }));
  const issuer = `${url}/oidc`;
  const close = async () => {
    await stopChild(child, stopTimeoutMs);
    await databases.drop();
  };

  return { issuer, jwksUrl: `${issuer}/jwks`, url, clients, databases, output, close };
}

// The service's own output says why it did not start; a test failure shows it.
async function expectReady(child: ChildProcess, url: string, output: readonly string[]) {
  const ready = await waitUntilReady(url, {
    timeoutMs: readyTimeoutMs,
    stillWaiting: () => isRunning(child),
  });

  if (ready) return;
  if (!isRunning(child)) {
    throw new Error(`the auth service exited with ${child.exitCode}:\n${output.join('')}`);
  }
  throw new Error(`the auth service was not ready after ${readyTimeoutMs} ms:\n${output.join('')}`);
}
