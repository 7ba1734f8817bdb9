import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AppError,
  IdempotencyStore,
  JsonLogger,
  Principal,
  StoredResponse,
  UpstreamError,
  UserPrincipal,
  WorkLine,
  assertOwnerOrAdmin,
  badRequest,
  conflict,
  fingerprint,
  forbidden,
  isAdmin,
  notFound,
  resolveActingUser,
  unprocessable,
} from '@etsr/platform';
import { Reservation, ServiceClients } from '../clients/service-clients';
import { OrderConfig } from '../config';
import { CreateOrderDto, OrderDto, OrderPageDto, RefundUnusedResultDto, mapOrder } from '../dtos/order.dto';
import { Order, OrdersRepository, orderVersion } from '../repositories/orders.repository';
import { commands, enqueueCommands } from '../saga/outbox-topics';
import { stableUuid } from '../stable-uuid';
import { OrderStatusWaiter } from './order-status-waiter.service';
import { OrderMetrics } from './order-metrics';
import { SagaService } from './saga.service';

/** Creating, reading and cancelling orders. */
@Injectable()
export class OrdersService {
  private readonly idempotency: IdempotencyStore;
  /** Orders being placed at once (ORDER_CREATE_CONCURRENCY), the rest in line: see the config. */
  private readonly placing: WorkLine;
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly clients: ServiceClients,
    private readonly saga: SagaService,
    private readonly waiter: OrderStatusWaiter,
    private readonly metrics: OrderMetrics,
    private readonly config: OrderConfig,
    logger: JsonLogger,
  ) {
    this.idempotency = new IdempotencyStore(db, { leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS });
    this.placing = new WorkLine(
      config.ORDER_CREATE_CONCURRENCY,
      config.ORDER_CREATE_QUEUE_LIMIT,
      'Too many orders are being placed right now; send the same request again in a second',
    );
    this.log = logger.forContext(OrdersService.name);
  }

  /**
   * POST /v1/orders. Priced from the reservation held by the seating service, never from the body.
   * The order id is derived from the caller and the Idempotency-Key, and the order is committed
   * before seating ties the hold to it: a crash at any point leaves either no tied hold, or a tied
   * hold whose order exists (PENDING, settled by the reconciler), and a retry with the key (once
   * the dead request's lease lapsed) finishes the same order.
   */
  async create(actor: UserPrincipal, key: string, dto: CreateOrderDto): Promise<StoredResponse> {
    const request = dto.normalized();
    const userId = resolveActingUser(actor, request.userId);
    return this.placing.run(() => this.place(actor, userId, key, request));
  }

  private place(actor: UserPrincipal, userId: number, key: string, request: ReturnType<CreateOrderDto['normalized']>): Promise<StoredResponse> {
    const scope = `user:${userId}`;
    return this.idempotency.run(scope, key, fingerprint(request), async () => {
      const orderId = stableUuid(`${scope}:${key}`);
      const reservation = await this.clients.reservation(request.reservationId);
      if (!reservation) throw notFound(`Reservation ${request.reservationId} not found`, 'RESERVATION_NOT_FOUND');
      this.check(reservation, userId, request, orderId);

      const items = reservation.seats.map((s) => ({ seatId: s.seatId, seatCode: `${s.section}-${s.row}-${s.number}`, priceCents: Math.round(s.price * 100) }));
      const subtotalCents = items.reduce((n, i) => n + i.priceCents, 0);
      const taxCents = Math.round((subtotalCents * this.config.TAX_PERCENT) / 100);
      const stored = await this.storeOrder({
        id: orderId,
        userId,
        customerEmail: actor.email ?? null,
        eventId: reservation.eventId,
        eventName: await this.clients.eventName(reservation.eventId),
        reservationId: reservation.reservationId,
        subtotalCents,
        taxCents,
        totalCents: subtotalCents + taxCents,
        currency: this.config.CURRENCY,
        // The hold's expiry as read; replaced by the one seating grants the order just below.
        holdExpiresAt: new Date(reservation.expiresAt),
        items,
      });
      if (stored.existingReservationId && stored.existingReservationId !== reservation.reservationId) {
        throw unprocessable('This Idempotency-Key already placed an order for another reservation', 'IDEMPOTENCY_KEY_REUSED');
      }
      const held = await this.holdForOrder(request.reservationId, orderId);
      const order = await this.orders.setHoldExpiry(orderId, new Date(held.expiresAt));
      this.metrics.created.inc({ event_id: String(order.eventId) });
      this.log.info('Order created', { orderId, reservationId: reservation.reservationId, totalCents: order.totalCents });
      return { status: 201, body: mapOrder(order) };
    });
  }

  private async storeOrder(order: Parameters<OrdersRepository['insert']>[0]) {
    try {
      return await this.orders.insert(order);
    } catch (e) {
      // orders_reservation_key: one order per hold, whichever key placed it first.
      if ((e as { code?: string }).code === '23505') throw conflict(`Reservation ${order.reservationId} already has an order`, 'RESERVATION_ALREADY_ORDERED');
      throw e;
    }
  }

  async get(actor: Principal, id: string): Promise<OrderDto> {
    return mapOrder(await this.readable(actor, id));
  }

  /**
   * The order once it differs from the version the caller has (`seen`, its ETag), waiting up to
   * `waitMs` for that; `changed: false` when it did not change (the caller answers 304).
   */
  async getWhenChanged(actor: Principal, id: string, seen: string, waitMs: number): Promise<{ order: OrderDto; version: string; changed: boolean }> {
    let order = await this.readable(actor, id);
    if (orderVersion(order) === seen && waitMs > 0) {
      await this.waiter.until(id, seen, waitMs);
      order = (await this.orders.find(id))!;
    }
    const version = orderVersion(order);
    return { order: mapOrder(order), version, changed: version !== seen };
  }

  private async readable(actor: Principal, id: string): Promise<Order> {
    const order = await this.require(id);
    assertOwnerOrAdmin(actor, order.userId, 'order');
    return order;
  }

  async list(actor: UserPrincipal, userId: number | undefined, offset: number, page: number, limit: number): Promise<OrderPageDto> {
    const owner = userId ?? actor.userId;
    assertOwnerOrAdmin(actor, owner, 'list of orders');
    const { orders, total } = await this.orders.listByUser(owner, offset, limit);
    return { orders: orders.map(mapOrder), totalCount: total, page, limit };
  }

  /**
   * Not paid yet: CANCELLED and the hold released. Paid: refunded through the payment service;
   * the order becomes REFUNDED when the refund's callback arrives (moments later), and its tickets
   * are void at once, in this transaction, so none can be used after the refund was asked for.
   * The box office rule: once a ticket was used at the door, only an admin may refund, with a
   * reason. The order's valid tickets are locked first, so a check-in at the same moment either
   * lands before (and the owner's cancel is refused) or finds the ticket void.
   */
  async cancel(actor: Principal, id: string, reason?: string): Promise<{ status: number; order: OrderDto }> {
    const order = await this.require(id);
    assertOwnerOrAdmin(actor, order.userId, 'order');
    const outcome = await this.db.transaction(async (tx) => {
      const current = (await this.orders.findForUpdate(tx, id))!;
      switch (current.status) {
        case 'PENDING':
        case 'FAILED':
          await this.saga.cancelUnpaid(tx, current, 'Cancelled by the buyer');
          return 200;
        case 'CONFIRMED':
        case 'PARTIALLY_REFUNDED': {
          const used = (await this.orders.lockValidTickets(tx, id)).filter((t) => t.checkedInAt);
          if (used.length && !isAdmin(actor)) {
            throw conflict('A ticket of this order was used at the door, so it can no longer be cancelled here; the box office can refund it', 'TICKETS_USED', {
              usedTickets: used.map((t) => t.ticketCode),
            });
          }
          if (used.length && !reason) throw badRequest('A ticket of this order was used at the door: give a reason to refund it anyway', 'REASON_REQUIRED');
          await this.orders.voidTickets(tx, id);
          const byOwner = actor.kind === 'user' && actor.userId === current.userId;
          const why = reason ?? (byOwner ? 'Cancelled by the buyer' : 'Refunded by the box office');
          await enqueueCommands(tx, [commands.refund({ orderId: id, paymentId: current.paymentId, reason: why })]);
          return 202;
        }
        case 'ALLOCATING':
          throw conflict('The order is paid and its seats are being allocated; cancel again in a moment', 'ORDER_BUSY');
        default:
          return 200; // CANCELLED or REFUNDED already
      }
    });
    this.saga.outbox.nudge();
    return { status: outcome, order: mapOrder((await this.orders.find(id))!) };
  }

  /**
   * The box office refunds the unused tickets of a confirmed order (admin, with a reason): those
   * tickets are void, their price (with its share of the tax) is refunded under a key naming them,
   * and the used ones stay valid; the order becomes PARTIALLY_REFUNDED. The order row and then its
   * valid tickets (in seat order, as the cancel does) are locked first, so a check-in at the same
   * moment either lands first (and its ticket is kept and not refunded) or finds the ticket void.
   */
  async refundUnused(id: string, reason: string | undefined): Promise<RefundUnusedResultDto> {
    if (!reason) throw badRequest('Say why the unused tickets are refunded', 'REASON_REQUIRED');
    await this.require(id);
    const done = await this.db.transaction(async (tx) => {
      const current = (await this.orders.findForUpdate(tx, id))!;
      if ((current.status !== 'CONFIRMED' && current.status !== 'PARTIALLY_REFUNDED') || !current.paymentId) {
        throw conflict(`A ${current.status} order has no tickets to refund`, 'ORDER_NOT_REFUNDABLE', { status: current.status });
      }
      const unused = (await this.orders.lockValidTickets(tx, id)).filter((t) => !t.checkedInAt);
      if (!unused.length) throw conflict('Every valid ticket of this order was used at the door: nothing to refund', 'NOTHING_TO_REFUND');
      const seats = new Set(unused.map((t) => t.seatId));
      const unusedSubtotal = current.items.filter((i) => seats.has(i.seatId)).reduce((sum, i) => sum + i.priceCents, 0);
      // The seats' share of the total (tax included); all the seats refunded come to the total exactly.
      const refundCents = current.subtotalCents > 0 ? Math.round((current.totalCents * unusedSubtotal) / current.subtotalCents) : 0;
      await this.orders.voidUnusedTickets(tx, unused.map((t) => t.ticketId));
      await this.orders.setStatus(tx, id, 'PARTIALLY_REFUNDED');
      if (refundCents > 0) {
        // Named by the tickets it refunds: the outbox's retries and the payment service's key make it one refund.
        const refundKey = `tickets-${fingerprint(unused.map((t) => t.ticketId).sort().join(',')).slice(0, 40)}`;
        await enqueueCommands(tx, [commands.refund({ orderId: id, paymentId: current.paymentId, reason, amountCents: refundCents, refundKey })]);
      }
      return { voidedTickets: unused.map((t) => t.ticketCode), refundCents };
    });
    this.saga.outbox.nudge();
    return { order: mapOrder((await this.orders.find(id))!), ...done };
  }

  /** For the payment service: what an order costs and whether it can be paid. */
  async internalView(id: string) {
    const order = await this.require(id);
    return {
      orderId: order.id,
      userId: order.userId,
      eventId: order.eventId,
      status: order.status,
      totalCents: order.totalCents,
      taxCents: order.taxCents,
      currency: order.currency,
      reservationId: order.reservationId,
    };
  }

  private check(reservation: Reservation, userId: number, request: { eventId: number; seats?: number[] }, orderId: string): void {
    if (reservation.userId !== userId) throw forbidden('This reservation belongs to another user', 'RESERVATION_NOT_YOURS');
    if (reservation.eventId !== request.eventId) throw badRequest(`Reservation is for event ${reservation.eventId}, not ${request.eventId}`, 'EVENT_MISMATCH');
    if (reservation.orderId && reservation.orderId !== orderId) throw conflict('This reservation already has an order', 'RESERVATION_ALREADY_ORDERED');
    if (reservation.status !== 'RESERVED' || reservation.ttlSeconds <= 0) throw conflict('The reservation has expired or was released', 'RESERVATION_EXPIRED');
    if (request.seats) {
      const held = reservation.seats.map((s) => s.seatId).sort((a, b) => a - b);
      const asked = [...request.seats].sort((a, b) => a - b);
      if (held.join() !== asked.join()) throw badRequest('seats are not the seats of the reservation', 'SEATS_MISMATCH', { reservedSeatIds: held });
    }
  }

  /**
   * Seating ties the hold to the order. A refusal (4xx) means it is not tied: the order stored
   * for it goes (a refused request stores nothing). An error without an answer (5xx, timeout) may
   * have tied it: the order stays, so the hold is never tied to an order that does not exist; a
   * retry with the key finishes it, or the reconciler cancels it when its hold is over.
   */
  private async holdForOrder(reservationId: string, orderId: string) {
    try {
      return await this.clients.holdForOrder(reservationId, orderId, this.config.ORDER_HOLD_SECONDS);
    } catch (e) {
      const refused = e instanceof UpstreamError && [400, 404, 409].includes(e.status);
      if (refused) await this.orders.deleteUnplaced(orderId);
      if (e instanceof UpstreamError && e.status === 409) throw conflict('This reservation already has an order', 'RESERVATION_ALREADY_ORDERED');
      if (e instanceof UpstreamError && e.status === 400) throw conflict('The reservation has expired', 'RESERVATION_EXPIRED');
      if (e instanceof UpstreamError && e.status === 404) throw notFound(`Reservation ${reservationId} not found`, 'RESERVATION_NOT_FOUND');
      // Seating's 5xx is a dependency failing, not the client's fault: 503 (a refused credential
      // is a PeerRefusedError, already 503 DEPENDENCY_MISCONFIGURED).
      if (e instanceof UpstreamError) throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', `The seating service could not answer (${e.status})`);
      throw e;
    }
  }

  private async require(id: string): Promise<Order> {
    const order = await this.orders.find(id);
    if (!order) throw notFound(`Order ${id} not found`, 'ORDER_NOT_FOUND');
    return order;
  }
}
