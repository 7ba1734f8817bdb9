import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { MetricsService } from './metrics.service';

export const METRICS_PATHS = ['/metrics', '/actuator/prometheus'];

export interface MetricsListener {
  /** http://127.0.0.1:<port>, the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/**
 * The metrics on an internal port of their own (METRICS_PORT): Prometheus inside the deployment
 * scrapes them there, and the public port, which an ingress exposes, does not show them. A plain
 * node:http server: it serves two GET paths and nothing else, without auth, hooks or Nest.
 */
export async function startMetricsListener(metrics: MetricsService, host: string, port: number): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || !METRICS_PATHS.includes(path)) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ statusCode: 404, error: 'NOT_FOUND', message: `Only GET ${METRICS_PATHS.join(' and ')} here` }));
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
