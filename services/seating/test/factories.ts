import assert from 'node:assert/strict';
import { ApiResponse, client, eventually } from '@etsr/platform/testing';
import { adminToken } from './harness';

type Api = ReturnType<typeof client>;

let nextEvent = 1000;
/** An event id no other test in this process uses. */
export const newEventId = () => ++nextEvent;

/** Three sections like the walkthrough's: VIP rows A-B, PREMIUM C-E, REGULAR F-J, 10 seats a row (100 seats). */
export const SMALL_LAYOUT = [
  { name: 'VIP', rows: 2, seatsPerRow: 10, price: 150 },
  { name: 'PREMIUM', rows: 3, seatsPerRow: 10, price: 100 },
  { name: 'REGULAR', rows: 5, seatsPerRow: 10, price: 50 },
];

/**
 * A venue that is not rectangular: STALLS rows A (4 seats), B (6, an aisle after seat 3) and AA
 * (7, aisles after seats 2 and 5), then a rectangular BALCONY whose one row is D (3 seats): 20 seats.
 */
export const SHAPED_LAYOUT: [
  { name: string; price: number; rows: { label?: string; seats: number; aisles?: number[] }[] },
  { name: string; rows: number; seatsPerRow: number; price: number },
] = [
  { name: 'STALLS', price: 80, rows: [{ seats: 4 }, { seats: 6, aisles: [3] }, { label: 'AA', seats: 7, aisles: [2, 5] }] },
  { name: 'BALCONY', rows: 1, seatsPerRow: 3, price: 40 },
];

export interface SeatPlan {
  eventId: number;
  /** Seat ids by "SECTION-ROW-NUMBER", e.g. "VIP-A-1". */
  ids: Record<string, number>;
  all: number[];
}

export async function createPlan(api: Api, sections = SMALL_LAYOUT, eventId = newEventId()): Promise<SeatPlan> {
  const res = await api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId, venueId: 1, sections } });
  assert.equal(res.status, 201, res.text);
  const map = await api.get(`/v1/seats?eventId=${eventId}`);
  assert.equal(map.status, 200, map.text);
  const ids: Record<string, number> = {};
  for (const section of map.body.sections) {
    for (const row of section.rows) for (const [seatId, number] of row.seats) ids[`${section.section}-${row.row}-${number}`] = seatId;
  }
  return { eventId, ids, all: Object.values(ids) };
}

/**
 * Reads `path` until `ready(body)` holds: seat maps and counts come from a snapshot refreshed a
 * little after each change (tens of ms), so a read right after a write may still show the state before.
 */
export async function readSettled<T = any>(api: Api, path: string, ready: (body: T) => boolean, timeoutMs = 5000): Promise<ApiResponse<T>> {
  let last: ApiResponse<T> | undefined;
  return eventually(
    async () => {
      last = await api.get<T>(path);
      return last.status === 200 && ready(last.body) ? last : undefined;
    },
    timeoutMs,
    () => `${path} to settle (last: ${last?.status} ${last?.text.slice(0, 300)})`,
  );
}
