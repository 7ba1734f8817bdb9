import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { TokenRevocationFeed, userServiceRevocations } from './auth/token-revocation-feed';
import { TokenService } from './auth/token-service';
import { ServiceClient } from './client/service-client';
import { BaseConfig, RevocationFeedConfig } from './config/base-config';
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
    const tokens = new TokenService(config.JWT_SECRET, config.SERVICE_SECRET, config.SERVICE_NAME);
    const metrics = new MetricsService(config.SERVICE_NAME);
    const providers: Provider[] = [
      { provide: BaseConfig, useValue: config },
      { provide: options.configClass, useValue: config },
      { provide: JsonLogger, useValue: logger },
      { provide: MetricsService, useValue: metrics },
      { provide: TokenService, useValue: tokens },
      DatabaseMetrics,
      { provide: DatabaseProbe, useFactory: () => new DatabaseProbe(config, DB_CHECK_TIMEOUT_MS) },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useFactory: () => new AllExceptionsFilter(logger) },
    ];
    // The user service has no USER_URL: it provides a TokenRevocationFeed of its own, read from its database.
    const userUrl = config instanceof RevocationFeedConfig ? config.USER_URL : undefined;
    if (userUrl) {
      // One attempt per poll: the next poll is the retry, and start-up is not held up by a dead peer.
      const log = logger.forContext(TokenRevocationFeed.name);
      const user = new ServiceClient({ target: 'user', baseUrl: userUrl, tokens, timeoutMs: config.HTTP_CLIENT_TIMEOUT_MS, maxAttempts: 1, log, metrics });
      providers.push({ provide: TokenRevocationFeed, useValue: new TokenRevocationFeed(tokens.revocations, userServiceRevocations(user), config.TOKEN_REVOCATION_POLL_MS, log, metrics) });
    } else if (config instanceof RevocationFeedConfig && config.NODE_ENV === 'production') {
      logger.warn('USER_URL is not set: revoked access tokens (blocked users, logouts) are accepted until they expire', {}, 'PlatformModule');
    }
    return {
      module: PlatformModule,
      imports: [DatabaseModule.forRoot(config, options.database, logger)],
      controllers: [HealthController, MetricsController],
      providers,
      exports: [BaseConfig, options.configClass, JsonLogger, MetricsService, TokenService, DatabaseModule],
    };
  }
}
