import { ValidateBy, ValidationArguments, ValidationOptions } from 'class-validator';

/** Validators and parsers shared by the catalog's DTOs. */

export const MAX_SEATS = 1_000_000;
export const MAX_PRICE = 1_000_000;
export const MAX_FACILITIES = 50;
export const MAX_FACILITY_KEY_LENGTH = 50;
export const MAX_FACILITY_TEXT_LENGTH = 200;

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// ---------------------------------------------------------------------------------------------
// Dates

/**
 * ISO 8601 calendar dates and date-times as people write them: 2025-12-01, 2025-12-01T19:00:00Z,
 * 2025-12-01T19:00, 2025-12-01 19:00:00.250+01:00. A date-time without an offset is UTC.
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export interface ParsedInstant {
  /** The instant; for a date alone, the start of that day in UTC. */
  date: Date;
  /** True when only a date was given (no time of day). */
  dateOnly: boolean;
}

/** Parses strictly (no "2025-02-30", no "tomorrow", no week dates); undefined when it is not one. */
export function parseIsoInstant(value: unknown): ParsedInstant | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = ISO_INSTANT.exec(value);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (m[4] === undefined) return { date, dateOnly: true };
  const [hours, minutes, seconds] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const millis = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || 0)];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  date.setUTCHours(hours, minutes, seconds, millis);
  return { date: new Date(date.getTime() - offsetMinutes * 60_000), dateOnly: false };
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** A date-time (date and time of day), as start_date and end_date must be. */
export function parseDateTime(value: unknown): Date | undefined {
  const parsed = parseIsoInstant(value);
  return parsed && !parsed.dateOnly ? parsed.date : undefined;
}

/**
 * RFC 3339 in UTC with fractional seconds only when there are some: "2025-12-01T19:00:00Z" for an
 * event's start, "2026-11-21T06:06:25.542Z" for a creation time (docs/api.md).
 */
export function formatInstant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

export function IsIsoDateTime(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isIsoDateTime',
      validator: {
        validate: (value: unknown) => parseDateTime(value) !== undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an ISO 8601 date-time such as 2025-12-01T19:00:00Z (UTC when no offset is given)`,
      },
    },
    options,
  );
}

export function IsIsoDateOrDateTime(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isIsoDateOrDateTime',
      validator: {
        validate: (value: unknown) => parseIsoInstant(value) !== undefined,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an ISO 8601 date (2025-12-01) or date-time (2025-12-01T19:00:00Z)`,
      },
    },
    options,
  );
}

// ---------------------------------------------------------------------------------------------
// Facilities

/** What is wrong with a facilities value, or undefined when it is a valid one. */
export function facilitiesProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    return 'must be a JSON object such as {"parking": true, "wifi": true}';
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_FACILITIES) return `must have at most ${MAX_FACILITIES} entries`;
  for (const [key, v] of entries) {
    if (key.trim().length === 0 || key.length > MAX_FACILITY_KEY_LENGTH) return `keys must be 1 to ${MAX_FACILITY_KEY_LENGTH} characters`;
    if (typeof v === 'boolean') continue;
    if (typeof v === 'string' && v.length <= MAX_FACILITY_TEXT_LENGTH) continue;
    return `values must be booleans or strings of at most ${MAX_FACILITY_TEXT_LENGTH} characters ("${key.slice(0, 50)}" is not)`;
  }
  return undefined;
}

export function IsFacilities(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isFacilities',
      validator: {
        validate: (value: unknown) => facilitiesProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} ${facilitiesProblem(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}
