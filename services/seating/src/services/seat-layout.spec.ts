import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSeats, rowLabel } from './seat-layout';

describe('seat layout', () => {
  it('labels rows A..Z, then AA, AB, …', () => {
    assert.deepEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(rowLabel), ['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('numbers seats from 1, rows across sections front to back, x from the row centre', () => {
    const seats = planSeats([
      { name: 'VIP', rows: 1, seatsPerRow: 4, price: 150 },
      { name: 'REGULAR', rows: 2, seatsPerRow: 3, price: 50 },
    ]);
    assert.equal(seats.length, 10);
    assert.deepEqual(
      seats.filter((s) => s.section === 'VIP').map((s) => [s.rowLabel, s.seatNumber, s.posX, s.rowIndex, s.rowSize]),
      [
        ['A', 1, -1.5, 0, 4],
        ['A', 2, -0.5, 0, 4],
        ['A', 3, 0.5, 0, 4],
        ['A', 4, 1.5, 0, 4],
      ],
    );
    assert.deepEqual([...new Set(seats.filter((s) => s.section === 'REGULAR').map((s) => s.rowLabel))], ['B', 'C']);
    assert.deepEqual(seats.filter((s) => s.rowLabel === 'C').map((s) => s.posX), [-1, 0, 1]);
  });
});
