// A buyer's turn in the seating service's waiting room (services/seating/README.md, "Waiting
// room"), as a page takes it: join (idempotent per account), then follow GET .../me with
// Prefer: wait until ADMITTED (a pass for the reserve requests). Used by the sale (with
// BENCH_SALE_QUEUE) and by the queued phase.
import { errorCode, request, sleep } from './http.mjs';

/** Longest long-poll asked for (the services cap it at 25 s). */
const WAIT_SECONDS = 20;
/** A server that does not hold the long-poll is asked again after this pause. */
const POLL_MS = 100;

/**
 * Puts a sale queue in front of `eventId`, open now. Resolves to true when the seating service
 * has a waiting room (anything but 2xx: it has none).
 */
export async function openSaleQueue(seatingUrl, adminToken, eventId) {
  const res = await request(undefined, `${seatingUrl}/v1/seats/queues/${eventId}`, {
    method: 'PUT',
    body: { onSaleAt: new Date().toISOString() },
    headers: { authorization: `Bearer ${adminToken}` },
    timeoutMs: 15_000,
  });
  return res.status >= 200 && res.status < 300;
}

/** Queue-pass refusals of a reserve request: the turn is over (or the pass lapsed), queue again. */
export const isPassRefusal = (res) => res.status === 403 && /^QUEUE_PASS_/.test(errorCode(res) ?? '');

/**
 * Waits for the buyer's turn. Resolves to { pass } once admitted; { soldOut: true } once every
 * seat is sold (none free and none held: held seats may come back, so a page keeps its place
 * while the room says SOLD_OUT and some are held); { deadline: true } when `deadline` (ms) passes
 * first; { refused: code } for a 4xx. A 5xx or no answer (load shed) is asked again after
 * Retry-After, as a page does, and reported to `onServerError(what, res)`.
 */
export async function takeTurn({ agent, seatingUrl, eventId, token, deadline, onServerError = () => {} }) {
  const headers = { authorization: `Bearer ${token}` };
  const join = () => request(agent, `${seatingUrl}/v1/seats/queues/${eventId}/join`, { method: 'POST', headers, timeoutMs: 30_000 });
  let what = 'join';
  let asked = Date.now();
  let res = await join();
  for (;;) {
    if (Date.now() > deadline) return { deadline: true };
    if (res.status === 0 || res.status >= 500) {
      if (res.status) onServerError(what, res);
      await sleep(Math.min(5, Number(res.headers?.['retry-after'] ?? 1)) * 1000);
      // The place is kept: joining again answers it.
      what = 'join';
      asked = Date.now();
      res = await join();
      continue;
    }
    if (res.status >= 400) return { refused: errorCode(res) ?? String(res.status) };
    const status = res.json?.status;
    if (status === 'ADMITTED' && res.json.pass) return { pass: res.json.pass };
    if (status === 'SOLD_OUT') {
      const counts = await request(agent, `${seatingUrl}/v1/seats/availability?eventId=${eventId}`, { method: 'GET', timeoutMs: 15_000 });
      if (counts.status === 200 && counts.json.availableSeats === 0 && counts.json.reservedSeats === 0) return { soldOut: true };
    } else if (!res.headers?.['preference-applied'] && Date.now() - asked < POLL_MS) {
      await sleep(POLL_MS);
    }
    const wait = Math.max(1, Math.min(WAIT_SECONDS, Math.floor((deadline - Date.now()) / 1000)));
    what = 'me';
    asked = Date.now();
    res = await request(agent, `${seatingUrl}/v1/seats/queues/${eventId}/me`, { method: 'GET', headers: { ...headers, prefer: `wait=${wait}` }, timeoutMs: (wait + 10) * 1000 });
  }
}
