import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { badRequest } from '@etsr/platform';
import { ImportOrderDto, ImportOrdersResultDto, ImportedOrderDto } from '../dtos/import.dto';
import { OrderImportRepository } from '../repositories/order-import.repository';
import { TicketsService } from './tickets.service';

/** Loads past orders of another system (seedDataToDB.js), a batch at a time: all of it or none. */
@Injectable()
export class OrderImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly imports: OrderImportRepository,
    private readonly tickets: TicketsService,
  ) {}

  async importBatch(orders: ImportOrderDto[]): Promise<ImportOrdersResultDto> {
    for (const o of orders) {
      if (o.totalCents !== o.subtotalCents + o.taxCents) throw badRequest(`${o.externalRef}: totalCents must be subtotalCents + taxCents`, 'VALIDATION_FAILED');
      if (new Set(o.items.map((i) => i.seatId)).size !== o.items.length) throw badRequest(`${o.externalRef}: a seat appears twice`, 'VALIDATION_FAILED');
      if (o.status === 'CONFIRMED' && !o.paymentId) throw badRequest(`${o.externalRef}: a CONFIRMED order needs its paymentId`, 'VALIDATION_FAILED');
    }
    const imported = await this.db.transaction(async (tx) => {
      const out: ImportedOrderDto[] = [];
      for (const o of orders) {
        // A CONFIRMED order's tickets, issued when the order was: their claims say so too.
        const tickets = o.status === 'CONFIRMED' ? this.tickets.mint({ id: o.orderId, eventId: o.eventId, items: o.items }, new Date(o.createdAt)) : [];
        out.push(await this.imports.importOrder(tx, o, tickets));
      }
      return out;
    });
    const created = imported.filter((o) => o.created).length;
    return { created, present: imported.length - created, ticketsIssued: imported.reduce((n, o) => n + o.ticketsIssued, 0), orders: imported };
  }
}
