import { Injectable } from '@nestjs/common';
import { conflict, JsonLogger, notFound, pageOffset } from '@etsr/platform';
import { CreateVenueDto, ListVenuesQuery, UpdateVenueDto, VenuePageDto, VenueResponseDto, mapVenue } from '../dtos/venue.dto';
import { NewVenue, VenuesRepository } from '../repositories/venues.repository';

const venueNotFound = (id: number) => notFound(`Venue ${id} not found`, 'VENUE_NOT_FOUND');

/** Venues: anyone reads them, admins write them. */
@Injectable()
export class VenuesService {
  private readonly log;

  constructor(
    private readonly venues: VenuesRepository,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(VenuesService.name);
  }

  async create(dto: CreateVenueDto): Promise<VenueResponseDto> {
    const venue = await this.venues.insert({
      name: dto.name,
      address: dto.address,
      city: dto.city,
      state: dto.state ?? null,
      country: dto.country,
      postalCode: dto.postal_code ?? null,
      capacity: dto.capacity,
      venueType: dto.venue_type ?? 'OTHER',
      facilities: dto.facilities ?? {},
    });
    this.log.info('Venue created', { venueId: venue.id });
    return mapVenue(venue);
  }

  async get(id: number): Promise<VenueResponseDto> {
    const venue = await this.venues.findById(id);
    if (!venue) throw venueNotFound(id);
    return mapVenue(venue);
  }

  async list(query: ListVenuesQuery): Promise<VenuePageDto> {
    const { venues, total } = await this.venues.list(pageOffset(query), query.limit);
    return { venues: venues.map(mapVenue), total_count: total, page: query.page, limit: query.limit };
  }

  async update(id: number, dto: UpdateVenueDto): Promise<VenueResponseDto> {
    const changes: Partial<NewVenue> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.address !== undefined) changes.address = dto.address;
    if (dto.city !== undefined) changes.city = dto.city;
    if (dto.state !== undefined) changes.state = dto.state;
    if (dto.country !== undefined) changes.country = dto.country;
    if (dto.postal_code !== undefined) changes.postalCode = dto.postal_code;
    if (dto.capacity !== undefined) changes.capacity = dto.capacity;
    if (dto.venue_type !== undefined) changes.venueType = dto.venue_type;
    if (dto.facilities !== undefined) changes.facilities = dto.facilities;
    const venue = await this.venues.update(id, changes);
    if (!venue) throw venueNotFound(id);
    return mapVenue(venue);
  }

  /** Refused (409 VENUE_HAS_EVENTS) while any event, whatever its status, takes place there. */
  async delete(id: number): Promise<void> {
    const result = await this.venues.delete(id);
    if (result === 'not-found') throw venueNotFound(id);
    if (result !== 'deleted') {
      throw conflict(`Venue ${id} has ${result.eventCount} event(s); delete or move them first`, 'VENUE_HAS_EVENTS', {
        event_count: result.eventCount,
      });
    }
    this.log.info('Venue deleted', { venueId: id });
  }
}
