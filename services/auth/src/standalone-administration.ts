import { baseConfigShape, createLogger } from '@footfall/service-kit';
import { Registry } from 'prom-client';
import { AccountAdministration, type LinkSettings } from './account-administration.ts';
import { AccountState } from './account-state.ts';
import { AuditLog } from './audit-log.ts';
import type { Pool } from './database-pool.ts';
import { serviceName } from './service-name.ts';
import type { UserRole } from './users.ts';

export interface StandaloneOptions {
  readonly links?: LinkSettings | undefined;
  /** Where the audit events' log lines go. @default not logged */
  readonly logLines?: { write(line: string): void };
  /** The SERVICE_VERSION the log lines report. @default the kit's default */
  readonly version?: string | undefined;
}

/**
 * The service's own account administration for code that runs beside it rather than in it (the
 * operator command, `pnpm start`'s demo accounts): the same creation, links, disabling and audit
 * rows as the running service, on a pool of its runtime role. Nothing is counted: the metrics
 * belong to the running replicas.
 */
export function standaloneAdministration(
  pool: Pool,
  role: UserRole,
  options: StandaloneOptions = {},
): AccountAdministration {
  const log = createLogger({
    service: serviceName,
    version: baseConfigShape.SERVICE_VERSION.parse(options.version),
    level: options.logLines === undefined ? 'silent' : 'info',
    destination: options.logLines,
  });

  return new AccountAdministration({
    role,
    pool,
    accountState: new AccountState(pool),
    audit: new AuditLog(pool, log, new Registry()),
    links: options.links,
  });
}
