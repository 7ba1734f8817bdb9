import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FreeRun } from '../repositories/seats.repository';
import { chooseBestSeats } from './best-available';

/** A free run of seats first..last in a row of `size` seats (one segment unless given); seat ids are row*100 + number. */
function run(rowIndex: number, first: number, last: number, size = 10, section = 'A', segment = [1, size]): FreeRun {
  const numbers = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  return {
    section,
    rowLabel: String.fromCharCode(65 + rowIndex),
    rowIndex,
    rowSize: size,
    first,
    last,
    segmentFirst: segment[0],
    segmentLast: segment[1],
    seatIds: numbers.map((n) => rowIndex * 100 + n),
    xs: numbers.map((n) => n - (size + 1) / 2),
  };
}
const numbersOf = (ids: number[]) => ids.map((id) => id % 100);

describe('chooseBestSeats', () => {
  it('takes the centre of the front row', () => {
    const choice = chooseBestSeats([run(0, 1, 10), run(1, 1, 10)], 2)!;
    assert.equal(choice.rowIndex, 0);
    assert.deepEqual(numbersOf(choice.seatIds), [5, 6]);
  });

  it('prefers the front over the centre', () => {
    const choice = chooseBestSeats([run(0, 1, 3), run(1, 1, 10)], 3)!;
    assert.equal(choice.rowIndex, 0);
    assert.deepEqual(numbersOf(choice.seatIds), [1, 2, 3]);
  });

  it('never leaves a single seat between taken ones when another choice exists', () => {
    // Row A: seats 3-6 free between taken 2 and 7; taking 3 seats would strand one seat.
    const choice = chooseBestSeats([run(0, 3, 6), run(1, 1, 10)], 3)!;
    assert.equal(choice.rowIndex, 1);
    assert.equal(choice.leavesOrphan, false);
  });

  it('a single seat left at the end of a row is not an orphan', () => {
    const choice = chooseBestSeats([run(0, 1, 4, 4)], 3)!;
    assert.equal(choice.leavesOrphan, false);
    assert.equal(choice.rowIndex, 0);
  });

  it('a single seat left beside an aisle is not an orphan', () => {
    // Row of 10, an aisle after seat 5, seat 10 taken: seats 6-9 free. 7-9 leaves seat 6 beside
    // the aisle (fine); 6-8, nearer the centre, would strand seat 9 next to the taken seat 10.
    const choice = chooseBestSeats([run(0, 6, 9, 10, 'A', [6, 10])], 3)!;
    assert.equal(choice.leavesOrphan, false);
    assert.deepEqual(numbersOf(choice.seatIds), [7, 8, 9]);
  });

  it('accepts an orphan when nothing else fits', () => {
    const choice = chooseBestSeats([run(0, 3, 6)], 3)!;
    assert.equal(choice.leavesOrphan, true);
    assert.equal(choice.seatIds.length, 3);
  });

  it('fills a run exactly when it fits', () => {
    assert.deepEqual(numbersOf(chooseBestSeats([run(0, 4, 6)], 3)!.seatIds), [4, 5, 6]);
  });

  it('finds nothing when no run is long enough', () => {
    assert.equal(chooseBestSeats([], 2), undefined);
  });
});
