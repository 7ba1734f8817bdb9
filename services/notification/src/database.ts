import { DatabaseDefinition } from '@etsr/platform';
import { NotificationAttachmentEntity } from './entities/notification-attachment.entity';
import { NotificationEventEntity } from './entities/notification-event.entity';
import { NotificationEntity } from './entities/notification.entity';
import { CreateNotifications1764100000000 } from './migrations/1764100000000-create-notifications';
import { AccountNotifications1764200000000 } from './migrations/1764200000000-account-notifications';
import { DeferredRendering1764300000000 } from './migrations/1764300000000-deferred-rendering';

/** Entities and migrations of notificationdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [NotificationEventEntity, NotificationEntity, NotificationAttachmentEntity],
  migrations: [CreateNotifications1764100000000, AccountNotifications1764200000000, DeferredRendering1764300000000],
};
