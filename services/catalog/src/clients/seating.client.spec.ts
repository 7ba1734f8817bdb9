import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidSnapshotError, parseSnapshot } from './seating.client';

describe('parseSnapshot', () => {
  it('reads the availability document of the seating service', () => {
    const snapshot = parseSnapshot({
      asOf: '2026-11-21T06:00:00.000Z',
      events: [{ eventId: 1, totalSeats: 1000, availableSeats: 847, reservedSeats: 123, allocatedSeats: 30, blockedSeats: 0 }],
    });
    assert.deepEqual(snapshot, { asOf: new Date('2026-11-21T06:00:00.000Z'), events: [{ eventId: 1, availableSeats: 847 }], skipped: 0 });
  });

  it('skips entries that are not seat counts, and caps absurd counts', () => {
    const snapshot = parseSnapshot({
      asOf: '2026-11-21T06:00:00Z',
      events: [{ eventId: 2, availableSeats: 5 }, { eventId: '3', availableSeats: 1 }, { eventId: 4, availableSeats: -1 }, { eventId: 0, availableSeats: 1 }, { eventId: 5, availableSeats: 1.5 }, null, 7, { eventId: 6, availableSeats: 1e12 }],
    });
    assert.deepEqual(snapshot.events, [{ eventId: 2, availableSeats: 5 }, { eventId: 6, availableSeats: 2_147_483_647 }]);
    assert.equal(snapshot.skipped, 6);
  });

  it('refuses a body that is not an availability document', () => {
    for (const body of [undefined, null, 'ok', {}, { asOf: 'soon', events: [] }, { asOf: '2026-11-21T06:00:00Z' }, { asOf: '2026-11-21T06:00:00Z', events: {} }]) {
      assert.throws(() => parseSnapshot(body), InvalidSnapshotError, JSON.stringify(body));
    }
  });
});
