import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Passwords the embedded install generates once and keeps, so later starts reuse the data. */
export interface LocalSecrets {
  readonly superuserPassword: string;
  readonly rolePasswords: Readonly<Record<string, string>>;
  /** The auth service's OAuth client secrets, keyed by client id. */
  readonly clientSecrets: Readonly<Record<string, string>>;
  /** Signs the auth service's cookies. */
  readonly authCookieKey: string;
  /** The demo accounts' passwords, printed at start so the platform can be tried at once. */
  readonly demoPasswords: Readonly<Record<'admin' | 'customer', string>>;
}

const fileName = 'secrets.json';

/**
 * Reads `.data/secrets.json`, adding a password for any role and a secret for any OAuth client
 * that lacks one (added by a later version of the platform). The file is written with mode
 * 0600: it holds every password.
 */
export async function loadOrCreateSecrets(
  dataDir: string,
  roles: readonly string[],
  clients: readonly string[] = [],
) {
  const path = join(dataDir, fileName);
  const existing = await readSecrets(path);
  const rolePasswords = { ...existing?.rolePasswords };
  const clientSecrets = { ...existing?.clientSecrets };
  const demoPasswords = { ...existing?.demoPasswords };
  const added = [
    fillMissing(rolePasswords, roles),
    fillMissing(clientSecrets, clients),
    fillMissing(demoPasswords, ['admin', 'customer'], generateDemoPassword),
  ];
  const changed = existing?.authCookieKey === undefined || added.includes(true);

  const secrets = {
    superuserPassword: existing?.superuserPassword ?? generatePassword(),
    rolePasswords,
    clientSecrets,
    authCookieKey: existing?.authCookieKey ?? generateKey(),
    demoPasswords,
  };

  if (changed) {
    await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }

  await chmod(path, 0o600);
  return { secrets: secrets as LocalSecrets, path, created: existing === undefined };
}

async function readSecrets(path: string): Promise<LocalSecrets | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }

    throw error;
  }
}

// True when any name had no value and got a fresh one.
function fillMissing(
  values: Record<string, string>,
  names: readonly string[],
  generate: () => string = generateKey,
): boolean {
  const missing = names.filter((name) => values[name] === undefined);

  for (const name of missing) {
    values[name] = generate();
  }

  return missing.length > 0;
}

function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

// 32 bytes: the auth service requires client secrets and cookie keys of at least 32 characters.
function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

// Typed by people: 18 characters from an alphabet without look-alikes, about 100 bits.
function generateDemoPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(18);

  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
}
