// A venue's seat layout as both the seating service (which builds the seats from it) and the
// catalog (which takes one with a new event and hands it to seating) read it: the shapes, and the
// checks that need no database, so an event is never accepted with a layout seating would refuse.

/** A rectangular section: `rows` rows of `seatsPerRow` seats. */
export interface RectangularSection {
  name: string;
  rows: number;
  seatsPerRow: number;
  price: number;
}

/** One row listed on its own: its length, an optional label and the seat numbers an aisle follows. */
export interface RowShape {
  label?: string;
  seats: number;
  aisles?: number[];
}

/** A section whose rows are listed one by one. */
export interface ShapedSection {
  name: string;
  rows: RowShape[];
  price: number;
}

export type SectionLayout = RectangularSection | ShapedSection;

/** A row placed in the venue: its label (given or from its place) and its distance from the front. */
export interface PlacedRow {
  section: string;
  price: number;
  label: string;
  /** False when the label comes from the row's place in the venue. */
  labelGiven: boolean;
  rowIndex: number;
  seats: number;
  aisles: number[];
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

/** The section's rows, one by one, whichever form it was given in. */
export function rowsOf(section: SectionLayout): RowShape[] {
  return typeof section.rows === 'number' ? Array.from({ length: section.rows }, () => ({ seats: (section as RectangularSection).seatsPerRow })) : section.rows;
}

/** Seats of a layout, counted without laying them out (to refuse an oversized plan cheaply). */
export function seatCount(sections: SectionLayout[]): number {
  return sections.reduce(
    (n, s) => n + (typeof s.rows === 'number' ? s.rows * (s as RectangularSection).seatsPerRow : s.rows.reduce((m, r) => m + r.seats, 0)),
    0,
  );
}

/**
 * Rows of a layout, front to back. Sections are given front to back; a row without a label is
 * labelled by its place across the whole venue (VIP A, PREMIUM B, …, as in the
 * README's demo event: VIP rows A-E, PREMIUM F-O), so rectangular plans keep the labels they always had.
 */
export function placeRows(sections: SectionLayout[]): PlacedRow[] {
  const rows: PlacedRow[] = [];
  for (const section of sections) {
    for (const row of rowsOf(section)) {
      const rowIndex = rows.length;
      rows.push({
        section: section.name,
        price: section.price,
        label: row.label ?? rowLabel(rowIndex),
        labelGiven: row.label !== undefined,
        rowIndex,
        seats: row.seats,
        aisles: row.aisles ?? [],
      });
    }
  }
  return rows;
}

/** What is wrong with the rows' labels (one label for two rows), or undefined. */
export function rowLabelProblem(rows: PlacedRow[]): string | undefined {
  const seen = new Map<string, PlacedRow>();
  for (const row of rows) {
    const other = seen.get(row.label);
    if (!other) {
      seen.set(row.label, row);
      continue;
    }
    const describe = (r: PlacedRow) => `row ${r.rowIndex + 1} of the venue (section ${r.section}${r.labelGiven ? '' : ', labelled by its place'})`;
    return `Row labels must be unique across the venue: ${describe(other)} and ${describe(row)} are both "${row.label}"; give them distinct labels`;
  }
  return undefined;
}

/**
 * What is wrong with a layout beyond each field's own rules (section names repeated, one row label
 * for two rows), or undefined. The largest plan a seating service accepts is its own setting.
 */
export function seatLayoutProblem(sections: SectionLayout[]): string | undefined {
  const names = sections.map((s) => s.name);
  if (new Set(names).size !== names.length) return 'Section names must be unique';
  return rowLabelProblem(placeRows(sections));
}
