import { isIP } from 'node:net';
import { z } from 'zod';

/** Names proxy-addr (under fastify's trustProxy) understands for well-known address ranges. */
const namedRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

const problem =
  'must be false, true, or a comma-separated list of addresses and CIDRs ' +
  '(loopback, linklocal and uniquelocal name their ranges)';

/** The parsed TRUST_PROXY, as fastify's trustProxy takes it: none, every proxy, these peers. */
export type TrustProxySetting = boolean | string[];

/**
 * `TRUST_PROXY`: which peers may tell the service the client's address and protocol through
 * X-Forwarded-For and X-Forwarded-Proto. Off by default: a client talking to the service
 * directly could otherwise claim any address. No hop counts: they trust whoever is nearest, a
 * direct client included, so fastify 5 trusts no one for one.
 */
export const trustProxySchema = z
  .string()
  .transform((text, context): TrustProxySetting => {
    const setting = parseTrustProxy(text.trim());

    if (setting === undefined) {
      context.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }

    return setting;
  })
  .default(false);

function parseTrustProxy(text: string): TrustProxySetting | undefined {
  if (text === 'false' || text === 'true') {
    return text === 'true';
  }

  const entries = text.split(',').map((entry) => entry.trim());
  return entries.every(isAddressOrRange) ? entries : undefined;
}

function isAddressOrRange(entry: string): boolean {
  if (namedRanges.has(entry)) {
    return true;
  }

  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);

  if (family === 0 || rest.length > 0) {
    return false;
  }

  return prefix === undefined || isPrefixLength(prefix, family === 4 ? 32 : 128);
}

function isPrefixLength(text: string, max: number): boolean {
  return /^\d{1,3}$/.test(text) && Number(text) <= max;
}
