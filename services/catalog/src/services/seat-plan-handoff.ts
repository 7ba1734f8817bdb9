import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JsonLogger, OutboxMessage, OutboxWorker, PermanentFailure, SectionDto, UpstreamError, enqueueLeased } from '@etsr/platform';
import { SeatingClient } from '../clients/seating.client';

export const SEAT_PLAN_TOPIC = 'seat-plan';

interface SeatPlanMessage {
  eventId: number;
  sections: SectionDto[];
}

/**
 * Hands the seat layout of a newly created event to seating, so an event created with one is
 * bookable without a second call. The layout is written to the outbox in the event's own
 * transaction and delivered right after the commit; while seating is away it is retried, and a
 * delivery that arrives twice is answered 200 (the same plan). The catalog checks the layout by
 * the same rules seating does (@etsr/platform's seat layout) before accepting the event, so a
 * refusal here means the two disagree (e.g. a smaller MAX_SEATS_PER_EVENT at seating): the message
 * is then DEAD and the error log names the event.
 */
@Injectable()
export class SeatPlanHandoff implements OnModuleInit {
  private readonly log;

  constructor(
    private readonly outbox: OutboxWorker,
    private readonly seating: SeatingClient,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SeatPlanHandoff.name);
  }

  onModuleInit(): void {
    this.outbox.handle(SEAT_PLAN_TOPIC, (m) => this.deliver(m));
  }

  get available(): boolean {
    return this.seating.configured;
  }

  /** In the event's transaction: the layout, leased to this process for delivery after the commit. */
  enqueue(tx: EntityManager, eventId: number, sections: SectionDto[]): Promise<OutboxMessage | null> {
    return enqueueLeased(tx, SEAT_PLAN_TOPIC, { eventId, sections } satisfies SeatPlanMessage, `seat-plan:${eventId}`, this.outbox.leaseSeconds);
  }

  /** After the commit. */
  deliverNow(message: OutboxMessage | null): void {
    this.outbox.deliverNow([message]);
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    const { eventId, sections } = message.payload as unknown as SeatPlanMessage;
    try {
      const plan = await this.seating.createSeatPlan(eventId, sections);
      this.log.info('Seat plan handed to seating', { eventId, seats: plan.totalSeats, created: plan.created });
    } catch (e) {
      // A 4xx (but 404 and 429) is seating's verdict on the layout: retrying cannot change it. A
      // 404 may be a catalog replica seating asked that does not see the commit yet: retried.
      if (e instanceof UpstreamError && e.status >= 400 && e.status < 500 && e.status !== 404 && e.status !== 429) {
        this.log.error('Seating refused the seat layout of a new event; the event has no seats until an admin posts a layout to seating', { eventId, error: e.message });
        throw new PermanentFailure(e.message);
      }
      throw e;
    }
  }
}
