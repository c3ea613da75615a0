import { z } from 'zod';
import { isLoopbackHost } from './loopback-host.ts';

/** How the connection to the SMTP server is protected. */
export type SmtpTls = 'starttls' | 'implicit' | 'none';

/** Where and how invitation and reset links are mailed. */
export interface MailSettings {
  readonly host: string;
  readonly port: number;
  readonly tls: SmtpTls;
  readonly auth: { readonly user: string; readonly pass: string } | undefined;
  /** The From header, e.g. `Footfall <no-reply@example.com>`. */
  readonly from: string;
  /** For connecting, the greeting and each later step; a hung server fails the request. */
  readonly timeoutMs: number;
}

/** `Name <address>` or a bare address. */
const mailbox = z.string().refine((value) => z.email().safeParse(addressOf(value)).success, {
  message: 'must be an email address, optionally as "Name <address>"',
});

/** The SMTP variables of auth; all optional: without a server, links go back to the caller. */
export const mailConfigShape = {
  /** `smtp://[user:password@]host[:port]` or `smtps://…`; or the separate variables below. */
  AUTH_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  AUTH_SMTP_HOST: z.string().min(1).optional(),
  AUTH_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  AUTH_SMTP_TLS: z.enum(['starttls', 'implicit', 'none']).optional(),
  AUTH_SMTP_USER: z.string().min(1).optional(),
  AUTH_SMTP_PASSWORD: z.string().min(1).optional(),
  AUTH_SMTP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
  AUTH_MAIL_FROM: mailbox.optional(),
} as const;

type MailConfig = z.output<z.ZodObject<typeof mailConfigShape>>;

/** Cross-variable checks, for the config schema's superRefine: each names its variable. */
export function requireMailSettings(config: MailConfig, context: z.RefinementCtx): void {
  for (const [variable, message] of findMailProblems(config)) {
    context.addIssue({ code: 'custom', path: [variable], message });
  }
}

/** The validated settings, or undefined when no SMTP server is configured. */
export function mailSettingsOf(config: MailConfig): MailSettings | undefined {
  const server = serverOf(config);
  if (server === undefined || config.AUTH_MAIL_FROM === undefined) return undefined;

  const tls = tlsOf(config, server);
  const port = server.port ?? (tls === 'implicit' ? 465 : 587);
  const { user, pass } = server;
  const auth = user === undefined || pass === undefined ? undefined : { user, pass };

  return {
    host: server.host,
    port,
    tls,
    auth,
    from: config.AUTH_MAIL_FROM,
    timeoutMs: config.AUTH_SMTP_TIMEOUT_MS,
  };
}

function findMailProblems(config: MailConfig): [keyof MailConfig, string][] {
  const server = serverOf(config);
  const problems: [keyof MailConfig, string][] = [];
  if (config.AUTH_SMTP_URL !== undefined && config.AUTH_SMTP_HOST !== undefined) {
    problems.push(['AUTH_SMTP_HOST', 'set AUTH_SMTP_URL or AUTH_SMTP_HOST, not both']);
  }
  if (server === undefined) return [...problems, ...withoutServer(config)];

  if (config.AUTH_MAIL_FROM === undefined) {
    problems.push(['AUTH_MAIL_FROM', 'is required when an SMTP server is configured']);
  }
  if ((server.user === undefined) !== (server.pass === undefined)) {
    problems.push(['AUTH_SMTP_PASSWORD', 'a user and a password go together']);
  }
  return [...problems, ...tlsProblems(config, server)];
}

function withoutServer(config: MailConfig): [keyof MailConfig, string][] {
  const dependent = ['AUTH_SMTP_PORT', 'AUTH_SMTP_TLS', 'AUTH_SMTP_USER', 'AUTH_SMTP_PASSWORD'];
  const set = [...dependent, 'AUTH_MAIL_FROM'].filter(
    (variable) => config[variable as keyof MailConfig] !== undefined,
  ) as (keyof MailConfig)[];

  return set.map((variable) => [variable, 'needs AUTH_SMTP_URL or AUTH_SMTP_HOST']);
}

function tlsProblems(config: MailConfig, server: SmtpServer): [keyof MailConfig, string][] {
  const tls = tlsOf(config, server);
  if (server.implicit && tls !== 'implicit') {
    return [['AUTH_SMTP_TLS', 'an smtps:// URL is implicit TLS']];
  }
  if (tls === 'none' && !isLoopbackHost(server.host)) {
    return [['AUTH_SMTP_TLS', 'none (plain SMTP) is allowed to a loopback host only']];
  }
  return [];
}

interface SmtpServer {
  readonly host: string;
  readonly port: number | undefined;
  readonly implicit: boolean;
  readonly user: string | undefined;
  readonly pass: string | undefined;
}

// The URL's credentials, when it has any, take the place of AUTH_SMTP_USER and _PASSWORD.
function serverOf(config: MailConfig): SmtpServer | undefined {
  if (config.AUTH_SMTP_URL !== undefined) {
    const url = new URL(config.AUTH_SMTP_URL);
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? config.AUTH_SMTP_PORT : Number(url.port),
      implicit: url.protocol === 'smtps:',
      user: url.username === '' ? config.AUTH_SMTP_USER : decodeURIComponent(url.username),
      pass: url.password === '' ? config.AUTH_SMTP_PASSWORD : decodeURIComponent(url.password),
    };
  }

  if (config.AUTH_SMTP_HOST === undefined) return undefined;
  return {
    host: config.AUTH_SMTP_HOST,
    port: config.AUTH_SMTP_PORT,
    implicit: false,
    user: config.AUTH_SMTP_USER,
    pass: config.AUTH_SMTP_PASSWORD,
  };
}

// STARTTLS is required unless the operator says otherwise: never fall back to plain text.
function tlsOf(config: MailConfig, server: SmtpServer): SmtpTls {
  if (config.AUTH_SMTP_TLS !== undefined) return config.AUTH_SMTP_TLS;

  return server.implicit || server.port === 465 ? 'implicit' : 'starttls';
}

function addressOf(mailbox: string): string {
  return /<([^<>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox.trim();
}
