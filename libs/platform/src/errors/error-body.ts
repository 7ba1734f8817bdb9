import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppError, RETRY_AFTER_SECONDS } from './app-error';

/** The one error body of every service (docs/api.md#errors). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  traceId?: string;
  path?: string;
  timestamp: string;
  details?: Record<string, unknown>;
}

export interface MappedError {
  body: ErrorBody;
  headers: Record<string, string>;
  /** true when the client did nothing wrong: log it with its stack. */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors (body parsing happens before Nest sees the request). */
const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'Request body is empty but Content-Type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type; send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Content-Length does not match the body' },
  // Raised by the router, before any hook (startApp hands them to sendError as frameworkErrors).
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_REQUEST', message: 'The URL holds a percent-encoding that is not UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'A path parameter is longer than 100 characters' },
};

/** PostgreSQL errors that can only come from bad input that slipped past validation. */
const PG_CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  '22P02': { status: 400, code: 'INVALID_INPUT', message: 'A value has the wrong format' },
  '22003': { status: 400, code: 'INVALID_INPUT', message: 'A number is out of range' },
  '22001': { status: 400, code: 'INVALID_INPUT', message: 'A value is too long' },
  '22007': { status: 400, code: 'INVALID_INPUT', message: 'A date has the wrong format' },
  '22008': { status: 400, code: 'INVALID_INPUT', message: 'A date is out of range' },
  // A NUL character in text, or bytes that are not UTF-8 (the validation pipe refuses both first).
  '22021': { status: 400, code: 'INVALID_INPUT', message: 'A text value holds a character the database cannot store (a NUL, or not UTF-8)' },
  '22P05': { status: 400, code: 'INVALID_INPUT', message: 'A text value holds a character the database cannot store' },
  '23502': { status: 400, code: 'INVALID_INPUT', message: 'A required value is missing' },
  '23505': { status: 409, code: 'CONFLICT', message: 'The record already exists' },
  // A row others still refer to (ON DELETE RESTRICT is 23001 from PostgreSQL 18 on, 23503 before).
  '23503': { status: 409, code: 'CONFLICT', message: 'The record is referred to by others, or refers to one that does not exist' },
  '23001': { status: 409, code: 'CONFLICT', message: 'The record is referred to by others' },
  '23514': { status: 400, code: 'INVALID_INPUT', message: 'A value breaks a rule of the data' },
  '40001': { status: 503, code: 'RETRY_LATER', message: 'The request conflicted with another one; retry' },
  '40P01': { status: 503, code: 'RETRY_LATER', message: 'The request conflicted with another one; retry' },
  '57014': { status: 503, code: 'TIMEOUT', message: 'The database took too long to answer' },
};

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|Connection terminated|the database system is (starting up|shutting down)|not currently accepting connections/i;

/** pg-pool's words when a request waited `connectionTimeoutMillis` for one of the pool's connections. */
const POOL_WAIT_TIMEOUT = /^timeout exceeded when trying to connect$/;

/** SQLSTATEs meaning "the database is not there right now": connection exceptions, shutdowns, too many connections. */
const isUnavailableState = (state: string) => state.startsWith('08') || state.startsWith('57P0') || state === '53300';

/**
 * Every 503 carries Retry-After (the status means "come back later"; this says when), whoever
 * raised it: a database away, a statement timeout, a peer away, a load shed.
 */
export function mapError(err: unknown, context: { traceId?: string; path?: string }): MappedError {
  const mapped = mapToBody(err, context);
  if (mapped.body.statusCode === 503 && !Object.keys(mapped.headers).some((h) => h.toLowerCase() === 'retry-after')) {
    mapped.headers = { ...mapped.headers, 'Retry-After': String(RETRY_AFTER_SECONDS) };
  }
  return mapped;
}

function mapToBody(err: unknown, context: { traceId?: string; path?: string }): MappedError {
  const timestamp = new Date().toISOString();
  const base = { traceId: context.traceId, path: context.path, timestamp };
  if (err instanceof AppError) {
    return {
      body: { statusCode: err.status, error: err.code, message: err.message, ...base, ...(err.details ? { details: err.details } : {}) },
      headers: err.headers ?? {},
      // A 503 we raise on purpose (BUSY: load shed; DEPENDENCY_UNAVAILABLE: logged by the client
      // that met it) is not a fault of ours: in a rush, a stack trace per answer would flood the log.
      unexpected: err.status >= 500 && err.status !== 503,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : Array.isArray((response as { message?: unknown }).message)
          ? ((response as { message: string[] }).message).join('; ')
          : String((response as { message?: unknown }).message ?? err.message);
    return {
      body: { statusCode: status, error: CODE_BY_STATUS[status] ?? `HTTP_${status}`, message, ...base },
      headers: {},
      unexpected: status >= 500,
    };
  }
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) {
    const f = FASTIFY_CODES[e.code];
    return { body: { statusCode: f.status, error: f.code, message: f.message ?? String(e.message), ...base }, headers: {}, unexpected: false };
  }
  if (err instanceof QueryFailedError) {
    const sqlState = (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code ?? '';
    const mapped = PG_CLIENT_ERRORS[sqlState];
    if (mapped) {
      // Logged although the client gets a 4xx: bad input should have been stopped by validation.
      const expected = ['23505', '23503', '23001', '40001', '40P01'].includes(sqlState);
      return { body: { statusCode: mapped.status, error: mapped.code, message: mapped.message, ...base }, headers: {}, unexpected: !expected };
    }
  }
  // Every connection was busy for the whole wait: overload, answered like the other load sheds
  // (no stack per request: in a rush that floods the log; db_pool_connections{state="waiting"}
  // and the 503s in http_server_requests_seconds show it).
  if (typeof e?.message === 'string' && POOL_WAIT_TIMEOUT.test(e.message)) {
    return {
      body: { statusCode: 503, error: 'BUSY', message: 'The service is busy (every database connection in use); retry shortly', ...base },
      headers: {},
      unexpected: false,
    };
  }
  const state = String((err as { driverError?: { code?: string } })?.driverError?.code ?? e?.code ?? '');
  if (isUnavailableState(state) || (typeof e?.message === 'string' && CONNECTION_ERRORS.test(e.message))) {
    return {
      body: { statusCode: 503, error: 'DEPENDENCY_UNAVAILABLE', message: 'A dependency is unavailable; retry shortly', ...base },
      headers: {},
      unexpected: true,
    };
  }
  // Fastify client errors we do not list (e.g. a malformed URL) carry a 4xx statusCode.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      body: { statusCode: e.statusCode, error: CODE_BY_STATUS[e.statusCode] ?? `HTTP_${e.statusCode}`, message: String(e.message ?? 'Bad request'), ...base },
      headers: {},
      unexpected: false,
    };
  }
  return {
    body: { statusCode: 500, error: 'INTERNAL_ERROR', message: 'Something went wrong on our side; it has been logged', ...base },
    headers: {},
    unexpected: true,
  };
}
