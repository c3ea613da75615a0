import type { ErrorEvent } from '@sentry/node';
import * as Sentry from '@sentry/node';
import type { FastifyRequest } from 'fastify';
import { routeLabel } from './route-label.ts';

export interface ErrorReportingSettings {
  readonly dsn: string | undefined;
  readonly service: string;
  readonly environment: string;
  readonly release: string;
}

/**
 * Sends unexpected errors to Sentry when a DSN is configured, and does nothing otherwise. Events
 * are scrubbed before they leave the process: no headers, cookies, bodies, query strings or user
 * data, because those are where tokens and device identifiers live.
 */
export function startErrorReporting(settings: ErrorReportingSettings): boolean {
  if (settings.dsn === undefined || Sentry.isInitialized()) {
    return Sentry.isInitialized();
  }

  Sentry.init({
    dsn: settings.dsn,
    environment: settings.environment,
    release: `${settings.service}@${settings.release}`,
    serverName: settings.service,
    tracesSampleRate: 0,
    // Only what the kit needs: the automatic framework and client instrumentations would report
    // every error a second time, and collect request data this module deliberately leaves out.
    defaultIntegrations: false,
    integrations: [
      Sentry.onUncaughtExceptionIntegration(),
      Sentry.onUnhandledRejectionIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.nodeContextIntegration(),
    ],
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
    },
    beforeSend: scrubEvent,
  });

  return true;
}

/** Reports one unexpected error with the request's id and route, never its content. */
export function reportError(error: unknown, request: FastifyRequest): void {
  if (!Sentry.isInitialized()) {
    return;
  }

  Sentry.withScope((scope) => {
    scope.setTag('request_id', request.id);
    scope.setTag('route', routeLabel(request));
    Sentry.captureException(error);
  });
}

/** Waits (bounded) for queued events to be delivered; called during shutdown. */
export async function flushErrorReporting(timeoutMs: number): Promise<void> {
  if (Sentry.isInitialized()) {
    await Sentry.flush(timeoutMs);
  }
}

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  if (event.request !== undefined) {
    const { method, url } = event.request;
    event.request = {
      ...(method === undefined ? {} : { method }),
      ...(url === undefined ? {} : { url: stripQuery(url) }),
    };
  }

  delete event.user;
  delete event.extra;
  return event;
}

function stripQuery(url: string): string {
  return url.split('?', 1)[0] ?? '';
}
