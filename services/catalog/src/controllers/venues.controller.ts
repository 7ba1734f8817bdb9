import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IdParam, Public, Roles } from '@etsr/platform';
import { CreateVenueDto, ListVenuesQuery, UpdateVenueDto, VenuePageDto, VenueResponseDto } from '../dtos/venue.dto';
import { VenuesService } from '../services/venues.service';

@ApiTags('venues')
@Controller('v1/venues')
export class VenuesController {
  constructor(private readonly venues: VenuesService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'All venues, paginated (no token needed)' })
  @ApiOkResponse({ type: VenuePageDto })
  @ApiBadRequestResponse({ description: 'Invalid page or limit, or an unknown parameter' })
  list(@Query() query: ListVenuesQuery): Promise<VenuePageDto> {
    return this.venues.list(query);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'A venue (no token needed)' })
  @ApiOkResponse({ type: VenueResponseDto })
  @ApiNotFoundResponse({ description: 'VENUE_NOT_FOUND' })
  get(@IdParam() id: number): Promise<VenueResponseDto> {
    return this.venues.get(id);
  }

  @Post()
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Create a venue (admin)' })
  @ApiCreatedResponse({ type: VenueResponseDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, MALFORMED_JSON' })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Not an admin' })
  create(@Body() dto: CreateVenueDto): Promise<VenueResponseDto> {
    return this.venues.create(dto);
  }

  @Put(':id')
  @Roles('ADMIN')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change some fields of a venue (admin)' })
  @ApiOkResponse({ type: VenueResponseDto })
  @ApiNotFoundResponse({ description: 'VENUE_NOT_FOUND' })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Not an admin' })
  update(@IdParam() id: number, @Body() dto: UpdateVenueDto): Promise<VenueResponseDto> {
    return this.venues.update(id, dto);
  }

  @Delete(':id')
  @Roles('ADMIN')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete a venue that has no events (admin)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'VENUE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'VENUE_HAS_EVENTS' })
  @ApiUnauthorizedResponse()
  @ApiForbiddenResponse({ description: 'Not an admin' })
  delete(@IdParam() id: number): Promise<void> {
    return this.venues.delete(id);
  }
}
