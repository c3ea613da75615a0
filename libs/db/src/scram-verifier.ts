import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * PostgreSQL accepts a precomputed SCRAM-SHA-256 verifier wherever it accepts a password. Sending
 * the verifier instead of the password keeps the plaintext out of SQL text, `pg_stat_activity`
 * and the server log (`log_statement = 'ddl'` would otherwise record it).
 */

export const scramIterations = 4096;

const saltLength = 16;

// SASLprep (RFC 4013), which PostgreSQL applies to passwords, leaves printable ASCII unchanged.
// Holding passwords to that range means this module, the server and every client agree on the
// bytes without a SASLprep implementation here.
const printableAscii = /^[\x20-\x7e]+$/;

/** Whether a password is in the range every SCRAM implementation hashes identically. */
export function isScramSafePassword(password: string): boolean {
  return printableAscii.test(password);
}

export interface ScramVerifierOptions {
  /** Fixed salt, for reproducible tests only; a fresh random 16-byte salt otherwise. */
  readonly salt?: Buffer;
  /** @default 4096, the PostgreSQL default */
  readonly iterations?: number;
}

/**
 * Computes `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (RFC 5802, RFC 7677) the
 * way PostgreSQL stores it in `pg_authid.rolpassword`.
 *
 * @example
 * const verifier = createScramVerifier('correct horse battery staple');
 * await client.query(`ALTER ROLE app PASSWORD ${escapeLiteral(verifier)}`);
 */
export function createScramVerifier(password: string, options: ScramVerifierOptions = {}): string {
  if (!isScramSafePassword(password)) {
    throw new TypeError('a SCRAM password must be non-empty printable ASCII');
  }

  const salt = options.salt ?? randomBytes(saltLength);
  const iterations = options.iterations ?? scramIterations;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');

  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = hmac(salted, 'Server Key');

  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64');
}
