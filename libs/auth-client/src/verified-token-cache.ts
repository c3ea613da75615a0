import { createHash } from 'node:crypto';
import type { VerifiedToken } from './verified-token.ts';

/**
 * Tokens this service has already verified, so a caller that reuses its token (as the token
 * provider does for minutes at a time) pays for one signature check, not one per request.
 * Entries are keyed by a hash of the whole token, so a token differing in any byte misses and
 * the raw bearer value is not kept in memory; an entry is dropped once its token expires.
 * Only successes are cached: a refused token is verified (and refused) again every time.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** The verified token, while `now` is before its expiry plus the clock tolerance. */
  get(token: string, now: number, toleranceMs: number): VerifiedToken | undefined {
    const key = keyOf(token);
    const entry = this.#entries.get(key);

    if (entry !== undefined && now >= entry.expiresAt.getTime() + toleranceMs) {
      this.#entries.delete(key);
      return undefined;
    }

    return entry;
  }

  set(token: string, verified: VerifiedToken): void {
    if (this.#capacity === 0) {
      return;
    }

    // Oldest first: Map keeps insertion order, which is close enough to least recently used
    // for tokens that all live the same few minutes.
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }

    this.#entries.set(keyOf(token), verified);
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
