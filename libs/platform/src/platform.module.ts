import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { TokenService } from './auth/token-service';
import { BaseConfig } from './config/base-config';
import { DatabaseDefinition } from './database/data-source-options';
import { DatabaseMetrics } from './database/database-metrics';
import { DatabaseModule } from './database/database.module';
import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { DatabaseProbe } from './health/database-probe';
import { DB_CHECK_TIMEOUT_MS, HealthController } from './health/health.controller';
import { JsonLogger } from './logging/json-logger';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';

export interface PlatformOptions<C extends BaseConfig> {
  config: C;
  /** The service's config class, so its services can inject the typed config by class. */
  configClass: abstract new () => C;
  database: DatabaseDefinition;
  logger: JsonLogger;
}

/**
 * What every service imports once: typed config, logger, metrics, health, token handling, the
 * global auth guard and error filter, and its database. Global so feature modules need not import it.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot<C extends BaseConfig>(options: PlatformOptions<C>): DynamicModule {
    const { config, logger } = options;
    const providers: Provider[] = [
      { provide: BaseConfig, useValue: config },
      { provide: options.configClass, useValue: config },
      { provide: JsonLogger, useValue: logger },
      { provide: MetricsService, useValue: new MetricsService(config.SERVICE_NAME) },
      { provide: TokenService, useValue: new TokenService(config.JWT_SECRET, config.SERVICE_SECRET, config.SERVICE_NAME) },
      DatabaseMetrics,
      { provide: DatabaseProbe, useFactory: () => new DatabaseProbe(config, DB_CHECK_TIMEOUT_MS) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useFactory: () => new AllExceptionsFilter(logger) },
    ];
    return {
      module: PlatformModule,
      imports: [DatabaseModule.forRoot(config, options.database, logger)],
      controllers: [HealthController, MetricsController],
      providers,
      exports: [BaseConfig, options.configClass, JsonLogger, MetricsService, TokenService, DatabaseModule],
    };
  }
}
