import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PacingSample, PacingState, START_WINDOW, etaSeconds, nextAdmissionRate, pace } from './queue-pacing';

const fresh: PacingState = { window: 0, completionRate: null, admissionRate: null, holdSeconds: null };
const sample = (s: Partial<PacingSample>): PacingSample => ({
  elapsedSeconds: 0.25,
  completions: 0,
  allocations: 0,
  meanHoldSeconds: null,
  active: 0,
  paused: false,
  waiting: 1000,
  ...s,
});

describe('queue pacing', () => {
  it('a new queue starts small: the start window, all of it admitted', () => {
    const { state, admit } = pace(fresh, sample({ elapsedSeconds: 0 }), 2);
    assert.equal(state.window, START_WINDOW);
    assert.equal(admit, START_WINDOW);
  });

  it('admits only up to the window: buyers still active take their places', () => {
    assert.equal(pace({ ...fresh, window: 20 }, sample({ active: 15 }), 2).admit, 5);
    assert.equal(pace({ ...fresh, window: 20 }, sample({ active: 25 }), 2).admit, 0);
  });

  it('never admits more than wait', () => {
    assert.equal(pace({ ...fresh, window: 50 }, sample({ waiting: 3 }), 2).admit, 3);
  });

  it('pauses when sold out, whatever the window', () => {
    assert.equal(pace({ ...fresh, window: 100 }, sample({ paused: true }), 2).admit, 0);
  });

  it('slow start: holds paid within the objective grow a window in use by one each, doubling it per round', () => {
    let state: PacingState = { ...fresh, window: 10 };
    // A round: all 10 active buyers pay within the objective.
    state = pace(state, sample({ active: 10, completions: 10, allocations: 10, meanHoldSeconds: 0.5 }), 2).state;
    assert.equal(state.window, 20);
    state = pace(state, sample({ active: 20, completions: 20, allocations: 20, meanHoldSeconds: 0.5 }), 2).state;
    assert.equal(state.window, 40);
  });

  it('an idle window does not grow: few active buyers say nothing about what more would cost', () => {
    const { state } = pace({ ...fresh, window: 100 }, sample({ active: 10, completions: 10, allocations: 10, meanHoldSeconds: 0.5 }), 2);
    assert.equal(state.window, 100);
  });

  it('holds slower than the objective cut the window to completion rate × objective, not below the start', () => {
    const slow = { ...fresh, window: 200, completionRate: 20, holdSeconds: 10 };
    const { state, admit } = pace(slow, sample({ elapsedSeconds: 1, active: 200, completions: 20, allocations: 20, meanHoldSeconds: 10 }), 2);
    assert.equal(state.window, 40);
    assert.equal(admit, 0);
    const trickle = pace({ ...fresh, window: 50, completionRate: 0.5, holdSeconds: 30 }, sample({ elapsedSeconds: 1, active: 50, completions: 1, allocations: 1, meanHoldSeconds: 30 }), 2);
    assert.equal(trickle.state.window, START_WINDOW);
  });

  it('without payments nothing is learnt: the window stays as it is', () => {
    const { state } = pace({ ...fresh, window: 30 }, sample({ active: 30, completions: 5 }), 2);
    assert.equal(state.window, 30);
    assert.ok(state.completionRate! > 0, 'releases and expiries still count as completions');
  });

  it('rates are smoothed over time and unknown until the first sample', () => {
    assert.equal(nextAdmissionRate(null, 0, 0.25), null);
    assert.equal(nextAdmissionRate(null, 10, 0.5), 20);
    const later = nextAdmissionRate(20, 0, 0.25)!;
    assert.ok(later < 20 && later > 15, String(later));
    assert.equal(nextAdmissionRate(20, 5, 0), 20, 'no time passed: no sample');
  });

  it('ETA: buyers ahead ÷ admission rate, null while unknown', () => {
    assert.equal(etaSeconds(100, 20), 5);
    assert.equal(etaSeconds(101, 20), 6);
    assert.equal(etaSeconds(100, null), null);
    assert.equal(etaSeconds(100, 0), null);
    assert.equal(etaSeconds(0, 20), 0);
  });
});
