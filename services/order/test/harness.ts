import { Role, RunningApp, signPayload } from '@etsr/platform';
import { ApiResponse, TestDatabase, call, client, createMigratedTestDatabase, devServiceToken, devUserToken, metricValue, eventually, query } from '@etsr/platform/testing';
import { startOrderService } from '../src/bootstrap';
import { database as orderDatabase } from '../src/database';
import { FakeCatalog } from './fake-catalog';
import { FakeNotification } from './fake-notification';
import { FakePayment } from './fake-payment';
import { FakeSeating } from './fake-seating';

export type Api = ReturnType<typeof client>;

/** The callback secret the tests run with (what the payment service would sign with). */
export const CALLBACK_SECRET = 'test-callback-secret-0123456789abcdef';
/** A 64-hex-digit Ed25519 seed: the service signs tickets with it. */
export const TICKET_SIGNING_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

/** Where the platform writes to a test user (the token's `email` claim; the order service sends notices there). */
export const emailOf = (userId: number) => `buyer${userId}@example.com`;
/** A user's access token; `email: null` issues one without an e-mail address (tokens from before it was added). */
export const userToken = (userId: number, role: Role = 'USER', options: { email?: string | null; expiresInSeconds?: number } = {}) =>
  devUserToken(userId, role, { email: options.email === null ? undefined : (options.email ?? emailOf(userId)), expiresInSeconds: options.expiresInSeconds });
export const adminToken = () => userToken(1, 'ADMIN');
/** A credential another platform service (`from`) would send to `audience` (the order service by default). */
export const serviceToken = (from = 'payment', audience = 'order') => devServiceToken(from, audience);

/** The fake peers the order service talks to. */
export interface Peers {
  seating: FakeSeating;
  payment: FakePayment;
  notification: FakeNotification;
  catalog: FakeCatalog;
}

export interface OrderServiceUnderTest extends Peers {
  url: string;
  api: Api;
  db: TestDatabase;
  app: RunningApp;
  /** Sends a payment callback signed as the payment service would (or as told: another secret, time, path or raw body). */
  callback(body: Record<string, unknown>, options?: CallbackOptions): Promise<ApiResponse>;
  /** Runs SQL on the service's database (test set-up and checks only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** The value of a metric sample now (undefined when there is none). */
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
  /** Waits until the outbox has nothing left to deliver (every message SENT or DEAD). */
  outboxSettled(timeoutMs?: number): Promise<void>;
  /** Stops the service; the fakes and the database too, unless they were handed in. */
  stop(): Promise<void>;
}

export interface CallbackOptions {
  secret?: string;
  /** Unix seconds of the signature (default: now). */
  timestamp?: number;
  path?: '/v1/payments/callback' | '/v1/orders/callback';
  /** The x-signature header as sent; null sends none. */
  signature?: string | null;
  /** Sign this body but send `sent` (a body changed on the way). */
  sent?: string;
}

export interface TestOptions {
  /** Run on this database (a restart, or a second replica); it is left in place on stop. */
  database?: TestDatabase;
  /** Talk to these fakes (shared with another instance); they are left running on stop. */
  peers?: Peers;
}

/**
 * The order service on a fresh database and a free port, talking to fresh fakes of seating,
 * payment, notification and catalog. The outbox is polled every 100 ms and the reconciler runs
 * every 200 ms, but it only takes up orders untouched for RECONCILE_AFTER_SECONDS (30): tests that
 * want it to act on an order make the order look old.
 */
export async function startOrderForTest(env: Record<string, string> = {}, options: TestOptions = {}): Promise<OrderServiceUnderTest> {
  const peers = options.peers ?? { seating: new FakeSeating(), payment: new FakePayment(), notification: new FakeNotification(), catalog: new FakeCatalog() };
  if (!options.peers) await Promise.all(Object.values(peers).map((p) => p.start()));
  const db = options.database ?? (await createMigratedTestDatabase('order', orderDatabase));
  const stopPeers = () => (options.peers ? Promise.resolve() : Promise.all(Object.values(peers).map((p) => p.stop())).then(() => undefined));
  let app: RunningApp;
  try {
    app = await startOrderService({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DB_POOL_SIZE: '20',
      SEATING_URL: peers.seating.url,
      PAYMENT_URL: peers.payment.url,
      NOTIFICATION_URL: peers.notification.url,
      CATALOG_URL: peers.catalog.url,
      CALLBACK_SECRET,
      TICKET_SIGNING_KEY,
      OUTBOX_POLL_INTERVAL_MS: '100',
      RECONCILE_INTERVAL_MS: '200',
      ...env,
    });
  } catch (e) {
    await stopPeers();
    if (!options.database) await db.drop();
    throw e;
  }
  const api = client(app.url);
  const sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => query<T>(db.url, text, params);
  return {
    url: app.url,
    api,
    db,
    app,
    ...peers,
    callback: (body, options = {}) => {
      const raw = JSON.stringify(body);
      const signature = options.signature === undefined ? signPayload(options.secret ?? CALLBACK_SECRET, raw, options.timestamp) : options.signature;
      return call('POST', new URL(options.path ?? '/v1/payments/callback', app.url).toString(), {
        raw: options.sent ?? raw,
        headers: signature === null ? {} : { 'x-signature': signature },
      });
    },
    sql,
    metric: async (name, labels) => metricValue((await api.get('/metrics')).text, name, labels),
    outboxSettled: async (timeoutMs = 10_000) => {
      await eventually(async () => {
        const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`);
        return n === 0 ? true : undefined;
      }, timeoutMs, 'the outbox to be delivered');
    },
    stop: async () => {
      await app.close();
      await stopPeers();
      if (!options.database) await db.drop();
    },
  };
}

export { eventually, query };
