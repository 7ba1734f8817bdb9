import { ValidateBy, ValidationArguments, ValidationOptions, isISO8601 } from 'class-validator';

/** Reusable validators and transforms of the payment service's DTOs. */

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

/** pay_ and 1 to 36 base64url characters: ours are pay_ + 22; a shorter one such as pay_xyz789abc is well-formed too. */
export const PAYMENT_ID_PATTERN = /^pay_[A-Za-z0-9_-]{1,36}$/;

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9][0-9]{1,14}$/;

/** A strict ISO 8601 date (2025-11-09, the start of that day in UTC) or date-time (2025-11-09T10:55:00Z) that JavaScript can read. */
export function parseInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.length > 40 || !/^\d{4}-\d{2}-\d{2}([T ]|$)/.test(value)) return undefined;
  if (!isISO8601(value, { strict: true })) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function IsInstant(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => parseInstant(value) !== undefined,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be an ISO 8601 date (2025-11-09) or date-time (2025-11-09T10:55:00Z)`,
      },
    },
    options,
  );
}
