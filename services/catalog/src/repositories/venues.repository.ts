import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError, Repository } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { VenueEntity } from '../entities/venue.entity';

export type NewVenue = Pick<VenueEntity, 'name' | 'address' | 'city' | 'state' | 'country' | 'postalCode' | 'capacity' | 'venueType' | 'facilities'>;

@Injectable()
export class VenuesRepository {
  private readonly repo: Repository<VenueEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(VenueEntity);
  }

  insert(venue: NewVenue): Promise<VenueEntity> {
    return this.repo.save(this.repo.create(venue));
  }

  findById(id: number): Promise<VenueEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Applies the changes; null when there is no such venue. */
  async update(id: number, changes: Partial<NewVenue>): Promise<VenueEntity | null> {
    if (Object.keys(changes).length) {
      const result = await this.repo.update({ id }, changes);
      if (!result.affected) return null;
    }
    return this.repo.findOneBy({ id });
  }

  /**
   * Deletes the venue unless events refer to it: the foreign key (ON DELETE RESTRICT) decides, so
   * an event created at the same moment cannot be orphaned. Answers how many events are in the way.
   */
  async delete(id: number): Promise<'deleted' | 'not-found' | { eventCount: number }> {
    try {
      const result = await this.repo.delete({ id });
      return result.affected ? 'deleted' : 'not-found';
    } catch (e) {
      const driver = (e as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
      // 23503 foreign_key_violation up to PostgreSQL 17; 18 reports a RESTRICT action as 23001 restrict_violation.
      if (!(e instanceof QueryFailedError) || !['23503', '23001'].includes(driver?.code ?? '') || driver?.constraint !== 'events_venue_fk') throw e;
      const [row] = await sqlRows<{ n: string }>(this.dataSource, `SELECT count(*) AS n FROM events WHERE venue_id = $1`, [id]);
      return { eventCount: Number(row.n) };
    }
  }

  async list(offset: number, limit: number): Promise<{ venues: VenueEntity[]; total: number }> {
    const [venues, total] = await this.repo.findAndCount({ order: { id: 'ASC' }, skip: offset, take: limit });
    return { venues, total };
  }
}
