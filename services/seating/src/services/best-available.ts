import { FreeRun } from '../repositories/seats.repository';

export interface Choice {
  seatIds: number[];
  section: string;
  rowLabel: string;
  /** The block leaves a single free seat between it and a taken seat. */
  leavesOrphan: boolean;
  rowIndex: number;
  /** Distance of the block's middle from the row's centre. */
  offCentre: number;
}

export interface SectionFit {
  section: string;
  availableSeats: number;
  /** The most adjacent seats one request could still get in this section. */
  largestBlock: number;
}

/** What is left, for a buyer who was told nothing fits: enough to choose again. */
export interface Leftover {
  availableSeats: number;
  largestBlock: number;
  sections: SectionFit[];
}

/** A run being handed out: seats first..last of one row are free (as far as this planner knows). */
interface OpenRun {
  run: FreeRun;
  first: number;
  last: number;
}

/**
 * Hands out the best blocks of adjacent seats to a queue of requests, one after the other, from
 * one reading of an event's free runs. Each block is removed from the runs it came from, so the
 * next request of the same batch gets the next best seats instead of the same ones: that is what
 * lets a whole batch of buyers be placed in one transaction without fighting over seats.
 *
 * "Best" is, in this order: no single seat stranded between taken ones if any choice avoids it (a
 * seat at a row's end is not stranded: nobody sits on the other side), the row closest to the
 * front, the block closest to the row's centre.
 */
export class SeatBlockPlanner {
  /** Open runs, front rows first (the order EventLayout.runs() returns them in). */
  private runs: OpenRun[];

  constructor(runs: FreeRun[], private readonly knownSections: string[] = []) {
    this.runs = runs.map((run) => ({ run, first: run.first, last: run.last }));
  }

  /** The best block of `quantity` seats (in `section`, if given), taken out of the runs; undefined when none fits. */
  take(quantity: number, section?: string): Choice | undefined {
    let best: { open: OpenRun; offset: number; leavesOrphan: boolean; offCentre: number } | undefined;
    for (const open of this.runs) {
      if (section !== undefined && open.run.section !== section) continue;
      // Runs come front first: once a block without an orphan is found, rows further back cannot beat it.
      if (best && !best.leavesOrphan && open.run.rowIndex > best.open.run.rowIndex) break;
      const length = open.last - open.first + 1;
      if (length < quantity) continue;
      const candidate = bestOffset(open, quantity);
      if (!best || better(candidate, open.run.rowIndex, best, best.open.run.rowIndex)) best = { open, ...candidate };
    }
    if (!best) return undefined;
    const { open, offset } = best;
    const start = open.first + offset;
    const from = start - open.run.first;
    const seatIds = open.run.seatIds.slice(from, from + quantity);
    const xs = open.run.xs.slice(from, from + quantity);
    this.remove(open, start, start + quantity - 1);
    return {
      seatIds,
      section: open.run.section,
      rowLabel: open.run.rowLabel,
      rowIndex: open.run.rowIndex,
      leavesOrphan: best.leavesOrphan,
      offCentre: Math.abs((xs[0] + xs[xs.length - 1]) / 2),
    };
  }

  /** Free seats and the largest block left, overall and by section (every known section, even empty ones). */
  leftover(section?: string): Leftover {
    const bySection = new Map<string, SectionFit>();
    for (const name of this.knownSections) bySection.set(name, { section: name, availableSeats: 0, largestBlock: 0 });
    for (const open of this.runs) {
      const name = open.run.section;
      let fit = bySection.get(name);
      if (!fit) bySection.set(name, (fit = { section: name, availableSeats: 0, largestBlock: 0 }));
      const length = open.last - open.first + 1;
      fit.availableSeats += length;
      fit.largestBlock = Math.max(fit.largestBlock, length);
    }
    const sections = [...bySection.values()].filter((s) => section === undefined || s.section === section);
    return {
      availableSeats: sections.reduce((n, s) => n + s.availableSeats, 0),
      largestBlock: sections.reduce((n, s) => Math.max(n, s.largestBlock), 0),
      sections,
    };
  }

  private remove(open: OpenRun, start: number, end: number): void {
    const index = this.runs.indexOf(open);
    const pieces: OpenRun[] = [];
    if (start > open.first) pieces.push({ run: open.run, first: open.first, last: start - 1 });
    if (end < open.last) pieces.push({ run: open.run, first: end + 1, last: open.last });
    this.runs.splice(index, 1, ...pieces);
  }
}

/** The best place for `quantity` seats inside one open run: no orphan if possible, then the most central. */
function bestOffset(open: OpenRun, quantity: number): { offset: number; leavesOrphan: boolean; offCentre: number } {
  const { run, first, last } = open;
  let best = { offset: 0, leavesOrphan: true, offCentre: Infinity };
  for (let offset = 0; first + offset + quantity - 1 <= last; offset++) {
    const start = first + offset;
    const end = start + quantity - 1;
    const leavesOrphan = (start - first === 1 && first > run.segmentFirst) || (last - end === 1 && last < run.segmentLast);
    const offCentre = Math.abs((run.xs[start - run.first] + run.xs[end - run.first]) / 2);
    if ((best.leavesOrphan && !leavesOrphan) || (best.leavesOrphan === leavesOrphan && offCentre < best.offCentre)) {
      best = { offset, leavesOrphan, offCentre };
    }
  }
  return best;
}

function better(a: { leavesOrphan: boolean; offCentre: number }, aRow: number, b: { leavesOrphan: boolean; offCentre: number }, bRow: number): boolean {
  if (a.leavesOrphan !== b.leavesOrphan) return !a.leavesOrphan;
  if (aRow !== bRow) return aRow < bRow;
  return a.offCentre < b.offCentre;
}
