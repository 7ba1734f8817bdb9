import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, UserPrincipal } from '@etsr/platform';
import { ListNotificationsQuery, NotificationPageDto } from '../dtos/notification.dto';
import { NotificationsService } from '../services/notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: "Notifications of an order or a user, newest first (the owner's own, or any for an admin)" })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiBadRequestResponse({ description: 'FILTER_REQUIRED: give orderId or userId' })
  @ApiForbiddenResponse({ description: "Another user's notifications" })
  list(@CurrentUser() actor: UserPrincipal, @Query() query: ListNotificationsQuery): Promise<NotificationPageDto> {
    return this.notifications.list(actor, query);
  }
}
