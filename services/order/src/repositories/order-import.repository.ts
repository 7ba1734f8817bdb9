import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { conflict, sqlRows } from '@etsr/platform';
import { ImportOrderDto, ImportedOrderDto } from '../dtos/import.dto';
import type { MintedTicket } from '../saga/order-transitions';

/** The seating reservation an imported order's seats are allocated under (seating derives the same id). */
export const importReservationId = (orderId: string) => `imp_${orderId.replace(/-/g, '')}`;

/**
 * Past orders of another system, as they ended, keyed by their source reference: `INSERT ... ON
 * CONFLICT DO NOTHING RETURNING`, in the batch's transaction (OrderImportService). A CONFIRMED order gets its tickets
 * here, signed by this service's key (the importer never signs). No saga step, no notice.
 */
@Injectable()
export class OrderImportRepository {
  /** `tickets`: the CONFIRMED order's tickets, minted by the caller (TicketsService); stored only when the order is new. */
  async importOrder(tx: EntityManager, o: ImportOrderDto, tickets: MintedTicket[]): Promise<ImportedOrderDto> {
    const [row] = await sqlRows(
      tx,
      `INSERT INTO orders (id, user_id, customer_email, event_id, event_name, reservation_id, subtotal_cents, tax_cents, total_cents, currency,
                           status, payment_id, hold_expires_at, failure_reason, external_ref, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $13, $13) ON CONFLICT DO NOTHING RETURNING id`,
      [o.orderId, o.userId, o.customerEmail ?? null, o.eventId, o.eventName ?? null, importReservationId(o.orderId), o.subtotalCents, o.taxCents,
        o.totalCents, o.currency, o.status, o.paymentId ?? null, o.createdAt, o.failureReason ?? null, o.externalRef],
    );
    if (!row) {
      const [existing] = await sqlRows<{ id: string }>(tx, `SELECT id FROM orders WHERE external_ref = $1`, [o.externalRef]);
      if (!existing || existing.id !== o.orderId) throw conflict(`${o.externalRef}: order ${o.orderId} exists with another origin`, 'ORDER_EXISTS', { externalRef: o.externalRef });
      return { externalRef: o.externalRef, orderId: o.orderId, created: false, ticketsIssued: 0 };
    }
    await tx.query(
      `INSERT INTO order_items (order_id, seat_id, seat_code, seat_price_cents, created_at) SELECT $1, s, c, p, $5 FROM unnest($2::bigint[], $3::varchar[], $4::int[]) AS u(s, c, p)`,
      [o.orderId, o.items.map((i) => i.seatId), o.items.map((i) => i.seatCode), o.items.map((i) => i.priceCents), o.createdAt],
    );
    if (!tickets.length) return { externalRef: o.externalRef, orderId: o.orderId, created: true, ticketsIssued: 0 };
    // tickets_valid_seat_key refuses a second valid ticket for a seat: that is a 409 for the batch.
    await tx.query(
      `INSERT INTO tickets (order_id, event_id, seat_id, seat_code, ticket_code, signed_payload, issued_at)
       SELECT $1, $2, * , $6 FROM unnest($3::bigint[], $4::varchar[], $5::varchar[], $7::text[])`,
      [o.orderId, o.eventId, tickets.map((t) => t.seatId), tickets.map((t) => t.seatCode), tickets.map((t) => t.ticketCode), o.createdAt, tickets.map((t) => t.signedPayload)],
    );
    return { externalRef: o.externalRef, orderId: o.orderId, created: true, ticketsIssued: tickets.length };
  }
}
