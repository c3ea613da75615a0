import type { AuditLog } from './audit-log.ts';
import type { PasswordHasher } from './password-hashing.ts';
import { normalisePassword, passwordLength } from './password-policy.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import type { User, UserStore } from './users.ts';

export type SignInOutcome =
  | { readonly kind: 'signed_in'; readonly user: User }
  /** Unknown email, wrong password, disabled account, no password yet: deliberately one answer. */
  | { readonly kind: 'refused' }
  | { readonly kind: 'locked'; readonly retryAfterSeconds: number };

export interface SignInAttempt {
  readonly email: string;
  readonly password: string;
  /** The client address, for per-address throttling; only its keyed hash is stored. */
  readonly address: string;
  readonly clientId?: string | undefined;
}

/** Checks a person's credentials with throttling, rehashing and an audit record of each try. */
export class SignIn {
  readonly #users: UserStore;
  readonly #hasher: PasswordHasher;
  readonly #throttle: SignInThrottle;
  readonly #audit: AuditLog;

  constructor(users: UserStore, hasher: PasswordHasher, throttle: SignInThrottle, audit: AuditLog) {
    this.#users = users;
    this.#hasher = hasher;
    this.#throttle = throttle;
    this.#audit = audit;
  }

  async attempt(attempt: SignInAttempt): Promise<SignInOutcome> {
    const subjects = this.#throttle.subjects(attempt.email.trim().toLowerCase(), attempt.address);
    const addressHash = subjects.address.slice('address:'.length);
    const context = { clientId: attempt.clientId, addressHash };

    // The try is counted before its password is checked, and a locked subject is answered
    // without any check: guessing in parallel gets no more checks than guessing in turn, and
    // the answer is the same for every email.
    const lockedFor = await this.#throttle.reserve(subjects);
    if (lockedFor > 0) {
      await this.#audit.record({
        event: 'sign_in_failed',
        ...context,
        detail: { reason: 'locked' },
      });
      return { kind: 'locked', retryAfterSeconds: lockedFor };
    }

    const { user, verified } = await this.#verify(attempt.email, attempt.password);
    if (user === undefined || !verified)
      return this.#refuse(subjects, { ...context, userId: user?.id });

    await this.#throttle.recordSuccess(subjects);
    await this.#audit.record({ event: 'sign_in_succeeded', userId: user.id, ...context });
    return { kind: 'signed_in', user };
  }

  // Always one full argon2id verification, whether or not the account exists.
  async #verify(email: string, password: string) {
    const normalised = normalisePassword(password.slice(0, passwordLength.max * 4));
    const found = await this.#users.findCredentials(email);
    const check = await this.#hasher.check(found?.passwordHash ?? null, normalised);
    const user = found?.user;
    if (user === undefined || !check.matches || user.disabled) return { user, verified: false };

    if (check.needsRehash) {
      await this.#users.setPasswordHash(user.id, await this.#hasher.hash(normalised));
    }
    return { user, verified: true };
  }

  async #refuse(
    subjects: Parameters<SignInThrottle['recordFailure']>[0],
    context: { clientId: string | undefined; addressHash: string; userId: string | undefined },
  ): Promise<SignInOutcome> {
    const lockouts = await this.#throttle.recordFailure(subjects);
    await this.#audit.record({
      event: 'sign_in_failed',
      ...context,
      detail: { reason: 'refused' },
    });

    for (const lockout of lockouts) {
      await this.#audit.record({
        event: 'lockout',
        ...context,
        detail: { subject: lockout.subject, seconds: lockout.seconds, inARow: lockout.count },
      });
    }
    return { kind: 'refused' };
  }
}
