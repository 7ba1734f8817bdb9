import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FreeRun } from '../repositories/seats.repository';
import { SeatBlockPlanner } from './best-available';

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
/** One request placed on its own. */
const chooseBestSeats = (runs: FreeRun[], quantity: number) => new SeatBlockPlanner(runs).take(quantity);

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

describe('SeatBlockPlanner: a batch of requests on one reading', () => {
  it('gives each request of a batch different seats, the best first', () => {
    const planner = new SeatBlockPlanner([run(0, 1, 10), run(1, 1, 10)]);
    const first = planner.take(2)!;
    const second = planner.take(2)!;
    assert.deepEqual(numbersOf(first.seatIds), [5, 6]);
    assert.equal(second.rowIndex, 0);
    assert.equal(new Set([...first.seatIds, ...second.seatIds]).size, 4);
  });

  it('never places two requests on one seat, and fills the event exactly', () => {
    const planner = new SeatBlockPlanner([run(0, 1, 10), run(1, 1, 10), run(2, 1, 7)], ['A']);
    const seen = new Set<number>();
    let placed = 0;
    for (let i = 0; i < 100; i++) {
      const choice = planner.take(1 + (i % 3));
      if (!choice) continue;
      for (const id of choice.seatIds) {
        assert.ok(!seen.has(id), `seat ${id} handed out twice`);
        seen.add(id);
      }
      placed += choice.seatIds.length;
      // Every block is adjacent seats of one row.
      const numbers = numbersOf(choice.seatIds);
      assert.deepEqual(numbers, numbers.map((_, k) => numbers[0] + k));
      assert.ok(choice.seatIds.every((id) => Math.floor(id / 100) === choice.rowIndex));
    }
    assert.equal(placed, 27);
    assert.equal(planner.take(1), undefined);
    assert.deepEqual(planner.leftover(), { availableSeats: 0, largestBlock: 0, sections: [{ section: 'A', availableSeats: 0, largestBlock: 0 }] });
  });

  it('leaves no orphan while a choice avoids it, even late in a batch', () => {
    const planner = new SeatBlockPlanner([run(0, 1, 10)]);
    const taken = [3, 3, 2].map((quantity) => planner.take(quantity)!);
    assert.ok(taken.every((c) => !c.leavesOrphan));
    // 4-6 (centre), 7-9 (leaves 10 at the row's end), 2-3 (leaves 1 at the row's end, not 3 beside 4).
    assert.deepEqual(taken.map((c) => numbersOf(c.seatIds)), [[4, 5, 6], [7, 8, 9], [2, 3]]);
  });

  it('says what is left when nothing fits, by section (sections with nothing left included)', () => {
    const planner = new SeatBlockPlanner([run(0, 2, 3, 10, 'VIP'), run(1, 5, 5, 10, 'VIP')], ['VIP', 'FLOOR']);
    assert.equal(planner.take(3), undefined);
    assert.deepEqual(planner.leftover(), {
      availableSeats: 3,
      largestBlock: 2,
      sections: [
        { section: 'VIP', availableSeats: 3, largestBlock: 2 },
        { section: 'FLOOR', availableSeats: 0, largestBlock: 0 },
      ],
    });
    assert.deepEqual(planner.leftover('FLOOR'), { availableSeats: 0, largestBlock: 0, sections: [{ section: 'FLOOR', availableSeats: 0, largestBlock: 0 }] });
    assert.equal(planner.take(2, 'FLOOR'), undefined);
    assert.deepEqual(numbersOf(planner.take(2, 'VIP')!.seatIds), [2, 3]);
  });

  it('treats the ends of a row segment like the ends of a row (an aisle has nobody on its other side)', () => {
    // Seats 1-5 | aisle | 6-10: seats 3-5 free, 5 is at the aisle.
    const segment = { ...run(0, 3, 5), segmentFirst: 1, segmentLast: 5 };
    const choice = new SeatBlockPlanner([segment]).take(2)!;
    // 4-5 leaves 3 next to taken 2: an orphan; 3-4 leaves 5 beside the aisle: fine.
    assert.deepEqual(numbersOf(choice.seatIds), [3, 4]);
    assert.equal(choice.leavesOrphan, false);
  });
});
