import { isIPv4 } from 'node:net';

/**
 * Whether a host is this machine: `localhost`, an address in 127.0.0.0/8, or `::1` (bracketed,
 * as a URL writes it, or not). Where plain HTTP or plain SMTP is allowed, it is allowed only to
 * such a host. A name that merely looks like an address (`127.999.0.1`) is not one: it would be
 * looked up in DNS.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');

  return bare === 'localhost' || bare === '::1' || (isIPv4(bare) && bare.startsWith('127.'));
}
