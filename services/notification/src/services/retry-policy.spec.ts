import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { afterFailure } from './retry-policy';

const settings = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

describe('afterFailure (retry scheduling)', () => {
  it('delays grow exponentially up to the cap: full jitter draws from [base/2, base × 2^(attempt-1)]', () => {
    const top = (attempt: number) => afterFailure(attempt, false, { ...settings, maxAttempts: 100 }, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((a) => (top(a) as { retryInMs: number }).retryInMs), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    const bottom = afterFailure(3, false, settings, () => 0) as { retryInMs: number };
    assert.equal(bottom.retryInMs, 500);
  });
  it('jitter spreads retries of many notifications that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => (afterFailure(4, false, settings) as { retryInMs: number }).retryInMs));
    assert.ok(delays.size > 10);
    for (const d of delays) assert.ok(d >= 500 && d <= 8000, String(d));
  });
  it('the last allowed attempt, or a permanent failure, ends it', () => {
    assert.deepEqual(afterFailure(5, false, settings), { final: true });
    assert.deepEqual(afterFailure(9, false, settings), { final: true });
    assert.deepEqual(afterFailure(1, true, settings), { final: true });
    assert.ok('retryInMs' in afterFailure(4, false, settings));
  });
});
