import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger, PeriodicTask } from '@etsr/platform';
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
export class HoldSweeperService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private readonly log;

  constructor(
    private readonly config: SeatingConfig,
    private readonly seats: SeatsRepository,
    private readonly reservations: ReservationsRepository,
    private readonly metrics: SeatingMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(HoldSweeperService.name);
    this.task = new PeriodicTask('Hold sweeper', config.SWEEP_INTERVAL_MS, () => this.sweep(), this.log);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
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
