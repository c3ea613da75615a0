import type { ErrorEvent } from '@sentry/node';
import * as Sentry from '@sentry/node';
import type { FastifyRequest } from 'fastify';
import { routeLabel } from './route-label.ts';
import { scrubText } from './text-scrubbing.ts';

export interface ErrorReportingSettings {
  readonly dsn: string | undefined;
  readonly service: string;
  readonly environment: string;
  readonly release: string;
}

/**
 * Sends unexpected errors to Sentry when a DSN is configured, and does nothing otherwise. Events
 * are scrubbed before they leave the process: no URL, headers, cookies, bodies or user data,
 * because those are where tokens and device identifiers live.
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

/** Reports one unexpected error with the request's id, method and route, never its content. */
export function reportError(error: unknown, request: FastifyRequest): void {
  if (!Sentry.isInitialized()) {
    return;
  }

  const route = routeLabel(request);

  Sentry.withScope((scope) => {
    scope.setTag('request_id', request.id);
    scope.setTag('route', route);
    // Only the method: scrubEvent, which every event passes, names the URL by the route tag.
    scope.addEventProcessor((event) => ({ ...event, request: { method: request.method } }));
    Sentry.captureException(error);
  });
}

/** Waits (bounded) for queued events to be delivered; called during shutdown. */
export async function flushErrorReporting(timeoutMs: number): Promise<void> {
  if (Sentry.isInitialized()) {
    await Sentry.flush(timeoutMs);
  }
}

/**
 * The last step before an event leaves the process. A request is named by its method and route
 * pattern only: the URL's path can carry a token (auth's /password/<token>) and its query more.
 * Exception messages keep their words but lose emails, MAC addresses and URL credentials.
 */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  const route = event.tags?.route;

  if (event.request !== undefined) {
    const { method } = event.request;
    event.request = {
      ...(method === undefined ? {} : { method }),
      ...(typeof route === 'string' ? { url: route } : {}),
    };
  }

  for (const exception of event.exception?.values ?? []) {
    if (exception.value !== undefined) {
      exception.value = scrubText(exception.value);
    }
  }

  if (event.message !== undefined) {
    event.message = scrubText(event.message);
  }

  delete event.transaction;
  delete event.breadcrumbs;
  delete event.user;
  delete event.extra;
  return event;
}
