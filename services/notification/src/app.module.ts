import { DynamicModule, Module, Provider } from '@nestjs/common';
import { JsonLogger, PlatformModule } from '@etsr/platform';
import { MailTransport, SmtpMailTransport } from './clients/mail-transport.client';
import { QrCodeClient } from './clients/qr-code.client';
import { LogSmsProvider, SmsProvider } from './clients/sms.provider';
import { NotificationConfig } from './config';
import { InboxController } from './controllers/inbox.controller';
import { InternalController } from './controllers/internal.controller';
import { NotificationsController } from './controllers/notifications.controller';
import { database } from './database';
import { NotificationsRepository } from './repositories/notifications.repository';
import { InboxService } from './services/inbox.service';
import { MessageComposer } from './services/message-composer.service';
import { NotificationMetrics } from './services/notification-metrics';
import { NotificationSender } from './services/notification-sender.service';
import { NotificationsService } from './services/notifications.service';

/** SMS_PROVIDER → the class that sends SMS. */
const SMS_PROVIDERS: Record<NotificationConfig['SMS_PROVIDER'], new (...args: never[]) => SmsProvider> = {
  log: LogSmsProvider,
};

@Module({})
export class AppModule {
  static forRoot(config: NotificationConfig, logger: JsonLogger): DynamicModule {
    const providers: Provider[] = [
      NotificationsRepository,
      QrCodeClient,
      { provide: MailTransport, useClass: SmtpMailTransport },
      { provide: SmsProvider, useClass: SMS_PROVIDERS[config.SMS_PROVIDER] },
      NotificationMetrics,
      MessageComposer,
      NotificationSender,
      NotificationsService,
    ];
    const development = config.NODE_ENV !== 'production';
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, configClass: NotificationConfig, database, logger })],
      // The inbox shows every notification to anyone: it exists only outside production.
      controllers: [InternalController, NotificationsController, ...(development ? [InboxController] : [])],
      providers: development ? [...providers, InboxService] : providers,
    };
  }
}
