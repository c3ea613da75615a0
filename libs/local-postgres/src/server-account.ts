import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The OS account the server runs as: undefined means "this process's own account". */
export interface ServerAccount {
  readonly uid: number;
  readonly gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root, the server runs as the OS user `postgres`, which
 * is created (with its group) when the machine has none.
 */
export async function chooseServerAccount(): Promise<ServerAccount | undefined> {
  if (process.getuid?.() !== 0) {
    return undefined;
  }

  return (await lookUpPostgresUser()) ?? (await createPostgresUser());
}

async function lookUpPostgresUser(): Promise<ServerAccount | undefined> {
  try {
    const uid = await run('id', ['-u', 'postgres']);
    const gid = await run('id', ['-g', 'postgres']);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

async function createPostgresUser(): Promise<ServerAccount> {
  await run('groupadd', ['--force', 'postgres']);
  await run('useradd', ['--gid', 'postgres', '--no-create-home', 'postgres']);

  const account = await lookUpPostgresUser();
  if (account === undefined) {
    throw new Error('could not create the OS user postgres to run PostgreSQL as');
  }

  return account;
}
