import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ImportAllocationsDto, ImportAllocationsResultDto, ImportSeatsDto, ImportSeatsResultDto, ImportedAllocationDto } from '../dtos/import.dto';
import { SeatImportRepository } from '../repositories/seat-import.repository';

/** Loads another system's seats and sold seats (seedDataToDB.js), a batch at a time: all of it or none. */
@Injectable()
export class SeatImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly imports: SeatImportRepository,
  ) {}

  async importSeats(dto: ImportSeatsDto): Promise<ImportSeatsResultDto> {
    const seats = await this.db.transaction((tx) => this.imports.importSeats(tx, dto.eventId, dto.venueId, dto.seats));
    const created = seats.filter((s) => s.created).length;
    if (created) await this.imports.analyzeSeats();
    return { eventId: dto.eventId, created, present: seats.length - created, seats };
  }

  async importAllocations(dto: ImportAllocationsDto): Promise<ImportAllocationsResultDto> {
    const allocations = await this.db.transaction(async (tx) => {
      const out: ImportedAllocationDto[] = [];
      for (const a of dto.allocations) out.push(await this.imports.importAllocation(tx, a));
      return out;
    });
    const created = allocations.filter((a) => a.created).length;
    return { created, present: allocations.length - created, allocations };
  }
}
