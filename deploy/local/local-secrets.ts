import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Passwords the embedded install generates once and keeps, so later starts reuse the data. */
export interface LocalSecrets {
  readonly superuserPassword: string;
  readonly rolePasswords: Readonly<Record<string, string>>;
}

const fileName = 'secrets.json';

/**
 * Reads `.data/secrets.json`, adding a password for any role that lacks one (a role added by a
 * later version of the platform). The file is written with mode 0600: it holds every password.
 */
export async function loadOrCreateSecrets(dataDir: string, roles: readonly string[]) {
  const path = join(dataDir, fileName);
  const existing = await readSecrets(path);
  const rolePasswords = { ...existing?.rolePasswords };
  let changed = existing === undefined;

  for (const role of roles) {
    if (rolePasswords[role] === undefined) {
      rolePasswords[role] = generatePassword();
      changed = true;
    }
  }

  const secrets = {
    superuserPassword: existing?.superuserPassword ?? generatePassword(),
    rolePasswords,
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

function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}
