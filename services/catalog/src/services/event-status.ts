import { conflict } from '@etsr/platform';
import { EVENT_STATUSES, EventStatus } from '../entities/event.entity';

/** Where an event may go from each status. COMPLETED and CANCELLED are final. */
const NEXT: Record<EventStatus, readonly EventStatus[]> = {
  UPCOMING: ['ONGOING', 'COMPLETED', 'CANCELLED'],
  ONGOING: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
};

/** Staying in the same status is allowed (a PUT that repeats the status changes nothing). */
export function canTransition(from: EventStatus, to: EventStatus): boolean {
  return from === to || NEXT[from].includes(to);
}

/**
 * The statuses from which `to` may be reached: the guard of the conditional UPDATE
 * (`... WHERE status = ANY(<these>)`), so two racing changes cannot both apply.
 */
export function allowedPredecessors(to: EventStatus): EventStatus[] {
  return EVENT_STATUSES.filter((from) => canTransition(from, to));
}

export function invalidTransition(from: EventStatus, to: EventStatus) {
  const allowed = NEXT[from];
  return conflict(
    `An event cannot go from ${from} to ${to}` + (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${from} is final)`),
    'INVALID_STATUS_TRANSITION',
    { from, to, allowed: [...allowed] },
  );
}
