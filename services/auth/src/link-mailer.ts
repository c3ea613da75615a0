import type { FastifyBaseLogger } from 'fastify';
import { createTransport, type Transporter } from 'nodemailer';
import type { LinkDelivery, PasswordLink } from './account-administration.ts';
import { authErrors } from './errors.ts';
import { composeLinkMail } from './link-mail.ts';
import type { MailSettings } from './mail-config.ts';
import type { User } from './users.ts';

/** What a failed delivery may tell the log: nodemailer's codes, never the message or the link. */
interface DeliveryFailure {
  readonly code?: string;
  readonly responseCode?: number;
  readonly command?: string;
}

/**
 * Mails invitation and reset links through an SMTP server (nodemailer). A failure is logged
 * with the SMTP codes only (never the link or the address) and answered with a generic coded
 * error: AUTH_MAIL_REJECTED (502) when the server refused the mail for good, AUTH_MAIL_UNAVAILABLE
 * (503) when it could not be reached, timed out, would not upgrade to TLS, or failed for now.
 */
export class LinkMailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(settings: MailSettings) {
    this.#from = settings.from;
    this.#transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.tls === 'implicit',
      requireTLS: settings.tls === 'starttls',
      ignoreTLS: settings.tls === 'none',
      tls: { minVersion: 'TLSv1.2' },
      ...(settings.auth === undefined ? {} : { auth: settings.auth }),
      connectionTimeout: settings.timeoutMs,
      greetingTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
    });
  }

  /** A delivery for one request: its failures are logged on that request's logger. */
  deliveryFor(log: FastifyBaseLogger): LinkDelivery {
    return (user, link) => this.#send(user, link, log);
  }

  close(): void {
    this.#transport.close();
  }

  async #send(user: User, link: PasswordLink, log: FastifyBaseLogger): Promise<void> {
    const { subject, text } = composeLinkMail(link);

    try {
      await this.#transport.sendMail({
        from: this.#from,
        to: user.email,
        subject,
        text,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (error) {
      const failure = failureOf(error);
      log.error({ mail: failure, userId: user.id, purpose: link.purpose }, 'link mail not sent');
      throw authErrors.create(isRefusal(failure) ? 'AUTH_MAIL_REJECTED' : 'AUTH_MAIL_UNAVAILABLE');
    }
  }
}

function failureOf(error: unknown): DeliveryFailure {
  const { code, responseCode, command } = (error ?? {}) as Record<string, unknown>;

  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof responseCode === 'number' ? { responseCode } : {}),
    ...(typeof command === 'string' ? { command } : {}),
  };
}

// A permanent reply (5xx) to the sender, a recipient or the message will not change on a
// retry. Anything else, a TLS upgrade the server refuses included, is the link to the server.
function isRefusal(failure: DeliveryFailure): boolean {
  const aboutTheMail = failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE';

  return aboutTheMail && failure.responseCode !== undefined && failure.responseCode >= 500;
}
