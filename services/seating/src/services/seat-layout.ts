import { PlannedSeat } from '../repositories/seats.repository';

export interface SectionLayout {
  name: string;
  rows: number;
  seatsPerRow: number;
  price: number;
}

/** Row labels A..Z, then AA, AB, … (spreadsheet style), so any number of rows gets a short, unique label. */
export function rowLabel(index: number): string {
  let label = '';
  let n = index + 1;
  while (n > 0) {
    const rem = (n - 1) % 26;
    label = String.fromCharCode(65 + rem) + label;
    n = Math.floor((n - 1) / 26);
  }
  return label;
}

/**
 * Seats of a layout. Sections are given front to back; rows are labelled across the whole venue
 * (VIP A, PREMIUM B, …, as the architecture document's examples show), seats are numbered from 1,
 * and each seat gets a position: its row's distance from the front and its offset from the row's
 * centre, which is what "best available" and seat maps need.
 */
export function planSeats(sections: SectionLayout[]): PlannedSeat[] {
  const seats: PlannedSeat[] = [];
  let rowIndex = 0;
  for (const section of sections) {
    for (let r = 0; r < section.rows; r++, rowIndex++) {
      for (let n = 1; n <= section.seatsPerRow; n++) {
        seats.push({
          section: section.name,
          rowLabel: rowLabel(rowIndex),
          seatNumber: n,
          price: section.price,
          rowIndex,
          rowSize: section.seatsPerRow,
          posX: n - (section.seatsPerRow + 1) / 2,
        });
      }
    }
  }
  return seats;
}
