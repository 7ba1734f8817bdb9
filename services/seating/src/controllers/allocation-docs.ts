import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ReservationDto } from '../dtos/reservation.dto';

/** Where the order service allocates and releases seats; the /v1/seats paths of the same name are deprecated aliases. */
export const ALLOCATE_PATH = '/internal/v1/seats/allocate';
export const RELEASE_PATH = '/internal/v1/seats/release';

/** Said on the deprecated aliases, so a reader of the document knows where to go. */
const aliasOf = (path: string) =>
  `Deprecated alias of POST ${path}, kept so that callers not yet moved keep working; it behaves the same. Service-only routes live under /internal/v1.`;

/** The OpenAPI description of allocation, shared by its route and its deprecated alias. */
export const AllocateDocs = (deprecated = false) =>
  applyDecorators(
    ApiOperation({
      summary: 'Sell the held seats to a paid order (platform services only); repeating it changes nothing',
      ...(deprecated ? { deprecated: true, description: aliasOf(ALLOCATE_PATH) } : {}),
    }),
    ApiOkResponse({ type: ReservationDto }),
    ApiBadRequestResponse({ description: 'RESERVATION_EXPIRED: the hold lapsed and its seats were taken' }),
    ApiConflictResponse({ description: 'RESERVATION_RELEASED, RESERVATION_ORDERED (another order), or CONFLICT: the order already has another reservation' }),
  );

/** The OpenAPI description of release, shared by its route and its deprecated alias. */
export const ReleaseDocs = (deprecated = false) =>
  applyDecorators(
    ApiOperation({
      summary: 'Put the seats of a reservation or order back on sale (platform services only; refunds)',
      ...(deprecated ? { deprecated: true, description: aliasOf(RELEASE_PATH) } : {}),
    }),
    ApiOkResponse({ type: ReservationDto }),
    ApiNotFoundResponse({ description: 'No reservation of that id, or none tied to that order: nothing is held' }),
  );
