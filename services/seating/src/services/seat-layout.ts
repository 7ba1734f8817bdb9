import { PlacedRow, SectionLayout, placeRows } from '@etsr/platform';
import { PlannedSeat } from '../repositories/seats.repository';

/**
 * Seats of placed rows, numbered from 1 in each row. Each seat gets a position for drawing and
 * "best available": y is its row's place from the front (rowIndex), x its offset from the row's
 * centre, where an aisle takes the width of one seat. `segment` says which part of the row
 * between aisles the seat is in, so a block of seats never spans an aisle.
 */
export function seatsOfRows(rows: PlacedRow[]): PlannedSeat[] {
  const seats: PlannedSeat[] = [];
  for (const row of rows) {
    const width = row.seats + row.aisles.length;
    let segment = 0;
    for (let n = 1; n <= row.seats; n++) {
      // Aisles are validated as increasing, so the next one to cross is always aisles[segment].
      if (row.aisles[segment] === n - 1) segment++;
      seats.push({
        section: row.section,
        rowLabel: row.label,
        seatNumber: n,
        price: row.price,
        rowIndex: row.rowIndex,
        rowSize: row.seats,
        posX: n + segment - (width + 1) / 2,
        segment,
      });
    }
  }
  return seats;
}

export function planSeats(sections: SectionLayout[]): PlannedSeat[] {
  return seatsOfRows(placeRows(sections));
}
