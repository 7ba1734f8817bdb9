import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { client } from '@etsr/platform/testing';
import { ROOT, Stack, startStack } from '../src/stack';
import { ImportRun, countsOf, readCsv, runSeedImport } from '../src/seed-import';

/** The project's own demo data, the importer's default directory. */
const SEED = join(ROOT, 'seed-data');
const TABLES = ['users', 'venues', 'events', 'seats', 'orders', 'payments', 'tickets'];

/** The catalog's event types, read from its entity (the one list the catalog accepts). */
function catalogEventTypes(): string[] {
  const source = readFileSync(join(ROOT, 'services/catalog/src/entities/event.entity.ts'), 'utf8');
  const list = /export const EVENT_TYPES = \[([^\]]*)\]/.exec(source);
  assert.ok(list, 'EVENT_TYPES not found in the catalog entity');
  return [...list[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
}

const csv = Object.fromEntries(TABLES.map((t) => [t, readCsv(SEED, t)]));
const paymentOf = new Map(csv.payments.map((p) => [p.order_id, p]));
const paidOrders = csv.orders.filter((o) => paymentOf.get(o.order_id)?.status === 'SUCCESS');
const paidIds = new Set(paidOrders.map((o) => o.order_id));
const seatById = new Map(csv.seats.map((s) => [s.seat_id, s]));
const venueById = new Map(csv.venues.map((v) => [v.venue_id, v]));
const seatKey = (eventName: string, section: string, row: string, number: string | number) => `${eventName}|${section}|${row}|${number}`;
const eventName = new Map(csv.events.map((e) => [e.event_id, e.title]));
/** Source type → ours, by the importer's own table (seed-data/README.md). */
let typeOf: Record<string, string>;

describe('seed-data/: the project’s own demo data loads cleanly with `node seedDataToDB.js`', () => {
  let stack: Stack;
  let api: Record<string, ReturnType<typeof client>>;
  let admin: string;
  let first: ImportRun;

  before(async () => {
    typeOf = ((await import(pathToFileURL(join(ROOT, 'scripts/lib/seed/mapping.mjs')).href)) as { EVENT_TYPES: Record<string, string> }).EVENT_TYPES;
    stack = await startStack({ only: ['user', 'catalog', 'seating', 'order', 'payment'] });
    api = Object.fromEntries(Object.entries(stack.urls).map(([name, url]) => [name, client(url)]));
    admin = (await api.user.post('/v1/users/login', { body: { username: 'admin', password: 'Admin123!' } })).body.accessToken;
    first = await runSeedImport(stack);
  });
  after(() => stack?.stop());

  it('imports every row of every table with nothing skipped, and exits 0', () => {
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /Importing .*seed-data as "seed-data"/);
    assert.doesNotMatch(first.output, /^\s+skipped /m, first.output);
    for (const table of TABLES) assert.equal(countsOf(first.output, table).skipped, 0, `${table}\n${first.output}`);
    for (const table of ['users', 'venues', 'events', 'seats', 'orders', 'payments']) {
      assert.deepEqual(countsOf(first.output, table), { read: csv[table].length, created: csv[table].length, present: 0, skipped: 0 }, table);
    }
    const tickets = csv.tickets.filter((t) => paidIds.has(t.order_id)).length;
    assert.equal(countsOf(first.output, 'tickets').created, tickets);
    // The rest of the ticket rows are accounted for below the table, so the counts add up.
    const unpaid = csv.tickets.length - tickets;
    assert.ok(unpaid > 0, 'the data has tickets of an unpaid order');
    assert.match(first.output, new RegExp(`^\\(tickets: ${unpaid} row\\(s\\) of unpaid orders became order items; no ticket was issued for them\\)$`, 'm'));
  });

  it('the data itself is consistent: distinct seats, tickets on their order’s event, totals = ticket prices + 5 %', () => {
    const positions = new Set(csv.seats.map((s) => seatKey(s.event_id, s.section, s.row, s.seat_number)));
    assert.equal(positions.size, csv.seats.length);
    const sold = new Set<string>();
    for (const o of csv.orders) {
      const mine = csv.tickets.filter((t) => t.order_id === o.order_id);
      assert.ok(mine.length > 0, `order ${o.order_id} has seats`);
      for (const t of mine) {
        assert.equal(t.event_id, o.event_id);
        assert.equal(seatById.get(t.seat_id)?.event_id, o.event_id);
        assert.equal(Number(t.price_paid), Number(seatById.get(t.seat_id)?.price));
        if (paidIds.has(o.order_id)) {
          assert.ok(!sold.has(t.seat_id), `seat ${t.seat_id} sold once`);
          sold.add(t.seat_id);
        }
      }
      const subtotal = mine.reduce((n, t) => n + Math.round(Number(t.price_paid) * 100), 0);
      assert.equal(Math.round(Number(o.order_total) * 100), Math.round(subtotal * 1.05), `order ${o.order_id}`);
      assert.equal(paymentOf.get(o.order_id)?.amount, o.order_total);
    }
  });

  it('venues, cities and events of every catalog type are in the catalog', async () => {
    const venues = (await api.catalog.get('/v1/venues?limit=100')).body;
    assert.equal(venues.total_count, csv.venues.length);
    assert.deepEqual(new Set(venues.venues.map((v: { city: string }) => v.city)), new Set(csv.venues.map((v) => v.city)));
    assert.ok(new Set(csv.venues.map((v) => v.city)).size >= 4);

    const events = (await api.catalog.get('/v1/events/search?limit=100')).body;
    assert.equal(events.total_count, csv.events.length);
    const byType = (list: string[]) => list.reduce<Record<string, number>>((m, t) => ({ ...m, [t]: (m[t] ?? 0) + 1 }), {});
    const got = byType(events.events.map((e: { event_type: string }) => e.event_type));
    assert.deepEqual(got, byType(csv.events.map((e) => typeOf[e.event_type.toLowerCase()])));
    assert.deepEqual(Object.keys(got).sort(), [...catalogEventTypes()].sort(), 'every catalog event type has an event');
    for (const e of csv.events) {
      const found = events.events.find((x: { name: string }) => x.name === e.title);
      assert.ok(found, e.title);
      assert.equal(found.city, venueById.get(e.venue_id)?.city);
      assert.equal(found.venue_name, venueById.get(e.venue_id)?.name);
      const past = Date.parse(`${e.event_date.replace(' ', 'T')}Z`) <= Date.now();
      assert.equal(found.status, e.status === 'CANCELLED' ? 'CANCELLED' : past ? 'COMPLETED' : 'UPCOMING', e.title);
    }
  });

  it('each event’s seat plan is the CSV’s, position by position and price by price', async () => {
    const events = (await api.catalog.get('/v1/events/search?limit=100')).body.events as { event_id: number; name: string; total_seats: number }[];
    for (const e of events) {
      const expected = new Map(csv.seats.filter((s) => eventName.get(s.event_id) === e.name).map((s) => [seatKey(e.name, s.section, s.row, s.seat_number), Number(s.price)]));
      const map = (await api.seating.get(`/v1/seats?eventId=${e.event_id}`)).body;
      const got = new Map<string, number>();
      for (const section of map.sections) for (const row of section.rows) for (const [, number] of row.seats) got.set(seatKey(e.name, section.section, row.row, number), section.price);
      assert.deepEqual(got, expected, e.name);
      assert.equal(e.total_seats, expected.size, e.name);
    }
  });

  it('paid orders are CONFIRMED with tickets on ALLOCATED seats and a payment of their total; the failed one has none', async () => {
    const users = (await api.user.get('/v1/users?limit=100', { token: admin })).body.users as { userId: number; email: string }[];
    const events = (await api.catalog.get('/v1/events/search?limit=100')).body.events as { event_id: number; name: string }[];
    const csvUserOf = new Map(csv.users.map((u) => [u.email, u.user_id]));
    let seen = 0;
    for (const u of users.filter((x) => csvUserOf.has(x.email))) {
      const orders = (await api.order.get(`/v1/orders?userId=${u.userId}&limit=100`, { token: admin })).body.orders as { orderId: string; status: string; eventId: number; totalCents: number; items: { seatCode: string }[] }[];
      const mine = csv.orders.filter((o) => o.user_id === csvUserOf.get(u.email));
      assert.equal(orders.length, mine.length, u.email);
      for (const o of mine) {
        const event = events.find((e) => e.name === eventName.get(o.event_id))!;
        const codes = csv.tickets.filter((t) => t.order_id === o.order_id).map((t) => seatById.get(t.seat_id)!).map((s) => `${s.section}-${s.row}-${s.seat_number}`).sort();
        const order = orders.find((x) => x.eventId === event.event_id && JSON.stringify(x.items.map((i) => i.seatCode).sort()) === JSON.stringify(codes));
        assert.ok(order, `order ${o.order_id}`);
        assert.equal(order.totalCents, Math.round(Number(o.order_total) * 100));
        const seats = new Map<string, string>();
        for (const section of (await api.seating.get(`/v1/seats?eventId=${event.event_id}`)).body.sections) for (const row of section.rows) for (const [, number, status] of row.seats) seats.set(`${section.section}-${row.row}-${number}`, status);
        const tickets = (await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: admin })).body.tickets as { seatCode: string; status: string }[];
        const payments = (await api.payment.get(`/v1/payments?merchant_order_id=${order.orderId}`, { token: admin })).body;
        assert.equal(payments.total_count, 1);
        assert.equal(payments.payments[0].amount_cents, order.totalCents);
        if (paidIds.has(o.order_id)) {
          assert.equal(order.status, 'CONFIRMED');
          assert.equal(payments.payments[0].status, 'SUCCESS');
          assert.deepEqual(tickets.map((t) => t.seatCode).sort(), codes);
          for (const t of tickets) assert.equal(t.status, 'VALID');
          for (const code of codes) assert.equal(seats.get(code), 'ALLOCATED', code);
        } else {
          assert.equal(order.status, 'CANCELLED');
          assert.equal(payments.payments[0].status, 'FAILED');
          assert.equal(tickets.length, 0);
          for (const code of codes) assert.equal(seats.get(code), 'AVAILABLE', code);
        }
        seen++;
      }
    }
    assert.equal(seen, csv.orders.length);
    assert.ok(paidOrders.length < csv.orders.length, 'the data has an unpaid order');
  });

  it('a second run adds nothing', async () => {
    const second = await runSeedImport(stack);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Nothing new/);
    for (const table of TABLES) {
      const c = countsOf(second.output, table);
      assert.equal(c.created, 0, table);
      assert.equal(c.skipped, 0, table);
    }
    assert.equal(countsOf(second.output, 'orders').present, csv.orders.length);
    assert.equal((await api.catalog.get('/v1/events/search?limit=1')).body.total_count, csv.events.length);
    assert.equal((await api.catalog.get('/v1/venues?limit=1')).body.total_count, csv.venues.length);
    assert.equal((await api.user.get('/v1/users?limit=1', { token: admin })).body.totalCount, csv.users.length + 1); // and the admin
  });
});
