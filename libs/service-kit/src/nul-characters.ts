import type { FastifyInstance } from 'fastify';
import { httpErrors } from './http-errors.ts';

/**
 * Refuses a request whose parsed body, query or path parameters carry U+0000 anywhere. No field
 * of the platform accepts it, and PostgreSQL cannot store it in text: let through, it turns bad
 * input into a database error, a 500, after part of the work is done.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (carriesNul([request.params, request.query, request.body])) {
      throw httpErrors.create('HTTP_INVALID_CHARACTER');
    }
  });
}

// Walked with a stack rather than recursion, so however deep a body nests (the body limit bounds
// its size) it costs no call stack.
function carriesNul(inputs: unknown[]): boolean {
  const pending = [...inputs];

  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (isWalkable(value)) {
      pending.push(...(Array.isArray(value) ? value : Object.entries(value).flat()));
    }
  }
  return false;
}

// Raw bytes (a body a route reads itself) are not text fields; the route decides about them.
function isWalkable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);
}
