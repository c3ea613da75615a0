/**
 * Field names whose values must never reach a log line: credentials, and device identifiers
 * (MAC addresses are personal data). Matching is by key at any of the first few levels of an
 * object, because pino's redaction works on paths rather than on key names.
 */
const sensitiveKeys = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'newPassword',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'privateKey',
  'mac',
  'macAddress',
  'deviceMac',
  'deviceId',
] as const;

const maxDepth = 4;

/** Every path pino must censor: each sensitive key at the root and under up to three wildcards. */
export function buildRedactionPaths(): string[] {
  const paths: string[] = [];

  for (const key of sensitiveKeys) {
    const isPlainName = /^[A-Za-z_$][\w$]*$/.test(key);

    if (isPlainName) {
      paths.push(key);
    }

    for (let depth = 1; depth < maxDepth; depth += 1) {
      const wildcards = Array.from({ length: depth }, () => '*').join('.');
      paths.push(isPlainName ? `${wildcards}.${key}` : `${wildcards}["${key}"]`);
    }
  }

  return paths;
}

export const redactionCensor = '[redacted]';
