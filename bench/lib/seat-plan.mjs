// The arena-shaped seat plan of the flash-sale benchmark, its rectangular stand-in for a seating
// service that takes only `{name, rows, seatsPerRow, price}`, and the runs of adjacent seats a
// best-available request may hold (one row, never across an aisle). Pure functions, covered by
// e2e/test/bench-helpers.spec.ts.

/** Share of the seats, price, first row's length, growth per row (a bowl widens towards the back). */
const SECTIONS = [
  { name: 'FLOOR', share: 0.16, price: 250, firstRow: 24, growth: 0 },
  { name: 'LOWER_EAST', share: 0.21, price: 150, firstRow: 26, growth: 2 },
  { name: 'LOWER_WEST', share: 0.21, price: 150, firstRow: 26, growth: 2 },
  { name: 'UPPER_EAST', share: 0.21, price: 80, firstRow: 36, growth: 3 },
  { name: 'UPPER_WEST', share: 0.21, price: 80, firstRow: 36, growth: 3 },
];
/** An aisle after every AISLE_EVERY seats (not right before the row's end). */
const AISLE_EVERY = 12;

/**
 * Sections of rows listed one by one (`{name, price, rows: [{seats, aisles}]}`) holding exactly
 * `totalSeats` seats: rows of different lengths, split by aisles.
 */
export function arenaPlan(totalSeats) {
  if (!Number.isInteger(totalSeats) || totalSeats < SECTIONS.length * 4) throw new RangeError(`arenaPlan: at least ${SECTIONS.length * 4} seats`);
  let left = totalSeats;
  return SECTIONS.map((section, i) => {
    const quota = i === SECTIONS.length - 1 ? left : Math.round(totalSeats * section.share);
    left -= quota;
    const lengths = [];
    let placed = 0;
    for (let r = 0; placed < quota; r++) {
      // The floor alternates lengths; the tiers widen row by row, capped at 500 (the service's maximum).
      const wanted = section.growth ? section.firstRow + r * section.growth : section.firstRow + (r % 3) * 2;
      const seats = Math.min(500, wanted, quota - placed);
      lengths.push(seats);
      placed += seats;
    }
    // A last row of a few seats joins the row before it (still at most 500).
    if (lengths.length > 1 && lengths[lengths.length - 1] < 4 && lengths[lengths.length - 2] + lengths[lengths.length - 1] <= 500) {
      lengths[lengths.length - 2] += lengths.pop();
    }
    return { name: section.name, price: section.price, rows: lengths.map((seats) => ({ seats, aisles: aislesFor(seats) })) };
  });
}

/** Seat numbers after which an aisle splits a row of `seats` seats. */
export function aislesFor(seats) {
  const aisles = [];
  for (let n = AISLE_EVERY; n < seats - 2; n += AISLE_EVERY) aisles.push(n);
  return aisles;
}

/** The same sections as rectangles of the shaped plan's average row length (close to, not exactly, the same seat count). */
export function rectangularPlan(plan) {
  return plan.map((section) => {
    const seats = section.rows.reduce((n, r) => n + r.seats, 0);
    const seatsPerRow = Math.max(1, Math.min(500, Math.round(seats / section.rows.length)));
    return { name: section.name, price: section.price, rows: Math.max(1, Math.min(200, Math.round(seats / seatsPerRow))), seatsPerRow };
  });
}

export const planSeats = (plan) => plan.reduce((n, s) => n + (Array.isArray(s.rows) ? s.rows.reduce((m, r) => m + r.seats, 0) : s.rows * s.seatsPerRow), 0);

/**
 * Runs of adjacent seats, from the service's seat map (`GET /v1/seats?eventId=`: sections → rows
 * → `[seatId, number, status, x]`): each row in seat-number order, cut after every aisle of the
 * plan's row (rows matched by their order front to back within the section; a rectangular plan
 * has no aisles). Returns `[{ section, seatIds }]`.
 */
export function adjacentRuns(map, plan) {
  const runs = [];
  for (const section of map.sections) {
    const planned = plan?.find((s) => s.name === section.section);
    const rows = [...section.rows].sort((a, b) => a.y - b.y);
    rows.forEach((row, i) => {
      const aisles = new Set(Array.isArray(planned?.rows) ? (planned.rows[i]?.aisles ?? []) : []);
      const seats = [...row.seats].sort((a, b) => Number(a[1]) - Number(b[1]));
      let run = [];
      for (const [seatId, number] of seats) {
        run.push(Number(seatId));
        if (aisles.has(Number(number))) {
          runs.push({ section: section.section, seatIds: run });
          run = [];
        }
      }
      if (run.length) runs.push({ section: section.section, seatIds: run });
    });
  }
  return runs;
}
