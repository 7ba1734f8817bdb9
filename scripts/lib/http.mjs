// JSON over HTTP for the launcher's demo data and the seed importer: one request, its status and
// body, and an error that names the call when the server cannot be reached.

/**
 * Sends `body` (when given) as JSON with an optional bearer token. Resolves to
 * { status, body, text, method, url }: `body` is the parsed JSON, or the raw text when the answer
 * is not JSON. Rejects only when no answer came (refused, timed out).
 */
export async function requestJson(method, url, body, token, { timeoutMs = 15_000 } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`${method} ${url} failed: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed, text, method, url };
}
