import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeRows, rowLabel, rowLabelProblem, seatCount } from '@etsr/platform';
import { planSeats } from './seat-layout';

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

  it('lays out rows listed one by one: own lengths, aisles one seat wide, segments between aisles', () => {
    const seats = planSeats([
      { name: 'STALLS', price: 80, rows: [{ seats: 4 }, { seats: 6, aisles: [3] }, { label: 'AA', seats: 7, aisles: [2, 5] }] },
      { name: 'BALCONY', rows: 1, seatsPerRow: 3, price: 40 },
    ]);
    const row = (label: string) => seats.filter((s) => s.rowLabel === label).map((s) => [s.seatNumber, s.posX, s.segment]);
    assert.deepEqual(row('A'), [[1, -1.5, 0], [2, -0.5, 0], [3, 0.5, 0], [4, 1.5, 0]]);
    // 6 seats and an aisle: 7 seat widths, the aisle at the centre.
    assert.deepEqual(row('B'), [[1, -3, 0], [2, -2, 0], [3, -1, 0], [4, 1, 1], [5, 2, 1], [6, 3, 1]]);
    assert.deepEqual(row('AA'), [[1, -4, 0], [2, -3, 0], [3, -1, 1], [4, 0, 1], [5, 1, 1], [6, 3, 2], [7, 4, 2]]);
    // Unlabelled rows keep their place in the venue as label, whatever the form of their section.
    assert.deepEqual(row('D'), [[1, -1, 0], [2, 0, 0], [3, 1, 0]]);
    assert.deepEqual([...new Set(seats.map((s) => `${s.section} ${s.rowLabel} ${s.rowIndex} ${s.rowSize} ${s.price}`))], [
      'STALLS A 0 4 80',
      'STALLS B 1 6 80',
      'STALLS AA 2 7 80',
      'BALCONY D 3 3 40',
    ]);
    assert.equal(seats.length, 20);
  });

  it('a rectangular section and the same rows listed one by one make the same seats', () => {
    const rectangular = planSeats([{ name: 'VIP', rows: 3, seatsPerRow: 5, price: 150 }]);
    const listed = planSeats([{ name: 'VIP', price: 150, rows: [{ seats: 5 }, { seats: 5, aisles: [] }, { label: 'C', seats: 5 }] }]);
    assert.deepEqual(listed, rectangular);
  });

  it('counts seats of both forms', () => {
    assert.equal(seatCount([{ name: 'A', rows: 200, seatsPerRow: 500, price: 1 }, { name: 'B', price: 1, rows: [{ seats: 3 }, { seats: 4, aisles: [1] }] }]), 100_007);
  });

  it('finds a label used twice, given or from a row\'s place', () => {
    assert.equal(rowLabelProblem(placeRows([{ name: 'S', price: 1, rows: [{ label: 'X', seats: 1 }, { label: 'Y', seats: 1 }, { seats: 1 }] }])), undefined);
    const given = rowLabelProblem(placeRows([{ name: 'S', price: 1, rows: [{ label: 'X', seats: 1 }] }, { name: 'T', price: 1, rows: [{ label: 'X', seats: 2 }] }]));
    assert.match(given ?? '', /row 1 of the venue \(section S\) and row 2 of the venue \(section T\) are both "X"/);
    // The second row is labelled B by its place; the first row took B by name.
    const placed = rowLabelProblem(placeRows([{ name: 'S', price: 1, rows: [{ label: 'B', seats: 1 }, { seats: 1 }] }]));
    assert.match(placed ?? '', /row 2 of the venue \(section S, labelled by its place\)/);
  });
});
