import { serviceClientIds } from '@footfall/contracts';
import { postgresUrlSchema } from '@footfall/db';
import { messagingConfigShape, requireTransportSettings } from '@footfall/messaging';
import { baseConfigShape, portWithDefault } from '@footfall/service-kit';
import { z } from 'zod';
import { isLoopbackHost } from './loopback-host.ts';
import { mailConfigShape, requireMailSettings } from './mail-config.ts';

/** Long enough that guessing is out of the question; `pnpm start` generates 32 random bytes. */
const secretSchema = z.string().min(32, 'must be at least 32 characters');

/** `AUTH_CLIENT_SECRETS`: a JSON object with one secret per service client. */
const clientSecretsSchema = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(z.strictObject(Object.fromEntries(serviceClientIds.map((id) => [id, secretSchema]))))
  .transform((secrets) => secrets as Record<(typeof serviceClientIds)[number], string>);

/** A comma-separated list, split and trimmed. */
const commaList = z.string().transform((text) => text.split(',').map((part) => part.trim()));

function hasIssuerPath(url: string): boolean {
  const { pathname, search, hash } = new URL(url);
  return pathname !== '/' && !pathname.endsWith('/') && search === '' && hash === '';
}

// Plain HTTP is only for an issuer on the machine itself (local runs and tests): anywhere else
// cookies, codes and tokens would cross a network in clear text.
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);

  return protocol === 'https:' || isLoopbackHost(hostname);
}

// The sign-in pages' CSP must name each redirect origin in form-action, and CSP cannot write an
// IPv6 address.
function isNotIpv6Literal(url: string): boolean {
  return !new URL(url).hostname.startsWith('[');
}

const ipv6RedirectMessage = {
  message: 'must not be an IPv6 address (a CSP cannot allow it); use a host name or 127.0.0.1',
};

/**
 * The most AUTH_KEY_REFRESH_INTERVAL_MS may be. A replaced signing key stays published at least
 * this long after a newer one activates (signing-key-retention.ts), since a replica keeps signing
 * with it until its next reload.
 */
export const longestKeyRefreshIntervalMs = 3_600_000;

/** Everything auth reads from its environment; docs/configuration.md lists each variable. */
export const configSchema = z
  .object({
    ...baseConfigShape,
    ...messagingConfigShape,
    PORT: portWithDefault(4101),
    /** Connects as the service's runtime role, which holds only the grants the service needs. */
    DATABASE_URL: postgresUrlSchema,
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    /** The issuer identifier: the public URL of the provider, `/oidc` included. */
    AUTH_ISSUER: z
      .url({ protocol: /^https?$/ })
      .refine(hasIssuerPath, {
        message:
          'must have a path (the provider is mounted there, e.g. /oidc) and no trailing slash',
      })
      .refine(isHttpsOrLoopback, {
        message: 'must use https unless its host is loopback (localhost, 127.0.0.0/8 or [::1])',
      }),
    AUTH_CLIENT_SECRETS: clientSecretsSchema,
    /** Sign the provider's cookies; the first signs, the rest still verify (rotation). */
    AUTH_COOKIE_KEYS: commaList.pipe(z.array(secretSchema).min(1)),
    AUTH_DASHBOARD_REDIRECT_URIS: commaList
      .pipe(z.array(z.url().refine(isNotIpv6Literal, ipv6RedirectMessage)).min(1))
      .default(['http://127.0.0.1:4100/auth/callback']),
    /** How often expired provider state is deleted. */
    AUTH_CLEANUP_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
    /** Where people reach this service; invitation and reset links point here. */
    AUTH_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** argon2id cost; the minimums are OWASP's current guidance (19 MiB, 2 passes). */
    AUTH_ARGON2_MEMORY_KIB: z.coerce.number().int().min(19_456).max(4_194_304).default(19_456),
    AUTH_ARGON2_ITERATIONS: z.coerce.number().int().min(2).max(100).default(2),
    AUTH_ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
    /** Failed sign-ins in a row before an account is locked, whatever the address. */
    AUTH_LOCKOUT_ACCOUNT_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
    /** Failed sign-ins in a row from one address before it is locked, whatever the account. */
    AUTH_LOCKOUT_ADDRESS_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(20),
    /** The first lockout; each further one in a row doubles, up to the maximum. */
    AUTH_LOCKOUT_BASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    AUTH_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).max(604_800).default(3_600),
    /** Requests to the token endpoints per window, per client address and per client id. */
    AUTH_TOKEN_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(600),
    AUTH_TOKEN_RATE_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).max(1_000_000).default(600),
    AUTH_TOKEN_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
    AUTH_INVITATION_TTL_SECONDS: z.coerce.number().int().min(300).max(2_592_000).default(259_200),
    AUTH_PASSWORD_RESET_TTL_SECONDS: z.coerce.number().int().min(300).max(86_400).default(3_600),
    /** How often a replica looks for a rotated signing key. */
    AUTH_KEY_REFRESH_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .max(longestKeyRefreshIntervalMs)
      .default(60_000),
    /** Mail delivery of links; without a server, the user API returns them to the caller. */
    ...mailConfigShape,
  })
  .superRefine(requireTransportSettings)
  .superRefine(requireMailSettings);

export type Config = z.output<typeof configSchema>;
