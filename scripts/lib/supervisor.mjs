// Keeps one service process running for `npm start`: a process that stops on its own is started
// again after a back-off (1 s, 2 s, 4 s … capped), and given up on after too many crashes in a
// short time, so a service that cannot run does not restart forever in silence.
import { sleep } from './common.mjs';

export const RESTART_DEFAULTS = Object.freeze({
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  // A run that stayed healthy this long was no crash loop: the next crash waits firstDelayMs again.
  stableAfterMs: 60_000,
  // This many crashes within crashWindowMs and the service is given up on.
  giveUpAfter: 5,
  crashWindowMs: 5 * 60_000,
  healthPollMs: 250,
});

/**
 * Runs `start()` (which returns `{ closed }`, a promise of how the process ended) and starts it
 * again whenever it ends before `stop()` was called. `healthy()` tells when a run answers; it is
 * asked after each restart, to say that the service is back, and tells how long a run stayed up.
 * `say(line)` reports what happens, `onCrash` follows each restart notice (to show the log's tail),
 * `onGiveUp({ crashes, windowMs, exit })` is called once, when the crashes come too often.
 * Returns `{ stop(), done }`: `done` resolves once the supervisor has stopped for either reason.
 */
export function supervise({ name, start, healthy, describeExit = String, say, onCrash = () => {}, onGiveUp, ...options }) {
  const o = { ...RESTART_DEFAULTS, ...options };
  let stopped = false;
  let wake = () => {};
  const crashes = []; // times of the crashes within the window
  let delayMs = o.firstDelayMs;

  /** Waits `ms`, or less when stop() is called meanwhile. */
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** Resolves with the time the run first answered healthy, or null if it ended (or we stopped) first. */
  async function healthySince(run, ended) {
    while (!stopped && !ended.value) {
      if (await healthy()) return Date.now();
      await Promise.race([sleep(o.healthPollMs), run.closed]);
    }
    return null;
  }

  async function loop() {
    for (let restarts = 0; ; restarts++) {
      const startedAt = Date.now();
      const run = start();
      const ended = { value: false };
      run.closed.then(() => (ended.value = true));
      const upSince = healthySince(run, ended);
      if (restarts > 0) {
        upSince.then((at) => {
          if (at !== null) say(`${name} is back: healthy again ${formatDelay(at - startedAt)} after its restart.`);
        });
      }
      const exit = await run.closed;
      if (stopped) return { gaveUp: false };
      const now = Date.now();
      const healthyAt = await upSince;
      if (healthyAt !== null && now - healthyAt >= o.stableAfterMs) delayMs = o.firstDelayMs;
      crashes.push(now);
      while (crashes[0] <= now - o.crashWindowMs) crashes.shift();
      if (crashes.length >= o.giveUpAfter) {
        const info = { crashes: crashes.length, windowMs: o.crashWindowMs, exit };
        onGiveUp(info);
        return { gaveUp: true, ...info };
      }
      say(
        `${name} stopped unexpectedly (${describeExit(exit)}); restarting it in ${formatDelay(delayMs)} ` +
          `(crash ${crashes.length}; gives up at ${o.giveUpAfter} within ${formatDelay(o.crashWindowMs)}).`,
      );
      onCrash({ exit });
      await pause(delayMs);
      if (stopped) return { gaveUp: false };
      delayMs = Math.min(delayMs * 2, o.maxDelayMs);
    }
  }

  const done = loop();
  return {
    /** No restarts from now on. The caller stops the process itself; `done` resolves once it has ended. */
    stop() {
      stopped = true;
      wake();
    },
    done,
  };
}

export function formatDelay(ms) {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}
