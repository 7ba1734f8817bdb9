/**
 * Lets at most `perTurn` requests start their work in one turn of the event loop; the rest wait,
 * in arrival order, for the turns after it.
 *
 * Why: Node handles every socket that became readable in one poll phase before it looks at I/O
 * again. When a crowd arrives at once (100 sign-ups, a sale's opening second), each request's
 * first synchronous stretch (routing, guards, validation, its first query) runs back to back,
 * about a millisecond each on this 2-core machine, and every reply already waiting on a socket
 * (a health check's database answer, a query of a request that is almost done) waits behind all
 * of them: /health took 230 ms under 100 sign-ups. Admitting a bounded number per turn keeps each
 * turn short, so what is already in flight finishes first and a turn never holds the loop for
 * long; the total work, and so throughput, is unchanged. `@fastify/under-pressure` refuses
 * requests when the loop lags, which would turn a burst of buyers into 503s; this spreads them.
 */
export class LoopTurnGate {
  private admittedThisTurn = 0;
  private readonly waiting: Array<() => void> = [];
  private turnEndScheduled = false;

  constructor(private readonly perTurn: number) {}

  /** Undefined when the request may start now; otherwise a promise that resolves at its turn. */
  enter(): Promise<void> | undefined {
    this.scheduleTurnEnd();
    if (this.waiting.length === 0 && this.admittedThisTurn < this.perTurn) {
      this.admittedThisTurn++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Requests waiting for a later turn (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  // setImmediate runs in the check phase, right after this turn's poll phase: the next batch starts
  // there, and the poll phase of the turn after it sees the I/O that arrived meanwhile.
  private scheduleTurnEnd(): void {
    if (this.turnEndScheduled) return;
    this.turnEndScheduled = true;
    setImmediate(() => {
      this.turnEndScheduled = false;
      const batch = this.waiting.splice(0, this.perTurn);
      this.admittedThisTurn = batch.length;
      for (const start of batch) start();
      if (batch.length > 0) this.scheduleTurnEnd();
    });
  }
}
