import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CurlExample, curlExamples } from '@etsr/platform/testing';
import { waitFor } from '../src/journeys';
import { ROOT, Stack, loadDemoData, startStack } from '../src/stack';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PORTS: Record<string, string> = { '8081': 'user', '8000': 'catalog', '8082': 'seating', '4003': 'order', '4004': 'payment', '4005': 'notification' };
const BOOKING = '## Walkthrough: booking';
const PAYING = '## Walkthrough: paying and tickets';

/**
 * The README's walkthroughs, sent as printed to all the services started as processes with the
 * demo data, one after the other like a reader would, carrying the ids the answers return
 * ($JWT_TOKEN, $RESERVATION_ID, $ORDER_ID) from step to step.
 */
describe('README walkthroughs: booking, paying and tickets, against the services as processes', () => {
  let stack: Stack;
  const vars: Record<string, string> = {};
  before(async () => {
    stack = await startStack({ env: { catalog: { AVAILABILITY_SYNC_INTERVAL_MS: '300' } } });
    vars.JWT_TOKEN = (await loadDemoData(stack)).tokens.buyer;
  });
  after(() => stack?.stop());

  /** Example `index` of a section, parsed with the variables known now, sent to the stack. */
  async function send(heading: string, index: number) {
    const example: CurlExample = curlExamples(README, heading, vars)[index];
    const url = example.url.replace(/http:\/\/localhost:(\d+)/, (_, port: string) => stack.urls[PORTS[port]]);
    const res = await fetch(url, { method: example.method, headers: example.headers, body: example.body });
    const text = await res.text();
    assert.ok(example.expect.includes(res.status), `${example.method} ${example.url} answered ${res.status}: ${text}`);
    return { status: res.status, text, body: JSON.parse(text) as Record<string, any> };
  }

  it("the sections hold the walkthrough's requests", () => {
    const shape = (h: string) => curlExamples(README, h).map((e) => `${e.method} ${new URL(e.url.replace(/\$\w+/g, 'x')).port}${new URL(e.url.replace(/\$\w+/g, 'x')).pathname}`);
    assert.deepEqual(shape(BOOKING), ['GET 8000/v1/events/search', 'GET 8082/v1/seats/availability', 'POST 8082/v1/seats/reserve', 'POST 8082/v1/seats/reserve']);
    assert.deepEqual(shape(PAYING), [
      'POST 4003/v1/orders',
      'POST 4004/v1/charge',
      'POST 4004/v1/charge',
      'GET 8082/v1/seats/availability',
      'GET 4003/v1/orders/x',
      'GET 4003/v1/orders/x/tickets',
    ]);
  });

  it('step 3: the search finds Rock Concert 2025 in New York, as event 1', async () => {
    const res = await send(BOOKING, 0);
    assert.deepEqual(res.body.filters_applied, { city: 'New York', status: 'UPCOMING' });
    const rock = res.body.events[0];
    assert.deepEqual([rock.event_id, rock.name, rock.venue_name, rock.city, rock.total_seats], [1, 'Rock Concert 2025', 'Madison Square Garden', 'New York', 1000]);
  });

  it('step 4: availability of event 1 by section', async () => {
    const res = await send(BOOKING, 1);
    assert.deepEqual(
      res.body.seatsBySection.map((s: { section: string; totalSeats: number; price: number }) => [s.section, s.totalSeats, s.price]),
      [
        ['VIP', 100, 150],
        ['PREMIUM', 300, 100],
        ['REGULAR', 600, 50],
      ],
    );
  });

  it('step 5: Alice holds seats 101-103 for 15 minutes', async () => {
    const res = await send(BOOKING, 2);
    assert.deepEqual(res.body.seats.map((s: { seatId: number }) => s.seatId), [101, 102, 103]);
    assert.deepEqual([res.body.userId, res.body.ttlSeconds, res.body.totalAmount], [5, 900, 300]);
    vars.RESERVATION_ID = res.body.reservationId;
  });

  it('step 5 again: the same seat again, sent without a Content-Type, is a 409 naming it', async () => {
    assert.deepEqual((await send(BOOKING, 3)).body.details.seatIds, [103]);
  });

  it('the catalog follows the holds within seconds', async () => {
    await waitFor(async () => ((await (await fetch(`${stack.urls.catalog}/v1/events/1`)).json()) as { available_seats: number }).available_seats === 997, 'available_seats 997');
  });

  it('the order is priced from the hold: 33000 cents with 10 % tax; the same key gives the same order', async () => {
    const res = await send(PAYING, 0);
    assert.deepEqual([res.body.status, res.body.subtotalCents, res.body.taxCents, res.body.totalCents], ['PENDING', 30000, 3000, 33000]);
    vars.ORDER_ID = res.body.orderId;
    assert.equal((await send(PAYING, 0)).text, res.text);
  });

  it('step 6: the charge succeeds; its repeat answers the same bytes', async () => {
    const first = await send(PAYING, 1);
    assert.equal(first.body.status, 'SUCCESS');
    assert.equal(first.body.merchant_order_id, vars.ORDER_ID);
    const repeat = await send(PAYING, 2);
    assert.equal(repeat.text, first.text);
  });

  it('step 7: the seats are ALLOCATED; the order is CONFIRMED with one ticket per seat', async () => {
    await waitFor(async () => (await send(PAYING, 4)).body.status === 'CONFIRMED', 'order CONFIRMED');
    // Availability comes from the seat map snapshot, a few hundred ms behind by design.
    await waitFor(async () => (await send(PAYING, 3)).body.allocatedSeats === 3, 'availability with the 3 seats ALLOCATED');
    const tickets = await send(PAYING, 5);
    assert.deepEqual(tickets.body.tickets.map((t: { seatCode: string }) => t.seatCode), ['PREMIUM-F-1', 'PREMIUM-F-2', 'PREMIUM-F-3']);
  });

  it('the confirmation e-mail was captured by the SMTP sink', async () => {
    const { readdirSync } = await import('node:fs');
    await waitFor(async () => readdirSync(stack.mailDir).some((f) => readFileSync(join(stack.mailDir, f), 'utf8').includes('PREMIUM-F-1')), 'a mail with the tickets');
    const mail = readdirSync(stack.mailDir).map((f) => readFileSync(join(stack.mailDir, f), 'utf8')).find((m) => m.includes('PREMIUM-F-1'))!;
    assert.match(mail, /^Subject: .*Rock Concert 2025/m);
  });
});
