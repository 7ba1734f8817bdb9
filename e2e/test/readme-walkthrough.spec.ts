import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { curlExamples, substitute } from '@etsr/platform/testing';
import { ROOT, Stack, loadDemoData, startStack } from '../src/stack';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PORTS: Record<string, string> = { '8081': 'user', '8000': 'catalog', '8082': 'seating', '4003': 'order', '4004': 'payment', '4005': 'notification' };

describe('README walkthrough: booking, against the services as processes', () => {
  let stack: Stack;
  let token: string;
  before(async () => {
    stack = await startStack({ only: ['user', 'catalog', 'seating'], env: { catalog: { AVAILABILITY_SYNC_INTERVAL_MS: '300' } } });
    const demo = await loadDemoData(stack);
    token = demo.tokens.buyer;
  });
  after(() => stack?.stop());

  /** Sends a README request to the stack: localhost ports become the services' test ports. */
  async function send(example: ReturnType<typeof curlExamples>[number]) {
    const url = example.url.replace(/http:\/\/localhost:(\d+)/, (_, port: string) => stack.urls[PORTS[port]]);
    const headers = Object.fromEntries(Object.entries(example.headers).map(([k, v]) => [k, substitute(v, { JWT_TOKEN: token })]));
    const res = await fetch(url, { method: example.method, headers, body: example.body });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  const examples = curlExamples(README, '## Walkthrough: booking');

  it('has the steps 3 to 5 of section 8.1 and the conflict of 8.2', () => {
    assert.deepEqual(
      examples.map((e) => `${e.method} ${new URL(e.url).port}${new URL(e.url).pathname}`),
      ['GET 8000/v1/events/search', 'GET 8082/v1/seats/availability', 'POST 8082/v1/seats/reserve', 'POST 8082/v1/seats/reserve'],
    );
  });

  it('step 3: the search finds Rock Concert 2025 in New York, as event 1', async () => {
    const res = await send(examples[0]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.filters_applied, { city: 'New York', status: 'UPCOMING' });
    const rock = res.body.events[0];
    assert.deepEqual([rock.event_id, rock.name, rock.venue_name, rock.city, rock.total_seats], [1, 'Rock Concert 2025', 'Madison Square Garden', 'New York', 1000]);
  });

  it('step 4: availability of event 1 by section', async () => {
    const res = await send(examples[1]);
    assert.equal(res.status, 200);
    assert.equal(res.body.totalSeats, 1000);
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
    const res = await send(examples[2]);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.seats.map((s: { seatId: number }) => s.seatId), [101, 102, 103]);
    assert.equal(res.body.userId, 2);
    assert.equal(res.body.ttlSeconds, 900);
    assert.equal(res.body.totalAmount, 300);
  });

  it('8.2 case 3: the same seat again, sent without a Content-Type, is a 409 naming it', async () => {
    const res = await send(examples[3]);
    assert.equal(res.status, 409);
    assert.deepEqual(res.body.details.seatIds, [103]);
  });

  it('the catalog follows the holds within seconds', async () => {
    const deadline = Date.now() + 10_000;
    let available = 0;
    while (Date.now() < deadline) {
      available = ((await (await fetch(`${stack.urls.catalog}/v1/events/1`)).json()) as { available_seats: number }).available_seats;
      if (available === 997) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(available, 997);
  });
});
