import { BulkheadPolicy, BulkheadRejectedError, bulkhead } from 'cockatiel';
import { busy } from '../errors/app-error';

/**
 * Work done at most `concurrency` at a time, the rest waiting in order (cockatiel's bulkhead);
 * beyond `queueLimit` waiting, a request is refused at once with 503 BUSY and Retry-After, so a
 * rush queues briefly and sheds what it cannot take instead of slowing everything down.
 */
export class WorkLine {
  private readonly bulkhead: BulkheadPolicy;

  constructor(
    concurrency: number,
    queueLimit: number,
    /** What a refused caller reads, e.g. "Too many orders are being placed right now; …". */
    private readonly busyMessage: string,
  ) {
    this.bulkhead = bulkhead(concurrency, queueLimit);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.bulkhead.execute(work);
    } catch (e) {
      if (e instanceof BulkheadRejectedError) throw busy(this.busyMessage);
      throw e;
    }
  }
}
