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
  /** The stored hash was made with other parameters: store a new one now the password is known. */
  readonly needsRehash: boolean;
}

/**
 * Hashes and checks passwords with argon2id. Checking against no stored hash still costs one full
 * verification, against a decoy made by `prepare()`, so an unknown account answers in the same
 * time as a wrong password, the first one included.
 */
export class PasswordHasher {
  readonly #options: argon2.HashOptions;
  #decoy: string | undefined;

  constructor(cost: PasswordHashingCost) {
    this.#options = {
      type: argon2.argon2id,
      memoryCost: cost.memoryKib,
      timeCost: cost.iterations,
      parallelism: cost.parallelism,
    };
  }

  async hash(password: string): Promise<string> {
    return inStandardOrder(await argon2.hash(password, this.#options));
  }

  /**
   * Makes the decoy, a hash with the current parameters that no password is known to match.
   * Call it at start-up, before `check()`: made on first use, it would make the first unknown
   * email cost two hashes instead of one.
   */
  async prepare(): Promise<void> {
    this.#decoy ??= await argon2.hash(crypto.randomUUID(), this.#options);
  }

  async check(storedHash: string | null, password: string): Promise<PasswordCheck> {
    if (storedHash === null) {
      if (this.#decoy === undefined) throw new TypeError('PasswordHasher.prepare was never called');

      await argon2.verify(this.#decoy, password);
      return { matches: false, needsRehash: false };
    }

    const matches = await argon2.verify(storedHash, password);
    const outdated =
      argon2.needsRehash(storedHash, this.#options) || !isInStandardOrder(storedHash);
    return { matches, needsRehash: matches && outdated };
  }
}

// node-argon2 writes the parameters as m,p,t (ranisalt/node-argon2#559); the PHC string format
// says m,t,p, and verifiers that follow it (libargon2, PHP, several Go and Java libraries) refuse
// any other order. Stored hashes use the standard order so another stack can check them.
const nodeArgon2Parameters = /^(\$argon2id\$v=\d+\$)m=(\d+),p=(\d+),t=(\d+)\$/;

function inStandardOrder(encoded: string): string {
  return encoded.replace(nodeArgon2Parameters, '$1m=$2,t=$4,p=$3$');
}

function isInStandardOrder(encoded: string): boolean {
  return !nodeArgon2Parameters.test(encoded);
}
