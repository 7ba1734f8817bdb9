import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../errors/app-error';

/** Header carrying a signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (Stripe's scheme). */
export const SIGNATURE_HEADER = 'x-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const mac = (secret: string, timestamp: number, rawBody: string) => createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');

export function signPayload(secret: string, rawBody: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${nowSeconds},v1=${mac(secret, nowSeconds, rawBody)}`;
}

/**
 * Checks a signature over the exact bytes received. Refuses (401) a missing or malformed header, a
 * timestamp more than `toleranceSeconds` away from now (a stale or replayed message), and a wrong
 * MAC; the comparison takes the same time whatever the MAC.
 */
export function verifySignature(
  secret: string,
  header: string | string[] | undefined,
  rawBody: string,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(value.trim()) : null;
  if (!m) throw unauthorized('Missing or malformed signature', 'INVALID_SIGNATURE');
  const timestamp = Number(m[1]);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) throw unauthorized('Signature timestamp is outside the allowed window', 'STALE_SIGNATURE');
  const expected = Buffer.from(mac(secret, timestamp, rawBody), 'hex');
  const given = Buffer.from(m[2], 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw unauthorized('Signature does not match', 'INVALID_SIGNATURE');
}
