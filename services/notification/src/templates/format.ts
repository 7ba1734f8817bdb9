/**
 * An amount in minor units (cents, paise) as people read it: formatMoney(33000, 'INR') → "₹330.00".
 * The currency's own number of decimals is used (JPY has none). An unknown code is shown as is.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'symbol' });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** digits);
  } catch {
    return `${(minorUnits / 100).toFixed(2)} ${currency}`;
  }
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
