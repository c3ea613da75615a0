import type { ServiceApp } from '@footfall/service-kit';
import { Counter, type Registry } from 'prom-client';
import type { Pool } from './database-pool.ts';

/** Everything security-relevant the auth service records; docs/auth.md describes each. */
export const auditEventTypes = [
  'sign_in_succeeded',
  'sign_in_failed',
  'lockout',
  'consent_granted',
  'consent_denied',
  'token_issued',
  'token_revoked',
  'grant_revoked',
  'refresh_token_reused',
  'authorization_code_reused',
  'user_created',
  'user_disabled',
  'password_set',
  'password_reset_requested',
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

export interface AuditEvent {
  readonly event: AuditEventType;
  readonly userId?: string | undefined;
  readonly clientId?: string | undefined;
  /** A keyed hash of the client address (see addressFingerprint), never the address. */
  readonly addressHash?: string | undefined;
  /** Codes and counts only: no email, password, token or address goes in here. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The append-only `auth.audit_events` table, with a log line and a counter per event. Writing is
 * awaited, so a request that must be audited does not succeed without its record.
 */
export class AuditLog {
  readonly #pool: Pool;
  readonly #log: ServiceApp['log'];
  readonly #events: Counter<'event'>;

  constructor(pool: Pool, log: ServiceApp['log'], registry: Registry) {
    this.#pool = pool;
    this.#log = log;
    this.#events = new Counter({
      name: 'auth_audit_events_total',
      help: 'Security events written to the audit log, by event type.',
      labelNames: ['event'],
      registers: [registry],
    });
    for (const event of auditEventTypes) this.#events.inc({ event }, 0);
  }

  async record(entry: AuditEvent): Promise<void> {
    await this.#pool.query(
      `INSERT INTO auth.audit_events (event, user_id, client_id, address_hash, detail)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        entry.event,
        entry.userId ?? null,
        entry.clientId ?? null,
        entry.addressHash ?? null,
        entry.detail ?? {},
      ],
    );
    this.#events.inc({ event: entry.event });

    const level = entry.event === 'lockout' || entry.event.endsWith('_reused') ? 'warn' : 'info';
    this.#log[level]({ audit: entry }, 'audit event');
  }

  /** For events raised where nothing can wait (provider events): a failure is logged, not lost. */
  recordInBackground(entry: AuditEvent): void {
    this.record(entry).catch((error: unknown) => {
      this.#log.error({ err: error, audit: entry }, 'audit event not written');
    });
  }
}
