import { ValidateBy } from 'class-validator';

/** CORS_ORIGINS as written: a comma list; unset or empty is no origin. */
export function parseOriginList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.trim() === '' ? [] : value.split(',').map((entry) => entry.trim());
}

/** An http(s) origin exactly as a browser sends it in the Origin header: scheme, host, port, nothing else. */
function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/** A list of exact origins; no wildcard, so which sites may call the API with a user's token is always written down. */
export function IsOriginList(): PropertyDecorator {
  return ValidateBy({
    name: 'isOriginList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.every(isOrigin),
      defaultMessage: () =>
        'CORS_ORIGINS must be a comma list of origins as browsers send them, e.g. https://tickets.example.com,http://localhost:5173 (scheme, host and port; no path, no trailing slash, no *)',
    },
  });
}
