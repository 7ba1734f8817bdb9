import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_STATUSES, EventStatus } from '../entities/event.entity';
import { allowedPredecessors, canTransition, invalidTransition } from './event-status';

describe('event status transitions', () => {
  const legal: [EventStatus, EventStatus][] = [
    ['UPCOMING', 'ONGOING'],
    ['UPCOMING', 'COMPLETED'],
    ['UPCOMING', 'CANCELLED'],
    ['ONGOING', 'COMPLETED'],
    ['ONGOING', 'CANCELLED'],
  ];

  it('allows exactly the transitions of the issue, plus staying put', () => {
    for (const from of EVENT_STATUSES) {
      for (const to of EVENT_STATUSES) {
        const expected = from === to || legal.some(([f, t]) => f === from && t === to);
        assert.equal(canTransition(from, to), expected, `${from} -> ${to}`);
      }
    }
  });

  it('COMPLETED and CANCELLED are final', () => {
    for (const final of ['COMPLETED', 'CANCELLED'] as const) {
      assert.deepEqual(
        EVENT_STATUSES.filter((to) => to !== final && canTransition(final, to)),
        [],
      );
    }
  });

  it('lists the statuses each target may be reached from (the guard of the conditional update)', () => {
    assert.deepEqual(allowedPredecessors('UPCOMING'), ['UPCOMING']);
    assert.deepEqual(allowedPredecessors('ONGOING'), ['UPCOMING', 'ONGOING']);
    assert.deepEqual(allowedPredecessors('COMPLETED'), ['UPCOMING', 'ONGOING', 'COMPLETED']);
    assert.deepEqual(allowedPredecessors('CANCELLED'), ['UPCOMING', 'ONGOING', 'CANCELLED']);
  });

  it('a refused transition is a 409 INVALID_STATUS_TRANSITION naming both ends', () => {
    const e = invalidTransition('CANCELLED', 'UPCOMING');
    assert.equal(e.status, 409);
    assert.equal(e.code, 'INVALID_STATUS_TRANSITION');
    assert.deepEqual(e.details, { from: 'CANCELLED', to: 'UPCOMING', allowed: [] });
    assert.match(e.message, /CANCELLED is final/);
    assert.match(invalidTransition('ONGOING', 'UPCOMING').message, /allowed: COMPLETED, CANCELLED/);
  });
});
