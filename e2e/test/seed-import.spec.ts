import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { client } from '@etsr/platform/testing';
import { ROOT, Stack, startStack } from '../src/stack';
import { ImportRun, countsOf, expectedFrom, runSeedImport } from '../src/seed-import';

/** The second team's full export (80 users, 400 orders), kept as a test fixture; seed-data/ is our smaller demo. */
const EXPORT = join(ROOT, 'e2e', 'fixtures', 'seed-data-etsr');
const TABLES = ['users', 'venues', 'events', 'seats', 'orders', 'payments', 'tickets'];

describe('seedDataToDB.js: importing the etsr export into running services', () => {
  let stack: Stack;
  let api: Record<string, ReturnType<typeof client>>;
  let admin: string;
  let first: ImportRun;
  const expected = expectedFrom(EXPORT);

  before(async () => {
    stack = await startStack({ only: ['user', 'catalog', 'seating', 'order', 'payment'] });
    api = Object.fromEntries(Object.entries(stack.urls).map(([name, url]) => [name, client(url)]));
    admin = (await api.user.post('/v1/users/login', { body: { username: 'admin', password: 'Admin123!' } })).body.accessToken;
    first = await runSeedImport(stack, EXPORT);
  });
  after(() => stack?.stop());

  it('loads every table, reports the rows it skips by file:line, and exits 0', () => {
    assert.equal(first.code, 0, first.output);
    assert.deepEqual(countsOf(first.output, 'users'), { read: 80, created: 80, present: 0, skipped: 0 });
    assert.deepEqual(countsOf(first.output, 'venues'), { read: 15, created: 15, present: 0, skipped: 0 });
    assert.deepEqual(countsOf(first.output, 'events'), { read: 60, created: 60, present: 0, skipped: 0 });
    assert.equal(countsOf(first.output, 'seats').created, expected.seats);
    assert.equal(countsOf(first.output, 'orders').created, expected.orders);
    assert.equal(countsOf(first.output, 'tickets').created, expected.tickets);
    // The source repeats some seat positions and sells some seats twice: each is named.
    assert.match(first.output, /etsr_seats\.csv:\d+: seat \S+ of event \d+ repeats line \d+/);
    assert.match(first.output, /etsr_tickets\.csv:\d+: seat \d+ was sold already/);
  });

  it('the APIs show the imported users, venues, events and seats', async () => {
    const users = await api.user.get('/v1/users?limit=1', { token: admin });
    assert.equal(users.body.totalCount, expected.users + 1); // and the admin
    assert.equal((await api.catalog.get('/v1/venues?limit=1')).body.total_count, expected.venues);
    const events = await api.catalog.get('/v1/events/search?limit=100');
    assert.equal(events.body.total_count, expected.events);
    assert.deepEqual(new Set(events.body.events.map((e: { event_type: string }) => e.event_type)), new Set(['CONCERT', 'SPORTS', 'THEATER', 'CONFERENCE']));
    let total = 0;
    let allocated = 0;
    for (const e of events.body.events) {
      const a = await api.seating.get(`/v1/seats/availability?eventId=${e.event_id}`, { token: admin });
      total += a.body.totalSeats;
      allocated += a.body.allocatedSeats;
      assert.equal(a.body.reservedSeats, 0);
      assert.equal(a.body.totalSeats, e.total_seats);
    }
    assert.equal(total, expected.seats);
    assert.equal(allocated, expected.tickets);
  });

  it('history is consistent: each ticket’s seat is ALLOCATED, each paid order has a payment of its total', async () => {
    const users = (await api.user.get('/v1/users?limit=100', { token: admin })).body.users;
    const orders: { orderId: string; status: string; eventId: number; totalCents: number; items: unknown[] }[] = [];
    for (const u of users) {
      const page = await api.order.get(`/v1/orders?userId=${u.userId}&limit=100`, { token: admin });
      assert.equal(page.status, 200, page.text);
      orders.push(...page.body.orders);
    }
    assert.equal(orders.length, expected.orders);
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    assert.equal(confirmed.length, expected.paidOrders);
    assert.ok(orders.every((o) => o.status === 'CONFIRMED' || o.status === 'CANCELLED'));
    const seatStatus = new Map<number, string>();
    for (const eventId of new Set(confirmed.map((o) => o.eventId))) {
      const map = await api.seating.get(`/v1/seats?eventId=${eventId}`, { token: admin });
      // Each seat is [seatId, number, status, x] (seatFields).
      for (const section of map.body.sections) for (const row of section.rows) for (const [seatId, , status] of row.seats) seatStatus.set(seatId, status);
    }
    let tickets = 0;
    const publicKey = (await api.order.get('/v1/tickets/public-key')).body.publicKeyPem;
    assert.match(publicKey, /BEGIN PUBLIC KEY/);
    for (const order of confirmed) {
      const t = await api.order.get(`/v1/orders/${order.orderId}/tickets`, { token: admin });
      assert.equal(t.body.tickets.length, order.items.length);
      for (const ticket of t.body.tickets) {
        assert.equal(seatStatus.get(ticket.seatId), 'ALLOCATED', `seat ${ticket.seatId} of order ${order.orderId}`);
        tickets++;
      }
      const paid = await api.payment.get(`/v1/payments?merchant_order_id=${order.orderId}`, { token: admin });
      assert.equal(paid.body.total_count, 1, paid.text);
      assert.equal(paid.body.payments[0].status, 'SUCCESS');
      assert.equal(paid.body.payments[0].amount_cents, order.totalCents);
    }
    assert.equal(tickets, expected.tickets);
    const check = await api.order.get(`/v1/tickets/${(await api.order.get(`/v1/orders/${confirmed[0].orderId}/tickets`, { token: admin })).body.tickets[0].ticketCode}`, { token: admin });
    assert.equal(check.body.status, 'VALID', check.text);
  });

  it('an imported user cannot log in until a password is set; then they can', async () => {
    const res = await api.user.post('/v1/users/login', { body: { username: 'user1596', password: 'Whatever123' } });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'PASSWORD_NOT_SET');
    const user = (await api.user.get('/v1/users/search?query=user1596%40mail.com', { token: admin })).body.users[0];
    const issued = await api.user.post(`/v1/users/${user.userId}/password-setup`, { token: admin });
    assert.equal(issued.status, 201, issued.text);
    assert.equal((await api.user.post('/v1/users/password-setup/confirm', { body: { token: issued.body.token, newPassword: 'Imported123' } })).status, 204);
    assert.equal((await api.user.post('/v1/users/login', { body: { username: 'user1596', password: 'Imported123' } })).status, 200);
  });

  it('a second run adds nothing and says so', async () => {
    const second = await runSeedImport(stack, EXPORT);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /Nothing new/);
    for (const table of TABLES) assert.equal(countsOf(second.output, table).created, 0, table);
    assert.equal(countsOf(second.output, 'orders').present, expected.orders);
    assert.equal((await api.catalog.get('/v1/events/search?limit=1')).body.total_count, expected.events);
    assert.equal((await api.user.get('/v1/users?limit=1', { token: admin })).body.totalCount, expected.users + 1);
  });

  it('a malformed row is reported with file and line and skipped; the rest loads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etsr-seed-bad-'));
    cpSync(EXPORT, dir, { recursive: true });
    // Other e-mails, so these users are new accounts rather than conflicts with the first import.
    writeFileSync(join(dir, 'etsr_users.csv'), readFileSync(join(dir, 'etsr_users.csv'), 'utf8').replace(/@mail\.com/g, '@copy.example'));
    const events = readFileSync(join(dir, 'etsr_events.csv'), 'utf8').split('\n');
    events[2] = events[2].replace(/\d{4}-\d{2}-\d{2} /, '2025-13-45 '); // line 3: bad date
    events[3] = events[3].replace(/^(\d+),\d+,/, '$1,999,'); // line 4: unknown venue
    writeFileSync(join(dir, 'etsr_events.csv'), events.join('\n'));
    const seats = readFileSync(join(dir, 'etsr_seats.csv'), 'utf8').split('\n');
    seats[4] = seats[4].replace(/,[^,]*$/, ''); // line 5: a missing column
    writeFileSync(join(dir, 'etsr_seats.csv'), seats.join('\n'));

    const run = await runSeedImport(stack, dir, ['--source', 'copy']);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /etsr_events\.csv:3: event_date "2025-13-45 [^"]*" is not a date-time/);
    assert.match(run.output, /etsr_events\.csv:4: venue_id 999 is not an imported venue/);
    assert.match(run.output, /etsr_seats\.csv:5: 5 field\(s\) where the header has 6; row skipped/);
    assert.deepEqual(countsOf(run.output, 'events'), { read: 60, created: 58, present: 0, skipped: 2 });
    assert.equal(countsOf(run.output, 'users').created, 80);
    assert.ok(countsOf(run.output, 'tickets').created > 0);
  });

  it('fails (exit 1) and names the service when one cannot be reached', async () => {
    const run = await runSeedImport({ ...stack, urls: { ...stack.urls, user: 'http://127.0.0.1:9' } }, EXPORT);
    assert.equal(run.code, 1);
    assert.match(run.output, /user service unreachable|cannot log in/);
  });
});
