import { createHash } from 'node:crypto';

/**
 * A stable UUID from a string: the same text always gives the same id. An order placed twice with
 * one Idempotency-Key is one order, and a notice sent twice is one notice at the receiver.
 */
export function stableUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
