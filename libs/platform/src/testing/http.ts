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
