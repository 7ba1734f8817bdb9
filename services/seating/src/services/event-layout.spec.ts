import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventLayout, LayoutSeat } from './event-layout';

/** Row `label` of `size` seats with ids row*100 + number, split after the seats in `aisles`. */
function row(rowIndex: number, size: number, aisles: number[] = [], section = 'FLOOR'): LayoutSeat[] {
  return Array.from({ length: size }, (_, i) => ({
    seatId: rowIndex * 100 + i + 1,
    section,
    rowLabel: String.fromCharCode(65 + rowIndex),
    rowIndex,
    rowSize: size,
    segment: aisles.filter((a) => a < i + 1).length,
    seatNumber: i + 1,
    posX: i,
  }));
}
const ids = (...numbers: number[]) => new Set(numbers);

describe('EventLayout', () => {
  const layout = new EventLayout([...row(0, 6), ...row(1, 8, [4]), ...row(2, 3, [], 'BALCONY')]);

  it('cuts runs at taken seats, row ends and aisles, front rows first', () => {
    const free = ids(1, 2, 4, 5, 6, 101, 102, 103, 104, 105, 106, 201, 202);
    const runs = layout.runs(free).map((r) => [r.rowLabel, r.first, r.last, r.segmentFirst, r.segmentLast, r.seatIds.length]);
    assert.deepEqual(runs, [
      ['A', 1, 2, 1, 6, 2],
      ['A', 4, 6, 1, 6, 3],
      ['B', 1, 4, 1, 4, 4], // the aisle after seat 4 ends the run
      ['B', 5, 6, 5, 8, 2],
      ['C', 1, 2, 1, 3, 2],
    ]);
  });

  it('lists its sections in plan order and knows its seats', () => {
    assert.deepEqual(layout.sections, ['FLOOR', 'BALCONY']);
    assert.ok(layout.covers([1, 108, 203]));
    assert.ok(!layout.covers([1, 999]));
  });

  it('has no runs when nothing is free', () => {
    assert.deepEqual(layout.runs(new Set()), []);
  });
});
