import {
  baseConfigSchema,
  createService,
  loadConfig,
  type ServiceApp,
} from '@footfall/service-kit';
import {
  type BearerTokensOptions,
  bearerTokens,
  requireToken,
  verifiedToken,
} from '../src/index.ts';

export interface ProtectedApp {
  readonly app: ServiceApp;
  /** Every JSON log line the app wrote, to check that no token reaches the log. */
  readonly logLines: string[];
}

/**
 * A service-kit app with one route per kind of requirement, for the tests and the bench:
 * `GET /stores` needs `stores:read` (or `requiredScope`); `DELETE /customers/:id` needs the `platform-admin` role;
 * `POST /stores` checks its token in preHandler, after the body; `GET /open` answers like
 * `GET /stores` but unprotected. `quiet` discards the log (the bench).
 */
export async function buildProtectedApp(
  options: BearerTokensOptions & { readonly requiredScope?: string; readonly quiet?: boolean },
): Promise<ProtectedApp> {
  const { requiredScope = 'stores:read', quiet = false, ...verification } = options;
  const logLines: string[] = [];
  const write = quiet ? () => {} : (line: string) => logLines.push(line);
  const app = await createService({
    name: 'auth-client-test',
    config: loadConfig(baseConfigSchema, { PORT: '0', LOG_LEVEL: 'info' }),
    logDestination: { write },
  });

  await app.register(bearerTokens, verification);
  // The same answer as GET /stores without the guard: the bench's baseline.
  app.get('/open', async () => ({ subject: 'anonymous', clientId: 'anonymous', scopes: [] }));
  app.get('/stores', { onRequest: requireToken({ scopes: [requiredScope] }) }, async (request) => {
    const token = verifiedToken(request);
    return { subject: token.subject, clientId: token.clientId, scopes: token.scopes };
  });
  app.post('/stores', { preHandler: requireToken({ scopes: ['stores:write'] }) }, async () => ({
    created: true,
  }));
  app.delete(
    '/customers/:id',
    { onRequest: requireToken({ roles: ['platform-admin'] }) },
    async (request) => ({ role: verifiedToken(request).role }),
  );

  await app.ready();
  return { app, logLines };
}
