// Was a buyer told "no block of N seats" while one was free? Decided after the sale, from the
// seating database, without trusting the service that answered. Pure function, covered by
// e2e/test/bench-helpers.spec.ts.
//
// A seat is certainly free at every moment before the first hold that ever took it started
// (reservations.created_at, the hold transaction's start; the plan was created before the sale),
// and for the whole sale if no hold ever took it. A refusal (SOLD_OUT / NOT_ENOUGH_SEATS for
// `quantity` seats, answered at `atMs`: the service decided at or before that moment) is false
// when some run of adjacent seats (one row, between aisles) holds `quantity` consecutive seats all
// first held after `atMs + marginMs`. Seats held, released and held again are judged by their
// first hold only, so a seat that was free again later never makes a refusal look false: the check
// can miss a false sold-out, but never reports one that did not happen.

/**
 * @param {{ runs: { section: string, seatIds: number[] }[],
 *           firstHeldAt: Map<number, number>,   // seat id → ms of the first hold that took it
 *           refusals: { atMs: number, quantity: number, section?: string }[],
 *           marginMs?: number }} input
 * @returns {{ atMs: number, quantity: number, section?: string, freeSeatIds: number[] }[]} the false ones, with a block that was free
 */
export function findFalseSoldOuts({ runs, firstHeldAt, refusals, marginMs = 1 }) {
  const found = [];
  for (const refusal of refusals) {
    const freeAfter = refusal.atMs + marginMs;
    let block;
    for (const run of runs) {
      if (refusal.section && run.section !== refusal.section) continue;
      let streak = 0;
      for (let i = 0; i < run.seatIds.length; i++) {
        const held = firstHeldAt.get(run.seatIds[i]);
        streak = held === undefined || held > freeAfter ? streak + 1 : 0;
        if (streak >= refusal.quantity) {
          block = run.seatIds.slice(i - refusal.quantity + 1, i + 1);
          break;
        }
      }
      if (block) break;
    }
    if (block) found.push({ ...refusal, freeSeatIds: block });
  }
  return found;
}
