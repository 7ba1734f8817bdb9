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

/**
 * The best `quantity` adjacent seats among free runs: never leaving a single orphan seat between
 * taken ones when another choice exists, then closest to the front, then closest to the centre.
 * A gap of one seat next to the row's end is not an orphan: nobody sits on the other side of it.
 */
export function chooseBestSeats(runs: FreeRun[], quantity: number): Choice | undefined {
  let best: Choice | undefined;
  for (const run of runs) {
    const length = run.last - run.first + 1;
    for (let offset = 0; offset + quantity <= length; offset++) {
      const start = run.first + offset;
      const end = start + quantity - 1;
      const leftGap = start - run.first;
      const rightGap = run.last - end;
      const leavesOrphan = (leftGap === 1 && run.first > run.segmentFirst) || (rightGap === 1 && run.last < run.segmentLast);
      const xs = run.xs.slice(offset, offset + quantity);
      const choice: Choice = {
        seatIds: run.seatIds.slice(offset, offset + quantity),
        section: run.section,
        rowLabel: run.rowLabel,
        leavesOrphan,
        rowIndex: run.rowIndex,
        offCentre: Math.abs((xs[0] + xs[xs.length - 1]) / 2),
      };
      if (!best || better(choice, best)) best = choice;
    }
  }
  return best;
}

function better(a: Choice, b: Choice): boolean {
  if (a.leavesOrphan !== b.leavesOrphan) return !a.leavesOrphan;
  if (a.rowIndex !== b.rowIndex) return a.rowIndex < b.rowIndex;
  return a.offCentre < b.offCentre;
}
