/**
 * Checks that one kind of audit event left its whole trail: rows in auth.audit_events, an
 * `audit event` log line for each, and `auth_audit_events_total{event}` moved by as many.
 */
import { isDeepStrictEqual } from 'node:util';
import { expect, vi } from 'vitest';
import type { AuditEventType } from '../src/audit-log.ts';
import type { AuthServer } from './auth-server.ts';
import { type AuditRow, auditCounter, auditRows, type LogCapture } from './sign-in-session.ts';

export interface AuditWatch {
  /**
   * Waits (provider events are written in the background) for a new row of the event matching
   * `row`, checks its log line and the counter, and returns the row.
   */
  expectRecorded(row: Partial<Omit<AuditRow, 'event'>>): Promise<AuditRow>;
}

/** Notes where the trail of `event` stands now; call before the action that should add to it. */
export async function watchAuditEvent(
  server: AuthServer,
  logs: LogCapture,
  event: AuditEventType,
): Promise<AuditWatch> {
  const counted = await auditCounter(server, event);
  const seen = new Set((await auditRows(server)).map((row) => row.id));
  const newRows = async () =>
    (await auditRows(server)).filter((row) => row.event === event && !seen.has(row.id));

  return {
    async expectRecorded(row) {
      const expected = expect.objectContaining({ ...row, event });
      await vi.waitFor(async () => expect(await newRows()).toContainEqual(expected), {
        timeout: 5_000,
      });
      const rows = await newRows();
      const found = rows.find((candidate) => expected.asymmetricMatch(candidate));

      expect(logLineOf(logs, event, found?.detail ?? {})).toMatchObject({
        level: event.endsWith('_reused') ? 'warn' : 'info',
        audit: { event },
      });
      expect(await auditCounter(server, event)).toBe(counted + rows.length);
      return found as AuditRow;
    },
  };
}

function logLineOf(logs: LogCapture, event: string, detail: Record<string, unknown>) {
  return logs.entries().find((entry) => {
    const audit = entry.audit as { event?: string; detail?: unknown } | undefined;
    const sameDetail = isDeepStrictEqual(audit?.detail ?? {}, detail);
    return entry.msg === 'audit event' && audit?.event === event && sameDetail;
  });
}
