import { ContextLogger } from '../logging/json-logger';
import { runWithTrace } from '../logging/trace-context';

/**
 * Background work on an interval (sweepers, reconcilers, outbox delivery): one run at a time, a
 * run can be asked for early (`trigger`), and `stop` waits for the run in progress. Each run gets
 * its own trace id, so its log lines can be followed. Services stop their tasks in
 * beforeApplicationShutdown, before TypeORM closes the database pool under a running pass.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Set before the work starts: the work may call trigger() before `running` is assigned. */
  private busy = false;
  private again = false;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly log?: ContextLogger,
  ) {}

  /** Runs every intervalMs from now on (and once at once with `runNow`). Does not keep the process alive. */
  start(runNow = false): void {
    this.stopped = false;
    this.timer = setInterval(() => this.trigger(), this.intervalMs);
    this.timer.unref();
    if (runNow) this.trigger();
  }

  /** Runs now, or right after the run in progress (so work enqueued meanwhile is not left for the next tick). */
  trigger(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.running = runWithTrace(async () => {
      try {
        await this.work();
      } catch (e) {
        this.log?.warn(`${this.name} failed; it runs again at the next interval`, { error: e instanceof Error ? e.message : String(e) });
      }
    }).finally(() => {
      this.busy = false;
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.trigger();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running) await this.running;
  }
}
