import { AsyncLocalStorage } from 'node:async_hooks';
import { pooledRandomBytes } from './random-pool';

/** What every log line and outgoing call of one unit of work carries (W3C Trace Context). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** Set by the auth guard once the caller is known, so log lines can name the user. */
  userId?: number;
}

const storage = new AsyncLocalStorage<TraceContext>();

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceId(): string {
  return pooledRandomBytes(16).toString('hex');
}

export function newSpanId(): string {
  return pooledRandomBytes(8).toString('hex');
}

/**
 * Reads a `traceparent` header. Returns the trace id to continue, or undefined for a missing or
 * invalid header (version ff, all-zero ids), in which case a new trace starts.
 */
export function parseTraceparent(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, parentId] = m;
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return traceId;
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-01`;
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** Runs `fn` inside a trace: the given one (continued with a new span) or a fresh one. */
export function runWithTrace<T>(fn: () => T, traceId?: string): T {
  return storage.run({ traceId: traceId ?? newTraceId(), spanId: newSpanId() }, fn);
}

/** For hooks that continue with a callback rather than a return value (Fastify's onRequest). */
export function enterTrace(ctx: TraceContext, next: () => void): void {
  storage.run(ctx, next);
}

/** The header to send on an outgoing call: same trace, new span. */
export function outgoingTraceparent(): string {
  const ctx = currentTrace();
  return formatTraceparent({ traceId: ctx?.traceId ?? newTraceId(), spanId: newSpanId() });
}
