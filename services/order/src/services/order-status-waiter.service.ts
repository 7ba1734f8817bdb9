import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { JsonLogger } from '@etsr/platform';
import { OrdersRepository } from '../repositories/orders.repository';

/** How often the statuses of the orders being waited for are read (one query for all of them). */
const CHECK_INTERVAL_MS = 200;

interface Waiter {
  /** The order's version (orderVersion(), its ETag) the caller has already. */
  seen: string;
  wake(): void;
}

/**
 * Lets `GET /v1/orders/{id}` with `If-None-Match` and `Prefer: wait=N` answer when the order
 * changes instead of the buyer's page polling it: under a sale, hundreds of pages asking every 100 ms were most of the order
 * service's work (profiled). One query every 200 ms reads the version of every order anyone waits
 * for on this replica, whichever replica changed it, so the answer is at most 200 ms late.
 */
@Injectable()
export class OrderStatusWaiter implements OnModuleDestroy {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private timer?: NodeJS.Timeout;
  private checking = false;
  private readonly log;

  constructor(
    private readonly orders: OrdersRepository,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(OrderStatusWaiter.name);
  }

  /** Resolves once the order's version is no longer `seen`, or after `ms`, whichever comes first. */
  until(orderId: string, seen: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.waiting.get(orderId);
      if (!set) this.waiting.set(orderId, (set = new Set()));
      const waiter: Waiter = {
        seen,
        wake: () => {
          clearTimeout(deadline);
          this.forget(orderId, waiter);
          resolve();
        },
      };
      const deadline = setTimeout(waiter.wake, ms);
      set.add(waiter);
      this.timer ??= setInterval(() => void this.check(), CHECK_INTERVAL_MS);
    });
  }

  /** Shutting down: everybody gets the order as it is now. */
  onModuleDestroy(): void {
    for (const set of [...this.waiting.values()]) for (const w of [...set]) w.wake();
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const versions = await this.orders.versions([...this.waiting.keys()]);
      for (const [orderId, version] of versions) {
        for (const w of [...(this.waiting.get(orderId) ?? [])]) if (w.seen !== version) w.wake();
      }
    } catch (e) {
      // The waiters still answer at their deadline with the order as it is then.
      this.log.warn('Could not read the versions of awaited orders', { error: String(e) });
    } finally {
      this.checking = false;
    }
  }

  private forget(orderId: string, waiter: Waiter): void {
    const set = this.waiting.get(orderId);
    set?.delete(waiter);
    if (set && !set.size) this.waiting.delete(orderId);
    if (!this.waiting.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
