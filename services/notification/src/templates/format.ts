/**
 * An amount in minor units (cents, paise) as people read it: formatMoney(33000, 'INR') → "₹330.00".
 * The currency's own number of decimals is used (JPY has none). An unknown code is shown as is.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  const format = currencyFormat(currency);
  if (!format) return `${(minorUnits / 100).toFixed(2)} ${currency}`;
  return format.format(minorUnits / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/** Formats by currency code, made once each (making one is most of formatMoney's time); null for a code Intl refuses. */
const formats = new Map<string, Intl.NumberFormat | null>();

function currencyFormat(currency: string): Intl.NumberFormat | null {
  let format = formats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'symbol' });
    } catch {
      format = null;
    }
    // Codes come from our own orders (three capital letters), so the map stays small; bounded anyway.
    if (formats.size < 1000) formats.set(currency, format);
  }
  return format;
}

/** A value fit for a one-line header or an SMS: control characters (CR, LF, tabs, …) become spaces, runs of spaces one. */
export function singleLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

/** Cuts a text to at most `max` characters, ending it with an ellipsis when cut. */
export function truncate(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** The first block of a UUID: what people quote on the phone ("order 7f7ddc5b"). */
export function shortId(uuid: string): string {
  return uuid.slice(0, 8);
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * A moment as people read it, in UTC since we do not know the reader's time zone:
 * formatDateTime(new Date('2026-11-21T10:00:00Z')) → "Saturday, 21 November 2026, 10:00 UTC".
 * Built by hand rather than with Intl, whose wording changes with the ICU data of the Node.js build.
 */
export function formatDateTime(moment: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[moment.getUTCDay()]}, ${moment.getUTCDate()} ${MONTHS[moment.getUTCMonth()]} ${moment.getUTCFullYear()}, ${pad(moment.getUTCHours())}:${pad(moment.getUTCMinutes())} UTC`;
}
