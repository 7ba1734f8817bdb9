import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeLike } from './sql';

describe('escapeLike', () => {
  it('makes %, _ and \\ plain characters', () => {
    assert.equal(escapeLike('100% rock_hits \\o/'), '100\\% rock\\_hits \\\\o/');
    assert.equal(escapeLike('plain'), 'plain');
  });
});
