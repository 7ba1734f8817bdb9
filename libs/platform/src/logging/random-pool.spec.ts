import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pooledRandomBytes } from './random-pool';

describe('pooledRandomBytes', () => {
  it('gives the size asked for, never the same bytes twice, across refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const b = pooledRandomBytes(16);
      assert.equal(b.length, 16);
      seen.add(b.toString('hex'));
    }
    assert.equal(seen.size, 5000);
    assert.equal(pooledRandomBytes(10_000).length, 10_000);
  });

  it('hands out copies, not views a later call could overwrite', () => {
    const a = pooledRandomBytes(8);
    const copy = Buffer.from(a);
    for (let i = 0; i < 2000; i++) pooledRandomBytes(8);
    assert.deepEqual(a, copy);
  });
});
