import { FreeRun } from '../repositories/seats.repository';

/** One seat of a plan as it was created: none of this changes once an event has seats. */
export interface LayoutSeat {
  seatId: number;
  section: string;
  rowLabel: string;
  rowIndex: number;
  rowSize: number;
  segment: number;
  seatNumber: number;
  posX: number;
}

/**
 * An event's seat plan, kept in memory by the best-available allocator. A plan never changes once
 * created, so each batch only has to read which seats are free (one array of ids) instead of the
 * whole plan with its runs worked out in SQL; the runs are cut here, in front-to-back order.
 */
export class EventLayout {
  readonly sections: string[];
  private readonly ids: Set<number>;
  /** First and last seat number of each seat's segment (the part of its row between aisles). */
  private readonly bounds: { first: number; last: number }[];

  /** `seats` in plan order: row index, section, row label, seat number. */
  constructor(private readonly seats: LayoutSeat[]) {
    this.ids = new Set(seats.map((s) => s.seatId));
    this.sections = [...new Set(seats.map((s) => s.section))];
    const segments = new Map<string, { first: number; last: number }>();
    this.bounds = seats.map((s) => {
      const key = `${s.section}\u0000${s.rowLabel}\u0000${s.segment}`;
      let b = segments.get(key);
      if (!b) segments.set(key, (b = { first: s.seatNumber, last: s.seatNumber }));
      b.first = Math.min(b.first, s.seatNumber);
      b.last = Math.max(b.last, s.seatNumber);
      return b;
    });
  }

  /** False when a seat was added to the event after the layout was read (an import): read it again. */
  covers(seatIds: number[]): boolean {
    return seatIds.every((id) => this.ids.has(id));
  }

  /** Runs of consecutive free seats, never across an aisle, front rows first. */
  runs(free: Set<number>): FreeRun[] {
    const runs: FreeRun[] = [];
    let run: FreeRun | undefined;
    let previous: LayoutSeat | undefined;
    this.seats.forEach((seat, i) => {
      if (!free.has(seat.seatId)) {
        run = undefined;
        return;
      }
      const continues =
        run && previous && previous.section === seat.section && previous.rowLabel === seat.rowLabel && previous.segment === seat.segment && previous.seatNumber === seat.seatNumber - 1;
      previous = seat;
      if (run && continues) {
        run.last = seat.seatNumber;
        run.seatIds.push(seat.seatId);
        run.xs.push(seat.posX);
        return;
      }
      run = {
        section: seat.section,
        rowLabel: seat.rowLabel,
        rowIndex: seat.rowIndex,
        rowSize: seat.rowSize,
        segmentFirst: this.bounds[i].first,
        segmentLast: this.bounds[i].last,
        first: seat.seatNumber,
        last: seat.seatNumber,
        seatIds: [seat.seatId],
        xs: [seat.posX],
      };
      runs.push(run);
    });
    return runs;
  }
}
