import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('runs on its interval, one run at a time, and stop waits for the run in progress', async () => {
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const task = new PeriodicTask('test', 10, async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 25));
      runs++;
      concurrent--;
    });
    task.start(true);
    await new Promise((r) => setTimeout(r, 120));
    await task.stop();
    const after = runs;
    assert.ok(after >= 3, `${after} runs`);
    assert.equal(maxConcurrent, 1);
    assert.equal(concurrent, 0, 'stop waited for the run');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(runs, after, 'no run after stop');
  });

  it('a trigger during a run makes one more run right after it', async () => {
    const order: string[] = [];
    let first = true;
    const task = new PeriodicTask('test', 60_000, async () => {
      order.push('start');
      if (first) {
        first = false;
        task.trigger();
        task.trigger();
        await new Promise((r) => setTimeout(r, 20));
      }
      order.push('end');
    });
    task.start(true);
    await new Promise((r) => setTimeout(r, 80));
    await task.stop();
    assert.deepEqual(order, ['start', 'end', 'start', 'end']);
  });

  it('a failing run is logged and the next one still happens', async () => {
    let runs = 0;
    const warnings: string[] = [];
    const task = new PeriodicTask('flaky', 10, async () => {
      runs++;
      throw new Error('boom');
    }, { warn: (m: string) => warnings.push(m) } as never);
    task.start(true);
    await new Promise((r) => setTimeout(r, 60));
    await task.stop();
    assert.ok(runs >= 2);
    assert.match(warnings[0], /flaky failed/);
  });
});
