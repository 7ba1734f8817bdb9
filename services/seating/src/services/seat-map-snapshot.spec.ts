import assert from 'node:assert/strict';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { SnapshotSeat } from '../repositories/seats.repository';
import { SeatMapDto, mapSeatMap } from '../dtos/seat.dto';
import { MapPlan, SeatMapSnapshot, diffSnapshots, matchesEtag, pickEncoding } from './seat-map-snapshot';

const seat = (seatId: number, section: string, row: string, status: SnapshotSeat['status'] = 'AVAILABLE'): SnapshotSeat => ({
  seatId,
  section,
  rowLabel: row,
  seatNumber: seatId,
  price: section === 'VIP' ? 150 : 50,
  rowIndex: row.charCodeAt(0) - 65,
  posX: 0,
  status,
});

const plan = (statuses: Record<number, SnapshotSeat['status']> = {}) =>
  [seat(1, 'VIP', 'A'), seat(2, 'VIP', 'A'), seat(3, 'REGULAR', 'B'), seat(4, 'REGULAR', 'B')].map((s) => ({
    ...s,
    status: statuses[s.seatId] ?? s.status,
  }));

describe('MapPlan', () => {
  // Map order is front to back; seat ids need not follow it (here the back row was created first).
  const seats = [seat(30, 'VIP', 'A'), seat(31, 'VIP', 'A'), seat(10, 'REGULAR', 'B'), seat(11, 'REGULAR', 'B')].map(({ status: _, ...s }) => s);
  const statuses = (json: string) => (JSON.parse(json) as SeatMapDto).sections.flatMap((s) => s.rows.flatMap((r) => r.seats.map((x) => [x[0], x[2]])));

  it('lays the letters, listed by seat id, on the seats in map order: the same JSON as the map built seat by seat', () => {
    // By seat id: 10 R, 11 S, 30 A, 31 B.
    const plan = new MapPlan(seats, 9);
    const json = plan.mapJson('RSAB');
    assert.deepEqual(statuses(json), [[30, 'AVAILABLE'], [31, 'BLOCKED'], [10, 'RESERVED'], [11, 'ALLOCATED']]);
    const withStatus = seats.map((s) => ({ ...s, status: ({ 10: 'RESERVED', 11: 'ALLOCATED', 30: 'AVAILABLE', 31: 'BLOCKED' } as const)[s.seatId as 10 | 11 | 30 | 31] }));
    assert.equal(json, JSON.stringify(mapSeatMap(9, withStatus)));
    assert.deepEqual(statuses(plan.mapJson('RSAB', 'REGULAR')), [[10, 'RESERVED'], [11, 'ALLOCATED']]);
    assert.equal(JSON.parse(plan.mapJson('RSAB', 'REGULAR')).totalSeats, 2);
  });

  it('counts by section and lists the seats whose letter changed, in map order', () => {
    const plan = new MapPlan(seats, 9);
    assert.deepEqual(
      plan.counts('RSAB').map((c) => [c.section, c.total, c.available, c.reserved, c.allocated, c.blocked]),
      [['VIP', 2, 1, 0, 0, 1], ['REGULAR', 2, 0, 1, 1, 0]],
    );
    assert.deepEqual(plan.changes('AAAA', 'RAAB'), [[31, 'BLOCKED'], [10, 'RESERVED']]);
  });

  it('gives no snapshot for letters of another number of seats (a plan added since), and refuses an unknown letter', () => {
    const plan = new MapPlan(seats, 9);
    assert.equal(SeatMapSnapshot.of(9, plan, 'AAAAA', null), undefined);
    assert.equal(SeatMapSnapshot.of(9, plan, 'AAA', null), undefined);
    assert.throws(() => SeatMapSnapshot.of(9, plan, 'AAAX', null), /Unknown seat state letter/);
  });
});

describe('SeatMapSnapshot', () => {
  it('versions by content: the same seats give the same version, one status changed gives another', () => {
    const a = SeatMapSnapshot.build(1, plan());
    assert.equal(SeatMapSnapshot.build(1, plan()).version, a.version);
    assert.notEqual(SeatMapSnapshot.build(1, plan({ 2: 'RESERVED' })).version, a.version);
    assert.equal(a.etag, `W/"${a.version}"`);
  });

  it('counts by section front to back, with the earliest live hold', () => {
    const s = SeatMapSnapshot.build(7, plan({ 1: 'RESERVED', 2: 'ALLOCATED', 4: 'BLOCKED' }), 5000);
    assert.deepEqual(s.availability(), {
      eventId: 7,
      totalSeats: 4,
      availableSeats: 1,
      reservedSeats: 1,
      allocatedSeats: 1,
      blockedSeats: 1,
      seatsBySection: [
        { section: 'VIP', totalSeats: 2, availableSeats: 0, reservedSeats: 1, allocatedSeats: 1, blockedSeats: 0, price: 150 },
        { section: 'REGULAR', totalSeats: 2, availableSeats: 1, reservedSeats: 0, allocatedSeats: 0, blockedSeats: 1, price: 50 },
      ],
    });
    assert.equal(s.earliestHoldExpiry, 5000);
    assert.equal(s.availability('NOPE'), undefined);
  });

  it('serialises each body once and filters sections from the same snapshot', async () => {
    const s = SeatMapSnapshot.build(7, plan());
    assert.equal(s.mapBody(), s.mapBody(), 'the same prepared body');
    const vip = JSON.parse(s.mapBody('VIP')!.json.toString());
    assert.deepEqual([vip.totalSeats, vip.sections.map((x: { section: string }) => x.section)], [2, ['VIP']]);
    assert.equal(s.mapBody('NOPE'), undefined);
    assert.equal(s.mapBody(''), undefined, 'an empty section is no section, not the whole map');
    assert.equal(s.availabilityBody(''), undefined);
    const body = s.mapBody()!;
    const gz = await body.encode('gzip');
    assert.equal(await body.encode('gzip'), gz, 'compressed once');
    assert.deepEqual(gunzipSync(gz), body.json);
    assert.deepEqual(brotliDecompressSync(await body.encode('br')), body.json);
  });

  it('an event without seats has no bodies', () => {
    const s = SeatMapSnapshot.build(7, []);
    assert.equal(s.exists, false);
    assert.equal(s.mapBody(), undefined);
    assert.equal(s.availabilityBody(), undefined);
  });

  it('diffs consecutive snapshots to the seats whose status changed, in map order', () => {
    const before = SeatMapSnapshot.build(1, plan({ 3: 'RESERVED' }));
    const after = SeatMapSnapshot.build(1, plan({ 1: 'RESERVED', 4: 'ALLOCATED' }));
    assert.deepEqual(diffSnapshots(before, after), { changes: [[1, 'RESERVED'], [3, 'AVAILABLE'], [4, 'ALLOCATED']], reload: false });
    const grown = SeatMapSnapshot.build(1, [...plan(), seat(5, 'REGULAR', 'C')]);
    assert.deepEqual(diffSnapshots(SeatMapSnapshot.build(1, plan()), grown), { changes: [[5, 'AVAILABLE']], reload: true });
  });
});

describe('pickEncoding', () => {
  it('takes brotli, then gzip, as the client allows', () => {
    assert.equal(pickEncoding(undefined), undefined);
    assert.equal(pickEncoding('gzip, deflate, br'), 'br');
    assert.equal(pickEncoding('gzip'), 'gzip');
    assert.equal(pickEncoding('br;q=0, gzip'), 'gzip');
    assert.equal(pickEncoding('br;q=0.5, gzip;q=0.8'), 'gzip');
    assert.equal(pickEncoding('identity'), undefined);
    assert.equal(pickEncoding('*'), 'br');
    assert.equal(pickEncoding('*;q=0'), undefined);
  });
});

describe('matchesEtag', () => {
  it('compares weakly, in a list, or with *', () => {
    assert.equal(matchesEtag('W/"abc"', 'W/"abc"'), true);
    assert.equal(matchesEtag('"abc"', 'W/"abc"'), true);
    assert.equal(matchesEtag('"x", W/"abc"', 'W/"abc"'), true);
    assert.equal(matchesEtag('*', 'W/"abc"'), true);
    assert.equal(matchesEtag('"abcd"', 'W/"abc"'), false);
    assert.equal(matchesEtag(undefined, 'W/"abc"'), false);
  });
});
