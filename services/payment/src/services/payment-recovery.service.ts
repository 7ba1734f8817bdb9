import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, PeriodicTask } from '@etsr/platform';
import { PaymentConfig } from '../config';
import { PaymentsRepository } from '../repositories/payments.repository';
import { SettlementService } from './settlement.service';

const BATCH_SIZE = 50;

/**
 * Settles payments a crash left PENDING (the process died between the gateway's answer and the
 * update): after PAYMENT_RECOVERY_AFTER_SECONDS the gateway is asked what became of the charge
 * (`status`, never `charge`), and the payment is settled with its callback exactly as a charge
 * would have (its Idempotency-Key's answer stored too). Replicas share the work: rows are locked with FOR UPDATE SKIP LOCKED.
 */
@Injectable()
export class PaymentRecoveryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private readonly log;

  constructor(
    private readonly config: PaymentConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly settlement: SettlementService,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(PaymentRecoveryService.name);
    this.task = new PeriodicTask('Payment recovery', config.PAYMENT_RECOVERY_INTERVAL_MS, () => this.recover(), this.log);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; returns how many payments it settled. */
  async recover(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        // One transaction per batch.
        const { seen, settled } = await this.db.transaction((tx) =>
          this.payments.recoverStale(
            tx,
            this.config.PAYMENT_RECOVERY_AFTER_SECONDS,
            BATCH_SIZE,
            (p) => this.settlement.outcomeOf(p),
            // Its callback; and a request that died holding its key: the key gets the answer now, rather than staying IN_PROGRESS until it is stale.
            (tx, p) => this.settlement.recordIn(tx, p),
          ),
        );
        this.settlement.settled(settled, true);
        total += settled.length;
        if (seen < BATCH_SIZE || settled.length === 0) return total;
      }
    } catch (e) {
      this.log.warn('Recovery pass failed; retrying at the next interval', { error: e instanceof Error ? e.message : String(e) });
      return total;
    }
  }
}
