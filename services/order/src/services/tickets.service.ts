import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import { EntityManager } from 'typeorm';
import { Principal, assertOwnerOrAdmin, conflict, notFound } from '@etsr/platform';
import { OrderTicketsDto, TicketCheckDto, mapTicket } from '../dtos/ticket.dto';
import { Order, OrdersRepository, Ticket } from '../repositories/orders.repository';
import { MintedTicket } from '../saga/order-transitions';
import { TicketSigner } from './ticket-signer';

/** Tickets: minting and issuing, listing with QR codes, verification, the public key for scanners, check-in at the door. */
@Injectable()
export class TicketsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly signer: TicketSigner,
  ) {}

  /**
   * One ticket per seat of the order: a fresh code and its claims signed with this service's key
   * (scanners check them offline with publicKey()). Nothing is stored yet.
   */
  mint(order: Pick<Order, 'id' | 'eventId' | 'items'>, issuedAt = new Date()): MintedTicket[] {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    return order.items.map((item) => {
      const ticketCode = this.signer.newTicketCode();
      return {
        orderId: order.id,
        eventId: order.eventId,
        seatId: item.seatId,
        seatCode: item.seatCode,
        ticketCode,
        signedPayload: this.signer.sign({ v: 1, tc: ticketCode, o: order.id, e: order.eventId, s: item.seatId, sc: item.seatCode, iat }),
      };
    });
  }

  /** Stores minted tickets in `tx`; a seat of the order that has its ticket keeps it. */
  issue(tx: EntityManager, tickets: MintedTicket[]): Promise<void> {
    return this.orders.insertTickets(tx, tickets);
  }

  async ofOrder(actor: Principal, orderId: string): Promise<OrderTicketsDto> {
    const order = await this.orders.find(orderId);
    if (!order) throw notFound(`Order ${orderId} not found`, 'ORDER_NOT_FOUND');
    assertOwnerOrAdmin(actor, order.userId, 'order');
    const tickets = await this.orders.tickets(orderId);
    return {
      orderId,
      status: order.status,
      tickets: await Promise.all(tickets.map(async (t) => mapTicket(t, await QRCode.toDataURL(t.signedPayload, { errorCorrectionLevel: 'M', margin: 1 })))),
    };
  }

  async check(code: string): Promise<TicketCheckDto> {
    return this.describe(await this.require(code));
  }

  async qrPng(code: string): Promise<Buffer> {
    return QRCode.toBuffer((await this.require(code)).signedPayload, { type: 'png', errorCorrectionLevel: 'M', margin: 1 });
  }

  /** One admission per ticket: the first scan wins, a second is 409 ALREADY_CHECKED_IN, a void ticket 409 TICKET_VOID. */
  async checkIn(code: string): Promise<TicketCheckDto> {
    const admitted = await this.orders.checkIn(code);
    if (!admitted) {
      const ticket = await this.require(code);
      if (ticket.status === 'VOID') throw conflict('This ticket is void (its order was refunded, or its refund was asked for)', 'TICKET_VOID');
      throw conflict(`Already checked in at ${ticket.checkedInAt?.toISOString()}`, 'ALREADY_CHECKED_IN');
    }
    return this.describe(admitted);
  }

  publicKey() {
    return { algorithm: 'Ed25519', format: 'base64url(JSON claims).base64url(signature over the first part)', publicKeyPem: this.signer.publicKeyPem() };
  }

  private describe(ticket: Ticket): TicketCheckDto {
    const genuine = this.signer.verify(ticket.signedPayload) !== null;
    return {
      ticketCode: ticket.ticketCode,
      eventId: ticket.eventId,
      seatCode: ticket.seatCode,
      status: ticket.status,
      checkedInAt: ticket.checkedInAt?.toISOString() ?? null,
      valid: genuine && ticket.status === 'VALID' && !ticket.checkedInAt,
    };
  }

  private async require(code: string): Promise<Ticket> {
    const ticket = await this.orders.ticketByCode(code);
    if (!ticket) throw notFound('Ticket not found', 'TICKET_NOT_FOUND');
    return ticket;
  }
}
