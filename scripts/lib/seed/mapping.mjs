// How rows of the etsr_*.csv format become our model (seed-data/README.md has the table).
// Pure functions: they check a row and return the body for an import endpoint, or a reason to skip it.
import { createHash } from 'node:crypto';

/** Event types of the source (any case) → ours. */
export const EVENT_TYPES = {
  concert: 'CONCERT', music: 'CONCERT', festival: 'CONCERT',
  sports: 'SPORTS', sport: 'SPORTS', match: 'SPORTS',
  play: 'THEATER', theater: 'THEATER', theatre: 'THEATER', 'stand-up': 'THEATER', standup: 'THEATER', comedy: 'THEATER', musical: 'THEATER', ballet: 'THEATER', opera: 'THEATER',
  conference: 'CONFERENCE', workshop: 'CONFERENCE', seminar: 'CONFERENCE', summit: 'CONFERENCE',
};
/** Still selling (or sold out) in the source: UPCOMING while in the future, COMPLETED once past. */
const LIVE_STATUSES = new Set(['SCHEDULED', 'ON_SALE', 'SOLD_OUT', 'UPCOMING', 'PUBLISHED']);
const FINAL_STATUSES = { CANCELLED: 'CANCELLED', CANCELED: 'CANCELLED', COMPLETED: 'COMPLETED', ONGOING: 'ONGOING' };
export const PAYMENT_METHODS = { UPI: 'UPI', CARD: 'CREDIT_CARD', CREDIT_CARD: 'CREDIT_CARD', DEBIT_CARD: 'DEBIT_CARD', WALLET: 'WALLET', NETBANKING: 'NETBANKING' };
export const PAYMENT_STATUSES = ['SUCCESS', 'FAILED', 'PENDING'];
export const ORDER_STATUSES = ['CREATED', 'CONFIRMED', 'CANCELLED'];
/** Events of the source have a start only. */
export const EVENT_HOURS = 3;

export class RowError extends Error {}

/** 'YYYY-MM-DD HH:MM:SS' (or ISO 8601), read as UTC → ISO string. */
export function instant(value, column) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value ?? '');
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ?? 'Z'}` : '';
  const date = new Date(iso);
  if (!m || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}` && !m[7]) {
    throw new RowError(`${column} "${value}" is not a date-time (YYYY-MM-DD HH:MM:SS)`);
  }
  return date.toISOString().replace('.000Z', 'Z');
}

export function id(value, column) {
  if (!/^[1-9][0-9]{0,15}$/.test(value ?? '')) throw new RowError(`${column} "${value}" is not a positive whole number`);
  return value;
}

/** An amount, rounded to cents: some exports carry float artefacts such as 542.5899999999999. */
export function money(value, column) {
  if (!/^[0-9]{1,9}(\.[0-9]+)?$/.test(value ?? '')) throw new RowError(`${column} "${value}" is not an amount`);
  return Math.round(Number(value) * 100) / 100;
}

export const cents = (amount) => Math.round(amount * 100);

/** A stable UUID for a source key, so every service can refer to an order before it exists (and a second run finds it). */
export function uuidFor(key) {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function mapUser(v, ref) {
  id(v.user_id, 'user_id');
  const email = (v.email ?? '').trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || email.length > 100) throw new RowError(`email "${v.email}" is not an e-mail address`);
  let username = email.split('@')[0].replace(/[^A-Za-z0-9_]/g, '_').slice(0, 46);
  if (username.length < 3) username = `user_${username}`;
  const [first, ...rest] = (v.name ?? '').trim().split(/\s+/).filter(Boolean);
  const digits = (v.phone ?? '').replace(/[\s()-]/g, '');
  const phoneNumber = /^\+[1-9][0-9]{6,14}$/.test(digits) ? digits : /^[6-9][0-9]{9}$/.test(digits) ? `+91${digits}` : undefined;
  return {
    externalRef: ref,
    email,
    username,
    firstName: (first ?? username).slice(0, 50),
    lastName: rest.join(' ').slice(0, 50),
    ...(phoneNumber ? { phoneNumber } : {}),
    createdAt: instant(v.created_at, 'created_at'),
  };
}

export function mapVenue(v, ref, country) {
  id(v.venue_id, 'venue_id');
  const capacity = Number(v.capacity);
  if (!Number.isInteger(capacity) || capacity < 1) throw new RowError(`capacity "${v.capacity}" is not a positive whole number`);
  if (!v.name || !v.city) throw new RowError('name and city are required');
  return { externalRef: ref, name: v.name.slice(0, 200), address: v.city, city: v.city, country, capacity, venue_type: 'OTHER' };
}

export function eventStatus(status, startIso, now) {
  const s = (status ?? '').toUpperCase();
  if (FINAL_STATUSES[s]) return FINAL_STATUSES[s];
  if (LIVE_STATUSES.has(s)) return Date.parse(startIso) > now ? 'UPCOMING' : 'COMPLETED';
  throw new RowError(`status "${status}" is unknown`);
}

export function mapEvent(v, ref, { venueId, totalSeats, now }) {
  id(v.event_id, 'event_id');
  const type = EVENT_TYPES[(v.event_type ?? '').trim().toLowerCase()];
  if (!type) throw new RowError(`event_type "${v.event_type}" is unknown`);
  if (!v.title) throw new RowError('title is required');
  const start = instant(v.event_date, 'event_date');
  const end = new Date(Date.parse(start) + EVENT_HOURS * 3600_000).toISOString().replace('.000Z', 'Z');
  return {
    externalRef: ref,
    venue_id: venueId,
    name: v.title.slice(0, 200),
    description: `${v.event_type}${v.status?.toUpperCase() === 'SOLD_OUT' ? ' (sold out in the source)' : ''}`,
    event_type: type,
    start_date: start,
    end_date: end,
    status: eventStatus(v.status, start, now),
    total_seats: totalSeats,
    base_price: money(v.base_price, 'base_price'),
  };
}

export function mapSeat(v) {
  id(v.seat_id, 'seat_id');
  id(v.event_id, 'event_id');
  if (!/^[A-Za-z0-9][A-Za-z0-9 _-]{0,19}$/.test(v.section ?? '')) throw new RowError(`section "${v.section}" is not a section name`);
  if (!/^[A-Za-z0-9]{1,10}$/.test(v.row ?? '')) throw new RowError(`row "${v.row}" is not a row label`);
  const number = Number(v.seat_number);
  if (!Number.isInteger(number) || number < 1 || number > 10000) throw new RowError(`seat_number "${v.seat_number}" is not a seat number`);
  return { section: v.section, row: v.row, number, price: money(v.price, 'price') };
}

/** Sections front to back: VIP first, then by name; rows by number when numeric. */
export function frontToBack(a, b) {
  const rank = (s) => (s.section.toUpperCase() === 'VIP' ? 0 : 1);
  return rank(a) - rank(b) || a.section.localeCompare(b.section) || a.row.localeCompare(b.row, 'en', { numeric: true }) || a.number - b.number;
}
