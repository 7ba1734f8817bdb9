import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';

/** ALLOCATING: paid, its seats being sold and its tickets issued (PAYMENT_PROCESSING before migration 1766100000000). */
export type OrderStatus = 'PENDING' | 'ALLOCATING' | 'CONFIRMED' | 'FAILED' | 'CANCELLED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';

export interface OrderItem {
  seatId: number;
  seatCode: string;
  priceCents: number;
}

/** An order's version, as its ETag names it: it changes whenever the order does. */
export const orderVersion = (o: { status: string; updatedAt: Date }) => `W/"${o.status}-${o.updatedAt.getTime()}"`;

export interface Order {
  id: string;
  userId: number;
  customerEmail: string | null;
  eventId: number;
  eventName: string | null;
  reservationId: string;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
  status: OrderStatus;
  paymentId: string | null;
  holdExpiresAt: Date;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  items: OrderItem[];
}

export interface Ticket {
  ticketId: string;
  orderId: string;
  eventId: number;
  seatId: number;
  seatCode: string;
  ticketCode: string;
  signedPayload: string;
  status: 'VALID' | 'VOID';
  checkedInAt: Date | null;
  issuedAt: Date;
}

const ORDER_COLUMNS = `o.id, o.user_id, o.customer_email, o.event_id, o.event_name, o.reservation_id, o.subtotal_cents, o.tax_cents, o.total_cents, o.currency,
  o.status, o.payment_id, o.hold_expires_at, o.failure_reason, o.created_at, o.updated_at,
  coalesce((SELECT json_agg(json_build_object('seatId', i.seat_id, 'seatCode', i.seat_code, 'priceCents', i.seat_price_cents) ORDER BY i.seat_id)
              FROM order_items i WHERE i.order_id = o.id), '[]') AS items`;

function toOrder(r: Record<string, unknown>): Order {
  return {
    id: r.id as string,
    userId: Number(r.user_id),
    customerEmail: (r.customer_email as string | null) ?? null,
    eventId: Number(r.event_id),
    eventName: (r.event_name as string | null) ?? null,
    reservationId: r.reservation_id as string,
    subtotalCents: Number(r.subtotal_cents),
    taxCents: Number(r.tax_cents),
    totalCents: Number(r.total_cents),
    currency: r.currency as string,
    status: r.status as OrderStatus,
    paymentId: (r.payment_id as string | null) ?? null,
    holdExpiresAt: r.hold_expires_at as Date,
    failureReason: (r.failure_reason as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    items: (r.items as { seatId: string | number; seatCode: string; priceCents: number }[]).map((i) => ({ ...i, seatId: Number(i.seatId) })),
  };
}

function toTicket(r: Record<string, unknown>): Ticket {
  return {
    ticketId: r.id as string,
    orderId: r.order_id as string,
    eventId: Number(r.event_id),
    seatId: Number(r.seat_id),
    seatCode: r.seat_code as string,
    ticketCode: r.ticket_code as string,
    signedPayload: r.signed_payload as string,
    status: r.status as 'VALID' | 'VOID',
    checkedInAt: (r.checked_in_at as Date | null) ?? null,
    issuedAt: r.issued_at as Date,
  };
}

@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  /**
   * Stores a new order with its items, in one statement (committed before seating ties the hold
   * to it). An order with this id already there (a retry of a request that died half way) is kept:
   * the reservation it is for is returned, or null when this call inserted it. Another order of the
   * same reservation fails on orders_reservation_key (unique violation).
   */
  async insert(order: Omit<Order, 'createdAt' | 'updatedAt' | 'status' | 'paymentId' | 'failureReason'>): Promise<{ existingReservationId: string | null }> {
    const [row] = await sqlRows<{ inserted: boolean; reservation_id: string }>(
      this.db,
      `WITH o AS (
         INSERT INTO orders (id, user_id, customer_email, event_id, event_name, reservation_id, subtotal_cents, tax_cents, total_cents, currency, hold_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING RETURNING id),
       i AS (
         INSERT INTO order_items (order_id, seat_id, seat_code, seat_price_cents)
         SELECT o.id, x.* FROM o, unnest($12::bigint[], $13::varchar[], $14::int[]) AS x)
       SELECT true AS inserted, $6::varchar AS reservation_id FROM o
       UNION ALL
       SELECT false, reservation_id FROM orders WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM o)`,
      [
        order.id,
        order.userId,
        order.customerEmail,
        order.eventId,
        order.eventName,
        order.reservationId,
        order.subtotalCents,
        order.taxCents,
        order.totalCents,
        order.currency,
        order.holdExpiresAt,
        order.items.map((i) => i.seatId),
        order.items.map((i) => i.seatCode),
        order.items.map((i) => i.priceCents),
      ],
    );
    if (row) return { existingReservationId: row.inserted ? null : row.reservation_id };
    // Inserted by a copy of this request in a transaction this statement's snapshot predates.
    return { existingReservationId: (await this.find(order.id))!.reservationId };
  }

  /** Records the hold's expiry seating granted the order; the order as it now is. */
  async setHoldExpiry(id: string, holdExpiresAt: Date): Promise<Order> {
    const [row] = await sqlRows<Record<string, unknown>>(
      this.db,
      `UPDATE orders o SET hold_expires_at = $2, updated_at = now() WHERE o.id = $1 RETURNING ${ORDER_COLUMNS}`,
      [id, holdExpiresAt],
    );
    return toOrder(row);
  }

  /**
   * Removes an order seating refused to tie the hold to (so no hold is tied to it): a refused
   * request stores nothing. Only while nobody has paid or changed it.
   */
  async deleteUnplaced(id: string): Promise<void> {
    await this.db.query(`DELETE FROM orders WHERE id = $1 AND status = 'PENDING' AND payment_id IS NULL`, [id]);
  }

  async find(id: string, tx: DataSource | EntityManager = this.db): Promise<Order | null> {
    const [row] = await sqlRows<Record<string, unknown>>(tx, `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`, [id]);
    return row ? toOrder(row) : null;
  }

  /** The version (orderVersion()) of each of these orders that exists. */
  async versions(ids: string[]): Promise<Map<string, string>> {
    const rows = await sqlRows<{ id: string; status: string; updated_at: Date }>(this.db, `SELECT id, status, updated_at FROM orders WHERE id = ANY ($1::uuid[])`, [ids]);
    return new Map(rows.map((r) => [r.id, orderVersion({ status: r.status, updatedAt: r.updated_at })]));
  }

  async findForUpdate(tx: EntityManager, id: string): Promise<Order | null> {
    const [row] = await sqlRows<Record<string, unknown>>(tx, `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE OF o`, [id]);
    return row ? toOrder(row) : null;
  }

  async listByUser(userId: number, offset: number, limit: number): Promise<{ orders: Order[]; total: number }> {
    const rows = await sqlRows<Record<string, unknown>>(
      this.db,
      `SELECT ${ORDER_COLUMNS}, count(*) OVER () AS total FROM orders o WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id OFFSET $2 LIMIT $3`,
      [userId, offset, limit],
    );
    return { orders: rows.map(toOrder), total: rows.length ? Number(rows[0].total) : 0 };
  }

  async setStatus(tx: EntityManager, id: string, status: OrderStatus, changes: { paymentId?: string; failureReason?: string | null } = {}): Promise<void> {
    await tx.query(
      `UPDATE orders SET status = $2, payment_id = coalesce($3, payment_id),
              failure_reason = CASE WHEN $5 THEN $4 ELSE failure_reason END, updated_at = now()
        WHERE id = $1`,
      [id, status, changes.paymentId ?? null, changes.failureReason ?? null, changes.failureReason !== undefined],
    );
  }

  /** Records a callback; false when this payment id + status was applied before (a repeat). */
  async markCallback(tx: EntityManager, key: string, orderId: string): Promise<boolean> {
    const rows = await sqlRows(tx, `INSERT INTO processed_callbacks (callback_key, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING callback_key`, [key, orderId]);
    return rows.length === 1;
  }

  /** Tickets of an order; issuing twice is impossible: (order_id, seat_id) is unique. */
  async insertTickets(tx: EntityManager, tickets: Omit<Ticket, 'ticketId' | 'status' | 'checkedInAt' | 'issuedAt'>[]): Promise<void> {
    await tx.query(
      `INSERT INTO tickets (order_id, event_id, seat_id, seat_code, ticket_code, signed_payload)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::varchar[], $5::varchar[], $6::text[])
       ON CONFLICT (order_id, seat_id) DO NOTHING`,
      [
        tickets.map((t) => t.orderId),
        tickets.map((t) => t.eventId),
        tickets.map((t) => t.seatId),
        tickets.map((t) => t.seatCode),
        tickets.map((t) => t.ticketCode),
        tickets.map((t) => t.signedPayload),
      ],
    );
  }

  /**
   * The order's valid tickets, locked until the transaction ends: a check-in of one of them
   * (a conditional UPDATE) waits, then finds it void if this transaction voids it.
   */
  async lockValidTickets(tx: EntityManager, orderId: string): Promise<Ticket[]> {
    return (await sqlRows<Record<string, unknown>>(tx, `SELECT * FROM tickets WHERE order_id = $1 AND status = 'VALID' ORDER BY seat_id FOR UPDATE`, [orderId])).map(toTicket);
  }

  /** Voids these tickets (locked by lockValidTickets in `tx`) while they are valid and unused. */
  async voidUnusedTickets(tx: EntityManager, ticketIds: string[]): Promise<void> {
    await tx.query(`UPDATE tickets SET status = 'VOID', voided_at = now() WHERE id = ANY($1::uuid[]) AND status = 'VALID' AND checked_in_at IS NULL`, [ticketIds]);
  }

  async voidTickets(tx: EntityManager, orderId: string): Promise<void> {
    await tx.query(`UPDATE tickets SET status = 'VOID', voided_at = now() WHERE order_id = $1 AND status = 'VALID'`, [orderId]);
  }

  async tickets(orderId: string, tx: DataSource | EntityManager = this.db): Promise<Ticket[]> {
    return (await sqlRows<Record<string, unknown>>(tx, `SELECT * FROM tickets WHERE order_id = $1 ORDER BY seat_id`, [orderId])).map(toTicket);
  }

  async ticketByCode(code: string): Promise<Ticket | null> {
    const [row] = await sqlRows<Record<string, unknown>>(this.db, `SELECT * FROM tickets WHERE ticket_code = $1`, [code]);
    return row ? toTicket(row) : null;
  }

  /** The first scan of a valid ticket wins; returns null when it was void or scanned already. */
  async checkIn(code: string): Promise<Ticket | null> {
    const [row] = await sqlRows<Record<string, unknown>>(
      this.db,
      `UPDATE tickets SET checked_in_at = now() WHERE ticket_code = $1 AND status = 'VALID' AND checked_in_at IS NULL RETURNING *`,
      [code],
    );
    return row ? toTicket(row) : null;
  }

  /** Orders the reconciler looks at: unsettled, untouched for a while; locked so replicas split them. */
  async claimStale(tx: EntityManager, olderThanSeconds: number, limit: number): Promise<Order[]> {
    const rows = await sqlRows<Record<string, unknown>>(
      tx,
      `SELECT ${ORDER_COLUMNS} FROM orders o
        WHERE o.status IN ('PENDING', 'ALLOCATING', 'FAILED') AND o.updated_at < now() - make_interval(secs => $1)
        ORDER BY o.updated_at LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
      [olderThanSeconds, limit],
    );
    return rows.map(toOrder);
  }

  async touch(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`UPDATE orders SET updated_at = now() WHERE id = $1`, [id]);
  }
}
