/**
 * Input that passes JSON and type checks but that nothing behind them can take. Checked once for
 * every body and query string, so no field can forget it.
 */

/** Bodies may nest objects and arrays this deep; ours need 4. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON text nests objects or arrays deeper than `max`, read without parsing it: parsing
 * and then copying a body 20,000 levels deep onto a DTO overflowed the stack (a 500).
 */
export function jsonNestingExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The path of the first string (or key) in `value` holding a NUL character, which a PostgreSQL
 * text column cannot store, or an unpaired UTF-16 surrogate, which is no character at all (no
 * UTF-8 for it, and encodeURIComponent throws on it); undefined when there is none.
 */
export function findUnsafeString(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isSafe(value) ? undefined : path || 'value';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeString(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (!isSafe(key)) return at;
      const found = findUnsafeString(item, at);
      if (found) return found;
    }
  }
  return undefined;
}

/** A NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isSafe = (s: string) => !UNSAFE.test(s);
