import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { badRequest } from '@etsr/platform';
import { ImportEventDto, ImportResultDto, ImportVenueDto, ImportedRowDto } from '../dtos/import.dto';
import { parseDateTime } from '../dtos/validation';
import { CatalogImportRepository } from '../repositories/catalog-import.repository';

/** Loads venues and events of another system (seedDataToDB.js), a batch at a time: all of it or none. */
@Injectable()
export class CatalogImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly imports: CatalogImportRepository,
  ) {}

  importVenues(venues: ImportVenueDto[]): Promise<ImportResultDto> {
    return this.batch(venues, (tx, v) => this.imports.importVenue(tx, v));
  }

  importEvents(events: ImportEventDto[]): Promise<ImportResultDto> {
    for (const e of events) {
      if (parseDateTime(e.end_date)! <= parseDateTime(e.start_date)!) throw badRequest(`${e.externalRef}: end_date must be after start_date`, 'INVALID_DATE_RANGE');
    }
    return this.batch(events, (tx, e) => this.imports.importEvent(tx, e));
  }

  private async batch<T>(items: T[], one: (tx: EntityManager, item: T) => Promise<ImportedRowDto>): Promise<ImportResultDto> {
    const rows = await this.db.transaction(async (tx) => {
      const out: ImportedRowDto[] = [];
      for (const item of items) out.push(await one(tx, item));
      return out;
    });
    const created = rows.filter((r) => r.created).length;
    return { created, present: rows.length - created, rows };
  }
}
