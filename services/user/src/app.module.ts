import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, MetricsService, OutboxWorker, PlatformModule } from '@etsr/platform';
import { UserConfig } from './config';
import { AuthController } from './controllers/auth.controller';
import { ImportController } from './controllers/import.controller';
import { PasswordSetupController } from './controllers/password-setup.controller';
import { UsersController } from './controllers/users.controller';
import { database } from './database';
import { PasswordSetupRepository } from './repositories/password-setup.repository';
import { UserImportRepository } from './repositories/user-import.repository';
import { LoginThrottleRepository } from './repositories/login-throttle.repository';
import { RefreshTokensRepository } from './repositories/refresh-tokens.repository';
import { UsersRepository } from './repositories/users.repository';
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
      controllers: [AuthController, PasswordSetupController, UsersController, ImportController],
      providers: [
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
        AccountMailer,
      ],
    };
  }
}
