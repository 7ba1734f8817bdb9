// HTTP for the load generators: node:http over keep-alive agents (the connection pool is part of
// what a real client fleet looks like), the whole answer read, latency measured by the caller.
import http from 'node:http';

/** A keep-alive agent with room for `sockets` connections. */
export function keepAliveAgent(sockets) {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, keepAliveMsecs: 10_000 });
}

/**
 * One request; resolves to { status, headers, text, json } (json undefined when the body is not
 * JSON, text empty when `discardBody`), or { status: 0, error } when no answer came in `timeoutMs`.
 */
export function request(agent, url, { method = 'GET', headers = {}, body, timeoutMs = 30_000, discardBody = false } = {}) {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        agent,
        headers: { ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        let bytes = 0;
        res.on('data', (c) => {
          bytes += c.length;
          if (!discardBody) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = discardBody ? '' : Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json, bytes });
        });
        res.on('error', (error) => resolve({ status: 0, error: error.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 0, error: error.message });
    });
    req.end(payload);
  });
}

/** The error code of the platform's error body ({error, message, details}), or the status. */
export const errorCode = (res) => (typeof res.json?.error === 'string' ? res.json.error : res.status === 0 ? 'NO_ANSWER' : String(res.status));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
