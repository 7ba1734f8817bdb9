import { request as httpRequest } from 'node:http';
/** A small HTTP client for tests: real requests over the network, JSON in and out. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiRequest {
  token?: string;
  headers?: Record<string, string>;
  /** A JSON value, or a raw string sent as is (for malformed-body tests). */
  body?: unknown;
  raw?: string;
  contentType?: string;
}

export async function call<T = any>(method: string, url: string, req: ApiRequest = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  let body: string | undefined;
  if (req.raw !== undefined) {
    body = req.raw;
    headers['content-type'] = req.contentType ?? 'application/json';
  } else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = req.contentType ?? 'application/json';
  }
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

/** Bound to one service's base URL: `const api = client(url); await api.post('/v1/x', {body})`. */
export function client(baseUrl: string) {
  const at = (path: string) => new URL(path, baseUrl).toString();
  return {
    get: <T = any>(path: string, req?: ApiRequest) => call<T>('GET', at(path), req),
    post: <T = any>(path: string, req?: ApiRequest) => call<T>('POST', at(path), req),
    put: <T = any>(path: string, req?: ApiRequest) => call<T>('PUT', at(path), req),
    delete: <T = any>(path: string, req?: ApiRequest) => call<T>('DELETE', at(path), req),
  };
}

/**
 * One request over a connection opened from `localAddress` (any 127.x.y.z on Linux), for tests
 * of what a service believes about its peer: a trusted proxy at one loopback address, a client at
 * another. fetch cannot choose its source address, so this uses node:http.
 */
export function requestFrom(localAddress: string, method: string, url: string, req: { headers?: Record<string, string>; body?: unknown } = {}): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
    const outgoing = httpRequest(url, { method, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        resolve({ status: res.statusCode!, body: parsed, text, headers: responseHeaders });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
