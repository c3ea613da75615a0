/** The gRPC status codes (google.rpc.Code) the Pub/Sub transport tells apart. */
export const grpcCodes = Object.freeze({
  deadlineExceeded: 4,
  notFound: 5,
  alreadyExists: 6,
  permissionDenied: 7,
});

/**
 * The gRPC status code of a failed Pub/Sub call, or undefined for an error that carries none.
 * The client's errors, a publish's `PublishError` included, hold it as a number in `code`.
 */
export function grpcStatus(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'number' ? code : undefined;
}
