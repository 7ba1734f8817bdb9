import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { notFound, sqlRows } from '@etsr/platform';
import { ImportEventDto, ImportVenueDto, ImportedRowDto } from '../dtos/import.dto';
import { parseDateTime } from '../dtos/validation';

/**
 * Venues and events of another system, keyed by their source reference. Each row is
 * `INSERT ... ON CONFLICT (external_ref) DO NOTHING RETURNING`: a row already there is found by
 * its reference and left alone, and of two importers racing on one row, one creates it and the
 * other (waiting for its commit) finds it. CatalogImportService runs a batch in one transaction.
 */
@Injectable()
export class CatalogImportRepository {
  importVenue(tx: EntityManager, v: ImportVenueDto): Promise<ImportedRowDto> {
    return this.upsert(tx, 'venues', 'venue_id', v.externalRef, {
      name: v.name, address: v.address, city: v.city, state: v.state ?? null, country: v.country, postal_code: v.postal_code ?? null,
      capacity: v.capacity, venue_type: v.venue_type ?? 'OTHER', facilities: JSON.stringify(v.facilities ?? {}),
    });
  }

  async importEvent(tx: EntityManager, e: ImportEventDto): Promise<ImportedRowDto> {
    const [venue] = await sqlRows(tx, `SELECT 1 FROM venues WHERE venue_id = $1`, [e.venue_id]);
    if (!venue) throw notFound(`${e.externalRef}: venue ${e.venue_id} not found`, 'VENUE_NOT_FOUND');
    return this.upsert(tx, 'events', 'event_id', e.externalRef, {
      venue_id: e.venue_id, name: e.name, description: e.description ?? null, event_type: e.event_type,
      start_date: parseDateTime(e.start_date), end_date: parseDateTime(e.end_date), status: e.status,
      total_seats: e.total_seats, available_seats: e.total_seats, base_price: e.base_price,
    });
  }

  private async upsert(tx: EntityManager, table: string, idColumn: string, ref: string, values: Record<string, unknown>): Promise<ImportedRowDto> {
    const columns = [...Object.keys(values), 'external_ref'];
    const params = [...Object.values(values), ref];
    const [inserted] = await sqlRows<{ id: string }>(
      tx,
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (external_ref) DO NOTHING RETURNING ${idColumn} AS id`,
      params,
    );
    if (inserted) return { externalRef: ref, id: Number(inserted.id), created: true };
    const [existing] = await sqlRows<{ id: string }>(tx, `SELECT ${idColumn} AS id FROM ${table} WHERE external_ref = $1`, [ref]);
    return { externalRef: ref, id: Number(existing.id), created: false };
  }
}
