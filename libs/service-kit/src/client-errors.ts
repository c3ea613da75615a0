import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyInstance } from 'fastify';
import type { ErrorBody } from './error-handler.ts';
import type { HttpErrorCode } from './http-errors.ts';
import { httpErrors } from './http-errors.ts';
import { requestIdHeader } from './request-id.ts';

/** Node's parser errors, by the code Node gives them; any other is a malformed request. */
const parserCodes: Readonly<Record<string, HttpErrorCode>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP_REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HTTP_HEADERS_TOO_LARGE',
};

/**
 * Answers bytes Node's HTTP parser refused before fastify saw a request (a bad request line or
 * header, headers too large, Content-Length beside Transfer-Encoding), with a coded body that
 * echoes nothing, a request id, a log line and a metric, then closes the connection.
 */
export function answerClientError(
  this: FastifyInstance,
  error: ConnectionError,
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }

  const refusal = httpErrors.create(parserCodes[error.code] ?? 'HTTP_BAD_REQUEST');
  const id = randomUUID();

  // Only Node's code: the error also holds the raw bytes, which may carry credentials.
  const fields = { reqId: id, code: refusal.code, statusCode: refusal.statusCode };
  this.log.info({ ...fields, parserError: error.code }, 'request refused');
  this.countErrorResponse(refusal.code, refusal.statusCode);

  if (socket.writable) {
    socket.end(rawResponse(fields, refusal.publicMessage), () => socket.destroy());
  } else {
    socket.destroy();
  }
}

function rawResponse(fields: { reqId: string; code: string; statusCode: number }, message: string) {
  const body: ErrorBody = { code: fields.code, message, statusCode: fields.statusCode };
  const text = JSON.stringify(body);

  return [
    `HTTP/1.1 ${fields.statusCode} ${STATUS_CODES[fields.statusCode] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    `${requestIdHeader}: ${fields.reqId}`,
    'x-content-type-options: nosniff',
    'connection: close',
    '',
    text,
  ].join('\r\n');
}
