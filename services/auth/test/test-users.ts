import { randomBytes, randomUUID } from 'node:crypto';
import { PasswordHasher } from '../src/password-hashing.ts';
import { type UserRole, UserStore } from '../src/users.ts';
import type { AuthServer } from './auth-server.ts';
import { withAuthPool } from './test-pool.ts';

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly role: UserRole;
  readonly customerId: string | null;
}

export interface TestUserOptions {
  readonly role?: UserRole;
  /** For customer users; a random customer id by default. */
  readonly customerId?: string;
  readonly disabled?: boolean;
}

/**
 * Adds a user with a password straight to the server's database, hashed with the server's own
 * argon2id settings, as accepting an invitation would leave it.
 */
export async function createTestUser(
  server: AuthServer,
  options: TestUserOptions = {},
): Promise<TestUser> {
  const role = options.role ?? 'customer-user';
  const customerId = role === 'customer-user' ? (options.customerId ?? randomUUID()) : null;
  const email = `user-${randomBytes(6).toString('hex')}@example.test`;
  const password = randomBytes(18).toString('base64url');
  const hasher = new PasswordHasher({
    memoryKib: server.config.AUTH_ARGON2_MEMORY_KIB,
    iterations: server.config.AUTH_ARGON2_ITERATIONS,
    parallelism: server.config.AUTH_ARGON2_PARALLELISM,
  });

  const id = await withAuthPool(server, async (pool) => {
    const users = new UserStore(pool);
    const user = await users.create({ email, role, customerId });
    if (user === undefined) throw new Error('test user email collided');

    await users.setPasswordHash(user.id, await hasher.hash(password));
    if (options.disabled === true) await users.disable(user.id);
    return user.id;
  });

  return { id, email, password, role, customerId };
}
