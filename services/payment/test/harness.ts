import { Role, RunningApp } from '@etsr/platform';
import { TestDatabase, client, createMigratedTestDatabase, devServiceToken, devUserToken, metricValue, outboxSettled, query } from '@etsr/platform/testing';
import { startPaymentService } from '../src/bootstrap';
import { database as paymentDatabase } from '../src/database';
import { PAYMENT_GATEWAY } from '../src/gateway/payment-gateway';
import { SimulatedGateway } from '../src/gateway/simulated-gateway';
import { FakeOrderService } from './fake-order';
import { TEST_CLIENT_APPLICATION } from './statements';

export type Api = ReturnType<typeof client>;

/** The callback secret the tests run with (the service and the fake order service share it). */
export const CALLBACK_SECRET = 'test-callback-secret-0123456789abcdef';

export const userToken = (userId: number, role: Role = 'USER', expiresInSeconds = 3600) => devUserToken(userId, role, { expiresInSeconds });
export const adminToken = () => userToken(1, 'ADMIN');
/** A credential another platform service (order, by default) would send to the payment service. */
export const serviceToken = (from = 'order') => devServiceToken(from, 'payment');

export interface PaymentServiceUnderTest {
  url: string;
  api: Api;
  db: TestDatabase;
  app: RunningApp;
  /** The fake order service the payment service talks to. */
  orders: FakeOrderService;
  gateway: SimulatedGateway;
  /** Runs SQL on the service's database (test set-up and checks only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** The value of a metric sample now. */
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
  /** Delivers what is due in the outbox and waits until nothing is due or being delivered. */
  outboxSettled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The payment service on a fresh database and a free port, talking to a fresh fake order service
 * (or to `env.ORDER_URL` when given). Callbacks are polled every 100 ms and retried quickly. With
 * `database`, it runs on that database (a second replica) and leaves it in place on stop.
 */
export async function startPaymentForTest(env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<PaymentServiceUnderTest> {
  const orders = new FakeOrderService(CALLBACK_SECRET);
  const orderUrl = await orders.start();
  const db = options.database ?? (await createMigratedTestDatabase('payment', paymentDatabase));
  let app: RunningApp;
  try {
    app = await startPaymentService({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DB_POOL_SIZE: '20',
      ORDER_URL: orderUrl,
      CALLBACK_SECRET,
      OUTBOX_POLL_INTERVAL_MS: '100',
      CALLBACK_RETRY_BASE_MS: '50',
      CALLBACK_RETRY_MAX_MS: '200',
      ...env,
    });
  } catch (e) {
    await orders.stop();
    if (!options.database) await db.drop();
    throw e;
  }
  const api = client(app.url);
  return {
    url: app.url,
    api,
    db,
    app,
    orders,
    gateway: app.app.get<SimulatedGateway>(PAYMENT_GATEWAY),
    sql: (text, params) => query(db.url, text, params, { applicationName: TEST_CLIENT_APPLICATION }),
    metric: async (name, labels) => metricValue((await api.get('/metrics')).text, name, labels),
    outboxSettled: () => outboxSettled(app, db.url),
    stop: async () => {
      await app.close();
      await orders.stop();
      if (!options.database) await db.drop();
    },
  };
}
