import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, PeriodicTask } from '@etsr/platform';
import { ServiceClients } from '../clients/service-clients';
import { OrderConfig } from '../config';
import { Order, OrdersRepository } from '../repositories/orders.repository';
import { SagaService } from './saga.service';

const BATCH = 20;

/**
 * Settles orders that nothing else will: a payment whose callback was lost is read back from the
 * payment service and applied like the callback; an unpaid order whose hold has run out is
 * CANCELLED. Replicas split the work: each claims its orders with FOR UPDATE SKIP LOCKED and
 * pushes their updated_at forward so the next pass leaves them alone for a while.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly clients: ServiceClients,
    private readonly saga: SagaService,
    private readonly config: OrderConfig,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(ReconcilerService.name);
    this.task = new PeriodicTask('Reconciler', config.RECONCILE_INTERVAL_MS, () => this.pass(), this.log);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many orders it looked at. */
  async pass(): Promise<number> {
    let claimed: Order[] = [];
    try {
      claimed = await this.db.transaction(async (tx) => {
        const orders = await this.orders.claimStale(tx, this.config.RECONCILE_AFTER_SECONDS, BATCH);
        for (const o of orders) await this.orders.touch(tx, o.id);
        return orders;
      });
      for (const order of claimed) await this.settle(order);
    } catch (e) {
      this.log.warn('Reconciliation pass failed; next pass retries', { error: e instanceof Error ? e.message : String(e) });
    }
    return claimed.length;
  }

  private async settle(order: Order): Promise<void> {
    const payments = await this.clients.paymentsOf(order.id);
    const settled = payments.filter((p) => p.status !== 'PENDING');
    for (const payment of settled) await this.saga.applyPaymentView(order.id, payment);
    if (payments.some((p) => p.status === 'PENDING' || p.status === 'SUCCESS' || p.status === 'REFUNDED')) return;
    // Nothing paid, nothing being paid: once the hold is over, so is the order.
    if ((order.status === 'PENDING' || order.status === 'FAILED') && order.holdExpiresAt.getTime() < Date.now()) {
      const cancelled = await this.db.transaction(async (tx) => {
        const current = await this.orders.findForUpdate(tx, order.id);
        return current ? this.saga.cancelUnpaid(tx, current, 'Not paid before the seats were released') : false;
      });
      if (!cancelled) return;
      this.saga.outbox.nudge();
      this.log.info('Unpaid order cancelled after its hold expired', { orderId: order.id });
    }
  }
}
