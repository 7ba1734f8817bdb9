import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, MetricsService, OutboxWorker, PlatformModule, TokenRevocationFeed, TokenService } from '@etsr/platform';
import { UserConfig } from './config';
import { AuthController } from './controllers/auth.controller';
import { ImportController } from './controllers/import.controller';
import { PasswordSetupController } from './controllers/password-setup.controller';
import { TokenRevocationsController } from './controllers/token-revocations.controller';
import { UsersController } from './controllers/users.controller';
import { database } from './database';
import { PasswordSetupRepository } from './repositories/password-setup.repository';
import { UserImportRepository } from './repositories/user-import.repository';
import { LoginThrottleRepository } from './repositories/login-throttle.repository';
import { RefreshTokensRepository } from './repositories/refresh-tokens.repository';
import { TokenRevocationsRepository } from './repositories/token-revocations.repository';
import { TokenRevocationsService } from './services/token-revocations.service';
import { UsersRepository } from './repositories/users.repository';
import { NotificationClient } from './clients/notification.client';
import { AccountMailer } from './services/account-mailer.service';
import { AdminBootstrapService } from './services/admin-bootstrap.service';
import { AuthService } from './services/auth.service';
import { MaintenanceService } from './services/maintenance.service';
import { PasswordHasher } from './services/password-hasher';
import { PasswordSetupService } from './services/password-setup.service';
import { UserImportService } from './services/user-import.service';
import { UserMetrics } from './services/user-metrics';
import { UsersService } from './services/users.service';

@Module({})
export class AppModule {
  static forRoot(config: UserConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, configClass: UserConfig, database, logger })],
      controllers: [AuthController, PasswordSetupController, UsersController, ImportController, TokenRevocationsController],
      providers: [
        TokenRevocationsRepository,
        TokenRevocationsService,
        {
          // The same feed the other services read over HTTP, read here from the database itself.
          provide: TokenRevocationFeed,
          inject: [TokenService, TokenRevocationsRepository, MetricsService],
          useFactory: (tokens: TokenService, revocations: TokenRevocationsRepository, metrics: MetricsService) =>
            new TokenRevocationFeed(tokens.revocations, (after) => revocations.page(after), config.TOKEN_REVOCATION_POLL_MS, logger.forContext(TokenRevocationFeed.name), metrics),
        },
        UsersRepository,
        RefreshTokensRepository,
        LoginThrottleRepository,
        PasswordHasher,
        UserMetrics,
        UsersService,
        AuthService,
        AdminBootstrapService,
        MaintenanceService,
        UserImportRepository,
        UserImportService,
        PasswordSetupRepository,
        PasswordSetupService,
        {
          provide: OutboxWorker,
          inject: [getDataSourceToken(), MetricsService],
          useFactory: (db: DataSource, metrics: MetricsService) => new OutboxWorker(db, logger, metrics, { pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS }),
        },
        NotificationClient,
        AccountMailer,
      ],
    };
  }
}
