import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger, runWithTrace } from '@etsr/platform';
import { SeatingConfig } from '../config';
import { ReservationsRepository } from '../repositories/reservations.repository';
import { SeatsRepository } from '../repositories/seats.repository';
import { SeatingMetrics } from './seating-metrics';

/**
 * Returns expired holds to inventory without anyone's help. Safe with several replicas: seats are
 * freed in SKIP LOCKED batches and reservations marked EXPIRED by a conditional update, so two
 * sweepers split the work instead of doing it twice. A hold whose order is paying has had its
 * expiry pushed out (ReservationsRepository.holdForOrder), so it is not swept from under the payment.
 */
@Injectable()
export class HoldSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    private readonly seats: SeatsRepository,
    private readonly reservations: ReservationsRepository,
    private readonly metrics: SeatingMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(HoldSweeperService.name);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = runWithTrace(() => this.sweep()).finally(() => (this.running = undefined));
    }, this.config.SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: free lapsed seats batch by batch, then mark their reservations EXPIRED. */
  async sweep(): Promise<{ seats: number; reservations: number }> {
    try {
      let seats = 0;
      for (;;) {
        const freed = await this.seats.releaseLapsedHolds(this.config.SWEEP_BATCH_SIZE);
        seats += freed;
        if (freed < this.config.SWEEP_BATCH_SIZE) break;
      }
      const reservations = await this.reservations.expireLapsed();
      if (reservations) {
        this.metrics.expiredReleased.inc(reservations);
        this.log.info('Expired holds released', { reservations, seats });
      }
      return { seats, reservations };
    } catch (e) {
      this.log.warn('Sweep failed; retrying at the next interval', { error: e instanceof Error ? e.message : String(e) });
      return { seats: 0, reservations: 0 };
    }
  }
}
