import { compile } from '@fastify/proxy-addr';
import { ValidateBy, ValidationArguments } from 'class-validator';

/**
 * Whose X-Forwarded-For / X-Forwarded-Proto a service believes, in the forms Fastify's
 * `trustProxy` takes: nobody (false), the nearest N proxies (a hop count), the proxies at these
 * addresses or CIDRs, or everybody (true, development only).
 */
export type TrustProxy = boolean | number | string[];

/**
 * TRUST_PROXY as written in the environment: unset, empty or `false` trusts nobody; `true` every
 * peer; a positive whole number is a hop count; anything else a comma list of addresses, CIDRs
 * and proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). Invalid text is returned as is
 * for `IsTrustProxy` to name.
 */
export function parseTrustProxy(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (['', 'false', '0', 'no', 'off'].includes(text.toLowerCase())) return false;
  if (text.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((entry) => entry.trim());
}

const REFUSED_IN_PRODUCTION =
  'TRUST_PROXY=true believes X-Forwarded-For from any peer, so a client could pick its own address and dodge the per-address login limit or spend ' +
  "someone else's; in production set the proxies' addresses or CIDRs (e.g. TRUST_PROXY=10.0.0.0/8), their hop count (TRUST_PROXY=1), or false when nothing is in front";

/**
 * A TrustProxy value that Fastify accepts (each address checked by the same proxy-addr Fastify
 * compiles it with), and never `true` in production.
 */
export function IsTrustProxy(): PropertyDecorator {
  return ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate(value: unknown, args?: ValidationArguments): boolean {
        if (value === true) return (args?.object as { NODE_ENV?: string }).NODE_ENV !== 'production';
        if (value === false) return true;
        if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 1;
        if (!Array.isArray(value) || value.length === 0 || value.some((entry) => typeof entry !== 'string' || entry === '')) return false;
        try {
          compile(value as string[]);
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage(args?: ValidationArguments): string {
        if (args?.value === true) return REFUSED_IN_PRODUCTION;
        return 'TRUST_PROXY must be false, a hop count (1, 2, …), or a comma list of proxy addresses or CIDRs (10.0.0.0/8, 192.168.1.10, loopback)';
      },
    },
  });
}
