// The `queued` phase of bench/flash-sale.mjs: a flash sale through the seating service's waiting
// room (services/seating/README.md, "Waiting room"). Every buyer joins at once, follows their
// place with long-polls, and once admitted books once: best available 1-4 seats with the pass,
// the order, the charge, and the wait for CONFIRMED. Figures: how long buyers waited in line, how
// fast they were let in, and what an admitted buyer then met (hold latency, click to CONFIRMED).
import { randomUUID } from 'node:crypto';
import { errorCode, keepAliveAgent, request, sleep } from './http.mjs';
import { openSaleQueue, takeTurn } from './queue-turn.mjs';
import { round1, summarize, tally } from './stats.mjs';

/** Longest long-poll asked for (the services cap it at 25 s). */
const WAIT_SECONDS = 20;

/**
 * Runs the queued sale of `eventId` (its seat plan made, no sale queue yet) for `tokens` (one
 * access token a buyer) until everyone is done or `deadlineMs`. `admin` opens the room.
 */
export async function runQueuedSale({ urls, admin, eventId, seats, tokens, deadlineMs, pollMs = 100 }) {
  const agent = keepAliveAgent(tokens.length + 50);
  const call = (method, url, token, body, headers = {}) =>
    request(agent, url, { method, body, headers: { authorization: `Bearer ${token}`, ...headers }, timeoutMs: (WAIT_SECONDS + 10) * 1000 });
  if (!(await openSaleQueue(urls.seating, admin, eventId))) throw new Error(`the seating service opened no sale queue for event ${eventId}`);

  const lat = { queueWait: [], hold: [], clickToConfirmed: [] };
  const admittedAt = [];
  const ends = [];
  const errors5xx = [];
  let bookings = 0;
  let seatsBooked = 0;
  const started = Date.now();
  console.log(`\nThe queued sale: event ${eventId}, ${seats} seats, ${tokens.length} buyers join at once…`);
  const progress = setInterval(() => {
    console.log(`  ${Math.round((Date.now() - started) / 1000)} s: ${admittedAt.length} admitted, ${bookings} CONFIRMED, ${tokens.length - ends.length} buyers still in the sale`);
  }, 10_000);

  /** A 503 (load shed: BUSY) or no answer: the buyer tries again after Retry-After, as a page would. */
  const shed = async (res, what) => {
    if (res.status !== 0 && res.status < 500) return false;
    if (res.status >= 500) errors5xx.push(`${what} ${res.status} ${errorCode(res)}`);
    await sleep(Math.min(5, Number(res.headers?.['retry-after'] ?? 1)) * 1000);
    return true;
  };

  async function buyer(token) {
    const joinedAt = Date.now();
    const turn = await takeTurn({ agent, seatingUrl: urls.seating, eventId, token, deadline: deadlineMs, onServerError: (what, res) => errors5xx.push(`${what} ${res.status} ${errorCode(res)}`) });
    if (turn.deadline) return 'deadline in line';
    if (turn.soldOut) return 'told sold out';
    if (turn.refused) return `join refused: ${turn.refused}`;
    const admitted = Date.now();
    admittedAt.push(admitted);
    lat.queueWait.push(admitted - joinedAt);
    return book(token, turn.pass, admitted);
  }

  /** One booking with the pass: best available, order, charge, CONFIRMED. The click is the admission. */
  async function book(token, pass, click) {
    let want = 1 + Math.floor(Math.random() * 4);
    let hold;
    while (!hold) {
      if (Date.now() > deadlineMs) return 'deadline holding';
      const res = await call('POST', `${urls.seating}/v1/seats/reserve`, token, { eventId, quantity: want }, { 'x-queue-pass': pass });
      if (res.status === 201) hold = res.json;
      else if (errorCode(res) === 'SOLD_OUT') {
        const largest = res.json?.details?.largestBlock ?? 0;
        if (largest === 0) return 'sold out when admitted';
        want = Math.min(want - 1, largest) || 1;
      } else if (res.status === 403) return `hold refused: ${errorCode(res)}`;
      else if (!(await shed(res, 'reserve'))) await sleep(Math.min(5, Number(res.headers?.['retry-after'] ?? 0)) * 1000 || 50);
    }
    lat.hold.push(Date.now() - click);
    const orderKey = randomUUID();
    let order;
    for (let attempt = 0; attempt < 10 && !order && Date.now() < deadlineMs; attempt++) {
      const res = await call('POST', `${urls.order}/v1/orders`, token, { eventId, reservationId: hold.reservationId }, { 'idempotency-key': orderKey });
      if (res.status === 201) order = res.json;
      else if (res.status >= 500 || res.status === 0 || errorCode(res) === 'REQUEST_IN_PROGRESS') await sleep(200);
      else break;
    }
    if (!order) return 'order refused';
    const payKey = randomUUID();
    let paid;
    for (let attempt = 0; attempt < 20 && !paid && Date.now() < deadlineMs; attempt++) {
      const res = await call('POST', `${urls.payment}/v1/charge`, token, { merchant_order_id: order.orderId, amount_cents: order.totalCents, currency: order.currency, payment_method: 'UPI' }, { 'idempotency-key': payKey });
      if (res.status === 201) paid = res.json;
      else if (res.status >= 500 || res.status === 0 || ['REQUEST_IN_PROGRESS', 'PAYMENT_IN_PROGRESS'].includes(errorCode(res))) await sleep(200);
      else break;
    }
    if (paid?.status !== 'SUCCESS') return 'payment refused';
    let etag;
    while (Date.now() < deadlineMs) {
      const wait = Math.max(1, Math.min(10, Math.floor((deadlineMs - Date.now()) / 1000)));
      const asked = Date.now();
      const res = await call('GET', `${urls.order}/v1/orders/${order.orderId}`, token, undefined, etag ? { 'if-none-match': etag, prefer: `wait=${wait}` } : {});
      if (res.headers?.etag) etag = res.headers.etag;
      if (res.status === 200 && res.json.status === 'CONFIRMED') {
        bookings++;
        seatsBooked += order.items?.length ?? 0;
        lat.clickToConfirmed.push(Date.now() - click);
        return 'CONFIRMED';
      }
      if (res.status === 200 && ['REFUNDED', 'CANCELLED'].includes(res.json.status)) return `order ${res.json.status}`;
      if (!res.headers?.['preference-applied'] || Date.now() - asked < pollMs) await sleep(pollMs);
    }
    return 'deadline before CONFIRMED';
  }

  const outcomes = await Promise.all(tokens.map((t) => buyer(t).then((why) => (ends.push(why), why), (e) => (ends.push('crashed'), `crashed: ${e.message}`))));
  clearInterval(progress);
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  const firstAdmission = Math.min(...admittedAt);
  const lastAdmission = Math.max(...admittedAt);
  const admissionSpan = admittedAt.length > 1 ? (lastAdmission - firstAdmission) / 1000 : null;
  const queued = {
    eventId,
    seats,
    buyers: tokens.length,
    seconds: round1(seconds),
    admitted: admittedAt.length,
    admittedPerSecond: admissionSpan ? round1(admittedAt.length / admissionSpan) : null,
    bookings,
    seatsBooked,
    latencyMs: {
      queueWait: summarize(lat.queueWait),
      holdAfterAdmission: summarize(lat.hold),
      clickToConfirmed: summarize(lat.clickToConfirmed),
    },
    outcomes: tally(outcomes),
    serverErrors: { count: errors5xx.length, byRequest: tally(errors5xx) },
  };
  const q = queued.latencyMs;
  console.log(
    `  ${queued.admitted} admitted (${queued.admittedPerSecond ?? 'n/a'}/s), ${bookings} CONFIRMED (${seatsBooked} seats) in ${queued.seconds} s; ` +
      `queue wait p50/p95/p99 ${q.queueWait.p50}/${q.queueWait.p95}/${q.queueWait.p99} ms, click-to-CONFIRMED p95 ${q.clickToConfirmed.p95} ms; 5xx ${errors5xx.length}`,
  );
  return queued;
}

/** The queued sale's rows of the Markdown report. */
export function queuedMarkdown(queued) {
  const l = queued.latencyMs;
  const lines = ['## Queued sale (waiting room)', '', '| figure | value |', '|---|---|'];
  const row = (name, v) => lines.push(`| ${name} | ${v} |`);
  row('seats / buyers', `${queued.seats} / ${queued.buyers}`);
  row('duration', `${queued.seconds} s`);
  row('admitted', `${queued.admitted} (${queued.admittedPerSecond ?? 'n/a'} per second, first to last admission)`);
  row('complete bookings', `${queued.bookings} CONFIRMED, ${queued.seatsBooked} seats`);
  for (const [name, key] of [['queue wait (join to ADMITTED)', 'queueWait'], ['hold after admission (incl. retries)', 'holdAfterAdmission'], ['click (admission) to CONFIRMED', 'clickToConfirmed']]) {
    row(`${name} p50 / p95 / p99 ms`, `${l[key].p50} / ${l[key].p95} / ${l[key].p99}`);
  }
  row('buyer outcomes', Object.entries(queued.outcomes).map(([k, v]) => `${k} ${v}`).join(', '));
  row('5xx (load shed 503 BUSY, retried after Retry-After)', `${queued.serverErrors.count}${queued.serverErrors.count ? ` (${Object.entries(queued.serverErrors.byRequest).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  return `${lines.join('\n')}\n`;
}
