import { Injectable } from '@nestjs/common';
import { MetricsService, sqlRows } from '@etsr/platform';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';

/** The payment service's business metrics (docs/architecture.md#metrics), with a few for operators. */
@Injectable()
export class PaymentMetrics {
  /** Payments settled, by final status: by a charge or by the recovery worker. */
  readonly transactions: Counter<'status'>;
  readonly refunds: Counter;
  /** Repeats answered from the Idempotency-Key store (nothing charged). */
  readonly idempotentHits: Counter;
  /** A charge from the gateway call to the settled row (the order look-up excluded). */
  readonly processing: Histogram;
  readonly recovered: Counter;

  constructor(metrics: MetricsService, @InjectDataSource() db: DataSource) {
    this.transactions = metrics.counter({ name: 'payment_transactions_total', help: 'Payments settled, by final status', labelNames: ['status'] });
    for (const status of ['SUCCESS', 'FAILED']) this.transactions.inc({ status }, 0);
    this.refunds = metrics.counter({ name: 'refund_transactions_total', help: 'Payments refunded' });
    this.idempotentHits = metrics.counter({ name: 'idempotent_cache_hits_total', help: 'Charges answered from the Idempotency-Key store, charging nothing' });
    this.processing = metrics.histogram({
      name: 'payment_processing_seconds',
      help: 'Duration of a charge: gateway call and settlement',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.recovered = metrics.counter({ name: 'payments_recovered_total', help: 'PENDING payments left by a crash and settled by the recovery worker' });
    // Read from the database at scrape time: every replica reports the same truth.
    metrics.gauge({
      name: 'payments_pending_count',
      help: 'Payments waiting for the gateway (a number that keeps growing means the gateway or the recovery is stuck)',
      async collect() {
        try {
          const [row] = await sqlRows<{ n: string }>(db, `SELECT count(*) AS n FROM payments WHERE status = 'PENDING'`);
          this.set(Number(row.n));
        } catch {
          /* database down: health reports it */
        }
      },
    });
  }
}
