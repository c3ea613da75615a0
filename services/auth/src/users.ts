import type { Queryable } from './database-pool.ts';

export type UserRole = 'customer-user' | 'platform-admin';

/** A person who can sign in. Never carries the password hash out of this module by accident. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly role: UserRole;
  /** The customer a customer user belongs to; null for platform admins. */
  readonly customerId: string | null;
  readonly disabled: boolean;
  /** False until the person accepted an invitation and chose a password. */
  readonly hasPassword: boolean;
  readonly createdAt: Date;
}

export interface NewUser {
  readonly email: string;
  readonly role: UserRole;
  readonly customerId: string | null;
}

interface UserRow {
  id: string;
  email: string;
  role: UserRole;
  customer_id: string | null;
  disabled_at: Date | null;
  password_hash: string | null;
  created_at: Date;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const userColumns = 'id, email, role, customer_id, disabled_at, password_hash, created_at';

/** Emails compare case-insensitively; they are stored lower-cased and trimmed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The `auth.users` table. */
export class UserStore {
  readonly #pool: Queryable;

  constructor(pool: Queryable) {
    this.#pool = pool;
  }

  /** Creates a user without a password; undefined when the email is already taken. */
  async create(user: NewUser): Promise<User | undefined> {
    const result = await this.#pool.query<UserRow>(
      `INSERT INTO auth.users (email, role, customer_id) VALUES ($1, $2, $3)
       ON CONFLICT (email) DO NOTHING RETURNING ${userColumns}`,
      [normaliseEmail(user.email), user.role, user.customerId],
    );

    return mapUser(result.rows[0]);
  }

  async findById(id: string): Promise<User | undefined> {
    if (!uuidPattern.test(id)) return undefined;

    return mapUser(await this.#findRow('id', id));
  }

  /** One page of a customer's users of a role, by id: those after `after`, at most `limit`. */
  async listOfCustomer(
    customerId: string,
    role: UserRole,
    page: { readonly after: string | undefined; readonly limit: number },
  ): Promise<User[]> {
    const result = await this.#pool.query<UserRow>(
      `SELECT ${userColumns} FROM auth.users
       WHERE customer_id = $1 AND role = $2 AND ($3::uuid IS NULL OR id > $3)
       ORDER BY id LIMIT $4`,
      [customerId, role, page.after ?? null, page.limit],
    );

    return result.rows.flatMap((row) => mapUser(row) ?? []);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    return mapUser(await this.#findRow('email', normaliseEmail(email)));
  }

  /** The user and stored hash for a sign-in; disabled users are returned, the caller refuses. */
  async findCredentials(
    email: string,
  ): Promise<{ user: User; passwordHash: string | null } | undefined> {
    const row = await this.#findRow('email', normaliseEmail(email));
    const user = mapUser(row);
    if (row === undefined || user === undefined) return undefined;

    return { user, passwordHash: row.password_hash };
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.#pool.query(
      'UPDATE auth.users SET password_hash = $2, updated_at = clock_timestamp() WHERE id = $1',
      [id, passwordHash],
    );
  }

  /** Disables the user; false when no such user exists. Idempotent. */
  async disable(id: string): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE auth.users SET disabled_at = coalesce(disabled_at, clock_timestamp()),
       updated_at = clock_timestamp() WHERE id = $1`,
      [id],
    );

    return result.rowCount === 1;
  }

  /**
   * Removes a user who never had a password, with their one-time tokens: a new user whose
   * invitation could not be mailed. False when there is no such user.
   */
  async forgetUnmailed(id: string): Promise<boolean> {
    const result = await this.#pool.query<{ forgotten: boolean }>(
      'SELECT auth.forget_unmailed_user($1) AS forgotten',
      [id],
    );

    return result.rows[0]?.forgotten === true;
  }

  async #findRow(column: 'id' | 'email', value: string): Promise<UserRow | undefined> {
    // Both columns are fixed identifiers chosen above, never input.
    const result = await this.#pool.query<UserRow>(
      `SELECT ${userColumns} FROM auth.users WHERE ${column} = $1`,
      [value],
    );

    return result.rows[0];
  }
}

function mapUser(row: UserRow | undefined): User | undefined {
  if (row === undefined) return undefined;

  return {
    id: row.id,
    email: row.email,
    role: row.role,
    customerId: row.customer_id,
    disabled: row.disabled_at !== null,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
  };
}
