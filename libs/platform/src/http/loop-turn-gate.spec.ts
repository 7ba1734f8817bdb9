import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { LoopTurnGate } from './loop-turn-gate';

/**
 * Enters `count` requests at once; resolves to the turn (0 = at once) in which each started. A turn
 * ends at the check phase (setImmediate); the counter's callback is queued before the gate's, so
 * each batch the gate releases counts in the turn it opens.
 */
async function startTurns(gate: LoopTurnGate, count: number): Promise<number[]> {
  let turn = 0;
  let finished = false;
  const counting = (async () => {
    while (!finished) {
      await nextTurn();
      turn++;
    }
  })();
  const started: number[] = [];
  const entries = Array.from({ length: count }, (_, i) => {
    const wait = gate.enter();
    if (!wait) {
      started[i] = turn;
      return Promise.resolve();
    }
    return wait.then(() => {
      started[i] = turn;
    });
  });
  await Promise.all(entries);
  finished = true;
  await counting;
  return started;
}

describe('LoopTurnGate', () => {
  it('starts at most perTurn requests in a turn, the rest in the turns after, in arrival order', async () => {
    const started = await startTurns(new LoopTurnGate(3), 10);
    const perTurn = new Map<number, number>();
    for (const turn of started) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    assert.ok([...perTurn.values()].every((n) => n <= 3), JSON.stringify([...perTurn]));
    assert.deepEqual(started.slice(0, 3), [0, 0, 0], 'the first three start at once');
    assert.ok(started[3] > 0, 'the fourth waits for a later turn');
    for (let i = 1; i < started.length; i++) assert.ok(started[i] >= started[i - 1], `request ${i} overtook an earlier one: ${started}`);
  });

  it('queues a newcomer behind those still waiting, even after the turn that served the others', async () => {
    const gate = new LoopTurnGate(2);
    const order: number[] = [];
    const entered = Array.from({ length: 5 }, (_, i) => gate.enter()?.then(() => order.push(i)) ?? order.push(i));
    assert.equal(gate.queued, 3);
    await nextTurn(); // the turn that starts requests 2 and 3; request 4 still waits
    assert.equal(gate.queued, 1);
    const newcomer = gate.enter();
    assert.notEqual(newcomer, undefined, 'the newcomer may not start ahead of request 4');
    await Promise.all([...entered, newcomer?.then(() => order.push(5))]);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it('admits everything at once when the crowd fits in a turn', async () => {
    const started = await startTurns(new LoopTurnGate(8), 8);
    assert.deepEqual(started, Array(8).fill(0));
  });
});
