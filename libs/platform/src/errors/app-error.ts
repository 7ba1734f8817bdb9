/**
 * An error a client is meant to see: HTTP status, a stable machine-readable code and a message.
 * `details` carries structured extras (e.g. the seat ids that were taken) into the error body.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, code = 'BAD_REQUEST', details?: Record<string, unknown>) =>
  new AppError(400, code, message, details);
export const unauthorized = (message = 'Authentication required', code = 'UNAUTHORIZED') =>
  new AppError(401, code, message);
export const forbidden = (message = 'You are not allowed to do this', code = 'FORBIDDEN', details?: Record<string, unknown>) =>
  new AppError(403, code, message, details);
export const notFound = (message: string, code = 'NOT_FOUND') => new AppError(404, code, message);
export const conflict = (message: string, code = 'CONFLICT', details?: Record<string, unknown>) =>
  new AppError(409, code, message, details);
export const unprocessable = (message: string, code = 'UNPROCESSABLE', details?: Record<string, unknown>) =>
  new AppError(422, code, message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new AppError(429, 'TOO_MANY_REQUESTS', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
/**
 * Seconds a client should wait before sending again after any 503 of ours (load shed, a database or
 * peer away): short, because these pass within seconds, and our ServiceClient waits exactly this long.
 */
export const RETRY_AFTER_SECONDS = 1;
/** Load shed on purpose: more work is waiting than the service takes on; the same request may come again in a second. */
export const busy = (message: string) => new AppError(503, 'BUSY', message, undefined, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
export const dependencyUnavailable = (message: string, code = 'DEPENDENCY_UNAVAILABLE') =>
  new AppError(503, code, message);
