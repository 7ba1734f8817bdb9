/**
 * How many buyers a sale queue lets in: a pure function of what the last admission tick measured,
 * so it is tested alone and every replica computes the same from the same stored state.
 *
 * The rule (README "Waiting room"): `active` buyers (admitted but not holding yet, plus live holds)
 * may reach a window. While holds are paid within the objective (QUEUE_TARGET_SECONDS), the window
 * grows by one per paid hold (slow start: it doubles per round of buyers, like TCP's congestion
 * window) as long as it is in use; once they take longer, it is cut to what the measured
 * throughput serves within the objective (Little's law: completion rate × objective).
 */

/** The window a new queue starts from: small, so a sale never opens with a flood. */
export const START_WINDOW = 8;
/** Smoothing time of the measured rates: a few seconds, so one slow tick does not swing them. */
export const RATE_SMOOTHING_SECONDS = 5;

export interface PacingState {
  /** Active buyers allowed at once. */
  window: number;
  /** Holds leaving RESERVED (paid, released, expired) per second, smoothed; null before the first. */
  completionRate: number | null;
  /** Buyers admitted per second, smoothed; null before the first admission. */
  admissionRate: number | null;
  /** Seconds from a hold to its payment (allocation), smoothed; null before the first. */
  holdSeconds: number | null;
}

export interface PacingSample {
  /** Since the previous tick (0 on the first: nothing is measured then). */
  elapsedSeconds: number;
  /** Holds of the event that left RESERVED since the previous tick. */
  completions: number;
  /** Of those, the ones paid (allocated), and their mean seconds from hold to allocation. */
  allocations: number;
  meanHoldSeconds: number | null;
  /** Admitted buyers not holding yet (within the grace) plus the event's live holds. */
  active: number;
  /** No seat is free (or the event has none): nobody is admitted. */
  paused: boolean;
  /** Waiting buyers: at most this many can be admitted. */
  waiting: number;
}

export interface Pacing {
  state: PacingState;
  admit: number;
}

/** Weight of a new sample in a time-based moving average (0 when no time passed). */
export function smoothingWeight(elapsedSeconds: number): number {
  return elapsedSeconds > 0 ? 1 - Math.exp(-elapsedSeconds / RATE_SMOOTHING_SECONDS) : 0;
}

function smooth(previous: number | null, sample: number, weight: number): number {
  return previous === null ? sample : previous + (sample - previous) * weight;
}

/** The next state, and how many to admit now (before the admissions of this tick are counted). */
export function pace(state: PacingState, sample: PacingSample, targetSeconds: number): Pacing {
  const weight = smoothingWeight(sample.elapsedSeconds);
  let { window, completionRate, holdSeconds } = state;
  window = Math.max(window, START_WINDOW);
  if (weight > 0 && (completionRate !== null || sample.completions > 0)) {
    completionRate = smooth(completionRate, sample.completions / sample.elapsedSeconds, weight);
  }
  if (sample.allocations > 0 && sample.meanHoldSeconds !== null) {
    holdSeconds = smooth(holdSeconds, sample.meanHoldSeconds, Math.max(weight, 0.2));
    if (holdSeconds <= targetSeconds) {
      // Grow only a window in use: an idle one says nothing about what more buyers would cost.
      if (sample.active * 2 >= window) window += sample.allocations;
    } else {
      window = Math.max(START_WINDOW, Math.min(window, (completionRate ?? 0) * targetSeconds));
    }
  }
  const admit = sample.paused ? 0 : Math.max(0, Math.min(sample.waiting, Math.floor(window) - sample.active));
  return { state: { window, completionRate, holdSeconds, admissionRate: state.admissionRate }, admit };
}

/** The admission rate after `admitted` buyers were let in over `elapsedSeconds`. */
export function nextAdmissionRate(previous: number | null, admitted: number, elapsedSeconds: number): number | null {
  const weight = smoothingWeight(elapsedSeconds);
  if (weight === 0 || (previous === null && admitted === 0)) return previous;
  return smooth(previous, admitted / elapsedSeconds, weight);
}

/** Seconds until a buyer with `ahead` others before them is admitted at `admissionRate`; null while unknown. */
export function etaSeconds(ahead: number, admissionRate: number | null): number | null {
  if (admissionRate === null || admissionRate <= 0) return null;
  return Math.ceil(ahead / admissionRate);
}
