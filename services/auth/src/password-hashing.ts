import argon2 from 'argon2';

/** argon2id cost; the floor is OWASP's current minimum (19 MiB, 2 passes, 1 lane). */
export interface PasswordHashingCost {
  readonly memoryKib: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export const minimumHashingCost: PasswordHashingCost = {
  memoryKib: 19_456,
  iterations: 2,
  parallelism: 1,
};

export interface PasswordCheck {
  readonly matches: boolean;
  /** The stored hash was made with other parameters; store a new one while the password is known. */
  readonly needsRehash: boolean;
}

/**
 * Hashes and checks passwords with argon2id. Checking against no stored hash still costs one full
 * verification, so an unknown account answers in the same time as a wrong password.
 */
export class PasswordHasher {
  readonly #options: argon2.HashOptions;
  #decoy: Promise<string> | undefined;

  constructor(cost: PasswordHashingCost) {
    this.#options = {
      type: argon2.argon2id,
      memoryCost: cost.memoryKib,
      timeCost: cost.iterations,
      parallelism: cost.parallelism,
    };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.#options);
  }

  async check(storedHash: string | null, password: string): Promise<PasswordCheck> {
    if (storedHash === null) {
      await argon2.verify(await this.#decoyHash(), password);
      return { matches: false, needsRehash: false };
    }

    const matches = await argon2.verify(storedHash, password);
    return { matches, needsRehash: matches && argon2.needsRehash(storedHash, this.#options) };
  }

  // Made once, lazily, with the current parameters: a hash no password is known to match.
  #decoyHash(): Promise<string> {
    this.#decoy ??= argon2.hash(crypto.randomUUID(), this.#options);
    return this.#decoy;
  }
}
