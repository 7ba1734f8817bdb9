import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../src/root';

interface Exit {
  code: number | null;
  signal: string | null;
}
interface SuperviseOptions {
  name: string;
  start(): { closed: Promise<Exit> };
  healthy(): Promise<boolean>;
  say(line: string): void;
  onGiveUp(info: { crashes: number; windowMs: number; exit: Exit }): void;
  describeExit?(exit: Exit): string;
  firstDelayMs?: number;
  maxDelayMs?: number;
  stableAfterMs?: number;
  giveUpAfter?: number;
  crashWindowMs?: number;
  healthPollMs?: number;
}
type Supervise = (o: SuperviseOptions) => { stop(): void; done: Promise<{ gaveUp: boolean; crashes?: number }> };

// A tiny service: each run takes the next step of PLAN (the last one repeats). "crash" exits 1 at
// once; "up" says it is healthy (READY_FILE holds its pid) and stays; "up:<ms>" stays that
// long, then exits 1.
const CHILD = `
const fs = require('node:fs');
const n = Number(fs.existsSync(process.env.RUN_FILE) ? fs.readFileSync(process.env.RUN_FILE, 'utf8') : 0) + 1;
fs.writeFileSync(process.env.RUN_FILE, String(n));
const plan = process.env.PLAN.split(',');
const step = plan[Math.min(n, plan.length) - 1];
if (step === 'crash') process.exit(1);
fs.writeFileSync(process.env.READY_FILE, String(process.pid));
const ms = Number(step.split(':')[1]);
if (ms) setTimeout(() => process.exit(1), ms);
else setInterval(() => {}, 60_000);
`;

describe('npm start supervisor (scripts/lib/supervisor.mjs) with a tiny crashing child', () => {
  let supervise: Supervise;
  let dir: string;
  const children: ChildProcess[] = [];
  before(async () => {
    ({ supervise } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/supervisor.mjs')).href)) as { supervise: Supervise });
    dir = mkdtempSync(join(tmpdir(), 'etsr-supervisor-'));
    writeFileSync(join(dir, 'child.js'), CHILD);
  });
  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A supervised child following `plan`; `lines` collects what the supervisor said. */
  function run(plan: string, options: Partial<SuperviseOptions> = {}) {
    const tag = Math.random().toString(36).slice(2);
    const runFile = join(dir, `${tag}.runs`);
    const readyFile = join(dir, `${tag}.ready`);
    const lines: string[] = [];
    const gaveUp: unknown[] = [];
    let current: ChildProcess | undefined;
    let onLine = (_: string) => {};
    const said = (pattern: RegExp) => new Promise<void>((resolve) => {
      const previous = onLine;
      onLine = (line) => {
        previous(line);
        if (pattern.test(line)) resolve();
      };
      if (lines.some((l) => pattern.test(l))) resolve();
    });
    const runs = () => Number(readFileSync(runFile, 'utf8'));
    const healthy = async () => {
      try {
        return current?.exitCode === null && readFileSync(readyFile, 'utf8') === String(current.pid);
      } catch {
        return false;
      }
    };
    const supervisor = supervise({
      name: 'tiny',
      start: () => {
        current = spawn(process.execPath, [join(dir, 'child.js')], { env: { ...process.env, PLAN: plan, RUN_FILE: runFile, READY_FILE: readyFile }, stdio: 'ignore' });
        children.push(current);
        const child = current;
        return { closed: new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))) };
      },
      healthy,
      describeExit: (exit) => `exit code ${exit.code}`,
      say: (line) => {
        lines.push(line);
        onLine(line);
      },
      onGiveUp: (info) => void gaveUp.push(info),
      firstDelayMs: 20,
      maxDelayMs: 50,
      giveUpAfter: 10,
      crashWindowMs: 60_000,
      healthPollMs: 10,
      ...options,
    });
    return { supervisor, lines, gaveUp, said, runs, healthy, kill: () => current?.kill('SIGKILL') };
  }

  it('restarts a crashed process after a back-off that doubles up to its cap, and says when it is back', async () => {
    const t = run('crash,crash,crash,crash,up');
    await t.said(/is back/);
    assert.equal(t.runs(), 5);
    const delays = t.lines.filter((l) => /restarting/.test(l)).map((l) => /restarting it in (\d+ ms)/.exec(l)?.[1]);
    assert.deepEqual(delays, ['20 ms', '40 ms', '50 ms', '50 ms']);
    assert.match(t.lines[0], /^tiny stopped unexpectedly \(exit code 1\); restarting it in 20 ms \(crash 1; gives up at 10 within 1 min\)\.$/);
    assert.match(t.lines.at(-1)!, /^tiny is back: healthy again [\d.]+ (ms|s) after its restart\.$/);
    t.supervisor.stop();
    t.kill();
    assert.deepEqual(await t.supervisor.done, { gaveUp: false });
    assert.equal(t.runs(), 5, 'no restart once stopped');
  });

  it('a process killed with SIGKILL while healthy comes back', async () => {
    const t = run('up');
    // The first run is up (it wrote its pid), then dies as a crash would.
    while (!(await t.healthy())) await new Promise((r) => setTimeout(r, 10));
    t.kill();
    await t.said(/is back/);
    assert.equal(t.runs(), 2);
    t.supervisor.stop();
    t.kill();
    assert.deepEqual(await t.supervisor.done, { gaveUp: false });
  });

  it('gives up on a process that always crashes, once, after giveUpAfter crashes', async () => {
    const t = run('crash', { giveUpAfter: 3 });
    const result = await t.supervisor.done;
    assert.equal(result.gaveUp, true);
    assert.equal(result.crashes, 3);
    assert.equal(t.runs(), 3);
    assert.equal(t.gaveUp.length, 1);
    assert.equal(t.lines.filter((l) => /restarting/.test(l)).length, 2);
  });

  it('a run that stayed healthy long enough starts the back-off over', async () => {
    const t = run('crash,crash,up:1500,crash,up', { stableAfterMs: 200 });
    await t.said(/crash 4;/);
    t.supervisor.stop();
    const delays = t.lines.filter((l) => /restarting/.test(l)).map((l) => /restarting it in (\d+ ms)/.exec(l)?.[1]);
    // 20, 40; the third run stayed up 1.5 s, so 20 again (not 50), then 40.
    assert.deepEqual(delays, ['20 ms', '40 ms', '20 ms', '40 ms']);
    assert.equal(t.runs(), 4);
  });

  it('stop() during a back-off: no restart', async () => {
    const t = run('crash', { firstDelayMs: 60_000 });
    await t.said(/restarting it in 1 min/);
    t.supervisor.stop();
    assert.deepEqual(await t.supervisor.done, { gaveUp: false });
    assert.equal(t.runs(), 1);
  });
});
