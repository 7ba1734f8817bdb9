import { Injectable } from '@nestjs/common';
import { AppError, badRequest, currentTrace, fingerprint, forbidden, isAdmin, JsonLogger, pageOffset, unprocessable, UserPrincipal } from '@etsr/platform';
import { ListNotificationsQuery, NotificationPageDto, ReceiveAccountEventDto, ReceiveEventDto, ReceivedEventDto, mapNotification } from '../dtos/notification.dto';
import { NotificationsRepository } from '../repositories/notifications.repository';
import { MessageComposer, StoredEvent } from './message-composer.service';
import { NotificationMetrics } from './notification-metrics';
import { NotificationSender } from './notification-sender.service';

/** Receiving events (idempotently, by event id) and reading notifications. */
@Injectable()
export class NotificationsService {
  private readonly log;

  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly composer: MessageComposer,
    private readonly sender: NotificationSender,
    private readonly metrics: NotificationMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(NotificationsService.name);
  }

  /** An order event (ORDER_CONFIRMED, …): an e-mail, and an SMS when a phone is given. */
  async receive(dto: ReceiveEventDto): Promise<ReceivedEventDto> {
    if (dto.type === 'ORDER_CONFIRMED' && !dto.data.tickets?.length) {
      throw new AppError(400, 'VALIDATION_FAILED', 'data.tickets must list at least one ticket for ORDER_CONFIRMED', {
        fields: [{ field: 'data.tickets', problems: ['data.tickets must list at least one ticket for ORDER_CONFIRMED'] }],
      });
    }
    return this.accept(dto, dto.orderId);
  }

  /** An account event of the user service (ACCOUNT_SETUP, PASSWORD_RESET): one e-mail, no order. */
  receiveAccount(dto: ReceiveAccountEventDto): Promise<ReceivedEventDto> {
    return this.accept(dto, null);
  }

  /**
   * Stores the event and its notifications, unrendered, in one INSERT, and answers: rendering (QR
   * codes included) and sending are the sender's, after the answer, so that accepting stays quick
   * under a burst. The same eventId again (a retry of the caller) answers with the notifications
   * made the first time and sends nothing; the same eventId with another body (whichever endpoint
   * it came through) is refused (422), since it would otherwise be dropped silently.
   */
  private async accept(dto: ReceiveEventDto | ReceiveAccountEventDto, orderId: string | null): Promise<ReceivedEventDto> {
    // JSON round trip: the hash covers the fields that were sent, not how the DTO class holds them.
    const payload = JSON.parse(JSON.stringify(dto)) as StoredEvent;
    const requestHash = fingerprint(payload);
    const messages = this.composer.plan(payload);
    const result = await this.notifications.record(
      { eventId: dto.eventId, type: dto.type, userId: dto.userId, orderId, requestHash, traceId: currentTrace()?.traceId ?? null, payload },
      messages,
    );
    if (result.kind === 'exists') return this.repeat(dto, result.requestHash, requestHash);
    this.metrics.received.inc({ type: dto.type, outcome: 'new' });
    this.log.info('Event received', { eventId: dto.eventId, type: dto.type, userId: dto.userId, orderId, channels: messages.map((m) => m.channel) });
    this.sender.nudge();
    return { eventId: dto.eventId, notifications: result.notifications.map(mapNotification) };
  }

  private async repeat(dto: ReceiveEventDto | ReceiveAccountEventDto, storedHash: string, requestHash: string): Promise<ReceivedEventDto> {
    if (storedHash !== requestHash) {
      throw unprocessable(`Event ${dto.eventId} was received before with a different body`, 'EVENT_ID_REUSED');
    }
    this.metrics.received.inc({ type: dto.type, outcome: 'duplicate' });
    const stored = await this.notifications.findByEvent(dto.eventId);
    return { eventId: dto.eventId, notifications: stored.map(mapNotification) };
  }

  /**
   * Notifications of an order or a user. A user sees only their own: asking for another user's,
   * or for an order whose notifications went to someone else, is 403. An admin sees all.
   */
  async list(actor: UserPrincipal, query: ListNotificationsQuery): Promise<NotificationPageDto> {
    if (query.orderId === undefined && query.userId === undefined) {
      throw badRequest('Give orderId or userId', 'FILTER_REQUIRED');
    }
    let userId = query.userId;
    if (!isAdmin(actor)) {
      if (userId !== undefined && userId !== actor.userId) throw forbidden("These are another user's notifications");
      if (query.orderId !== undefined && (await this.notifications.orderHasOtherUser(query.orderId, actor.userId))) {
        throw forbidden("This order's notifications belong to another user");
      }
      userId = actor.userId;
    }
    const { rows, total } = await this.notifications.list({ userId, orderId: query.orderId }, query.limit, pageOffset(query));
    return { notifications: rows.map(mapNotification), page: query.page, limit: query.limit, totalCount: total };
  }
}
