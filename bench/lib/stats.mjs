// Figures of a benchmark run: percentiles of latencies and per-second series over a run.
// Pure functions (no I/O), covered by e2e/test/bench-helpers.spec.ts.

/**
 * The p-quantile (0 < p <= 1) of `values` by the nearest-rank method: the smallest value with at
 * least p of all values at or below it. Undefined for no values. `values` need not be sorted.
 */
export function percentile(values, p) {
  if (!values.length) return undefined;
  if (!(p > 0 && p <= 1)) throw new RangeError(`percentile: p must be in (0, 1], got ${p}`);
  const sorted = isSorted(values) ? values : [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** count, p50, p95, p99 and max of latencies in milliseconds, rounded to 0.1 ms (nulls when empty). */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p) => (sorted.length ? round1(percentile(sorted, p)) : null);
  return { count: sorted.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted.length ? round1(sorted[sorted.length - 1]) : null };
}

/**
 * Events over time, bucketed per whole second since `startMs`: `count(name, atMs)` counts an
 * event, `sample(name, atMs, value)` records a value (a latency) at the moment it completed.
 * `series(seconds)` gives, for every second 0..seconds-1, each count and the p99 of each sample.
 */
export class Timeline {
  constructor(startMs) {
    this.startMs = startMs;
    this.counts = new Map();
    this.samples = new Map();
  }

  bucket(atMs) {
    return Math.max(0, Math.floor((atMs - this.startMs) / 1000));
  }

  count(name, atMs, n = 1) {
    const list = this.counts.get(name) ?? this.counts.set(name, []).get(name);
    const b = this.bucket(atMs);
    list[b] = (list[b] ?? 0) + n;
  }

  sample(name, atMs, value) {
    const list = this.samples.get(name) ?? this.samples.set(name, []).get(name);
    const b = this.bucket(atMs);
    (list[b] ??= []).push(value);
  }

  /** { second: [0..n-1], <count name>: [...], <sample name>P99: [...] (null where nothing completed) }. */
  series(seconds) {
    const n = Math.max(0, Math.ceil(seconds));
    const out = { second: Array.from({ length: n }, (_, i) => i) };
    for (const [name, list] of this.counts) out[name] = out.second.map((i) => list[i] ?? 0);
    for (const [name, list] of this.samples) out[`${name}P99`] = out.second.map((i) => (list[i]?.length ? round1(percentile(list[i], 0.99)) : null));
    return out;
  }
}

/** Occurrences of each key: tally(['A','B','A']) = { A: 2, B: 1 }. */
export function tally(keys) {
  const out = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

export const round1 = (n) => Math.round(n * 10) / 10;

/** `a / b` rounded to 0.01, or null when b is 0 or either is missing. */
export function ratio(a, b) {
  if (a == null || b == null || !b) return null;
  return Math.round((a / b) * 100) / 100;
}

function isSorted(values) {
  for (let i = 1; i < values.length; i++) if (values[i - 1] > values[i]) return false;
  return true;
}
