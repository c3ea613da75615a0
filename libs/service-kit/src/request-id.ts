import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const requestIdHeader = 'x-request-id';

const acceptableId = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Keeps a caller's request id when it looks like one (so a trace crosses services), and mints a
 * UUID otherwise. Anything else in the header is ignored: it would end up in every log line.
 */
export function chooseRequestId(request: IncomingMessage): string {
  const offered = request.headers[requestIdHeader];

  if (typeof offered === 'string' && acceptableId.test(offered)) {
    return offered;
  }

  return randomUUID();
}
