import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { routeLabel } from './route-label.ts';

/**
 * One line per request, written when it completes: method, route pattern, status and duration.
 * The path and query string are left out because they can carry identifiers and tokens; the
 * route pattern says which handler ran, and the request id ties the line to everything else.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = {
      method: request.method,
      route: routeLabel(request),
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    };

    if (error) {
      request.log.error({ ...fields, err: error }, 'request completed');
    } else {
      request.log.info(fields, 'request completed');
    }
  }
}
