import { DynamicModule, Module } from '@nestjs/common';
import { JsonLogger } from '@etsr/platform';
import { PaymentConfig } from '../config';
import { PAYMENT_GATEWAY, PaymentGateway } from './payment-gateway';
import { SimulatedGateway } from './simulated-gateway';

/**
 * Provides the PaymentGateway under PAYMENT_GATEWAY. The simulated provider is the only one today;
 * a real one (an HTTP client of Razorpay, Stripe, ...) implements PaymentGateway and is chosen here.
 */
@Module({})
export class GatewayModule {
  static forRoot(): DynamicModule {
    return {
      module: GatewayModule,
      providers: [
        {
          provide: PAYMENT_GATEWAY,
          inject: [PaymentConfig, JsonLogger],
          useFactory: (config: PaymentConfig, logger: JsonLogger): PaymentGateway => {
            if (config.NODE_ENV === 'production') {
              logger.warn('The simulated payment gateway is in use: it moves no money and approves every method but TEST_DECLINE', 'GatewayModule');
            }
            return new SimulatedGateway(config.GATEWAY_LATENCY_MS);
          },
        },
      ],
      exports: [PAYMENT_GATEWAY],
    };
  }
}
