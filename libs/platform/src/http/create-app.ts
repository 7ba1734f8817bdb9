import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BaseConfig, docsEnabled } from '../config/base-config';
import { ConfigError, describeConfig } from '../config/load-config';
import { sendError } from '../errors/all-exceptions.filter';
import { AppError } from '../errors/app-error';
import { JsonLogger } from '../logging/json-logger';
import { enterTrace, newSpanId, newTraceId, parseTraceparent } from '../logging/trace-context';
import { startMetricsListener } from '../metrics/metrics-listener';
import { MetricsService } from '../metrics/metrics.service';
import { createValidationPipe } from '../validation/validation';
import { LoopTurnGate } from './loop-turn-gate';
import { AppDescription, completeDocument, documentFrame } from './openapi-document';
import { registerRootRoute } from './root-route';
import { registerSecurityHeaders } from './security-headers';
import { MAX_JSON_DEPTH, jsonNestingExceeds } from '../validation/unsafe-input';

export type { AppDescription };

/** Health, readiness and metrics routes: never held back, never logged per request. */
const OBSERVABILITY_PATH = /^\/(metrics|health|actuator)/;

export interface RunningApp {
  app: NestFastifyApplication;
  /** http://127.0.0.1:<port>, the port actually bound (PORT=0 picks a free one, as tests do). */
  url: string;
  /** The service's logger, for the process around it (stopOnSignals). */
  logger: JsonLogger;
  /** http://127.0.0.1:<port> of the metrics listener, when METRICS_PORT is set. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/**
 * Builds and starts a service on Fastify: trace context and request metrics hooks, the one error
 * body (also for errors Fastify raises before Nest sees a request, like malformed JSON), security
 * headers and CORS, the global validation pipe, OpenAPI at /docs and /docs-json (unless
 * DOCS_ENABLED says otherwise; GET / leads there), metrics on METRICS_PORT when set. A process's
 * entry point adds `stopOnSignals`.
 */
export async function startApp(
  module: Type<unknown> | import('@nestjs/common').DynamicModule,
  config: BaseConfig,
  logger: JsonLogger,
  doc: AppDescription,
): Promise<RunningApp> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // Our own hook logs one line per request, with the trace id.
    logger: false,
    // Large enough for bulk seat layouts; small enough to shed slowloris-style clients.
    requestTimeout: 30_000,
    return503OnClosing: true,
    // Errors of the router itself (a bad percent-encoding, an overlong path parameter) get the one
    // error body too; by default Fastify answers them in its own shape, one of them with a 414.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendError(logger, error, request, reply),
  });
  // bodyParser off: we install the one JSON parser ourselves (below), so a malformed body is our error, not Nest's.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bodyParser: false, abortOnError: false });
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  const requestLog = logger.forContext('Http');

  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const traceId = parseTraceparent(request.headers.traceparent) ?? newTraceId();
    reply.header('x-trace-id', traceId);
    enterTrace({ traceId, spanId: newSpanId() }, done);
  });
  if (config.REQUESTS_PER_LOOP_TURN > 0) {
    const gate = new LoopTurnGate(config.REQUESTS_PER_LOOP_TURN);
    fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      // Probes answer at once: a health check that waits behind a crowd reads as an outage.
      const wait = OBSERVABILITY_PATH.test(request.url) ? undefined : gate.enter();
      if (wait) void wait.then(done);
      else done();
    });
  }
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions?.url;
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (!route || !OBSERVABILITY_PATH.test(route)) {
      requestLog.info('request completed', {
        method: request.method,
        url: request.url,
        // As TRUST_PROXY resolves it: what the per-address limits count.
        clientIp: request.ip,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      });
    }
    done();
  });
  acceptJsonOnly(fastify);
  await registerSecurityHeaders(app, config);

  app.useGlobalPipes(createValidationPipe());

  const docs = docsEnabled(config);
  if (docs) {
    const frame = documentFrame(doc, config.VERSION ?? '1.0.0');
    SwaggerModule.setup('docs', app, () => completeDocument(SwaggerModule.createDocument(app, frame)), { jsonDocumentUrl: 'docs-json' });
  }
  registerRootRoute(fastify, { service: config.SERVICE_NAME, version: config.VERSION, docs });

  await app.listen({ port: config.PORT, host: config.HOST, backlog: config.LISTEN_BACKLOG });
  const metricsListener = config.METRICS_PORT === undefined ? undefined : await startMetricsListener(metrics, config.HOST, config.METRICS_PORT);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  logger.log('Service started', { url, metricsUrl: metricsListener?.url, config: describeConfig(config) }, 'Bootstrap');
  const close = async () => {
    await metricsListener?.close();
    await app.close();
  };
  return { app, url, logger, metricsUrl: metricsListener?.url, close };
}

/**
 * A service process's entry point: start it, stop gracefully on signals, and when start-up fails
 * (bad config, unreachable database) write one FATAL JSON line and exit 1.
 */
export function runService(service: string, start: () => Promise<RunningApp>): void {
  start().then(
    (running) => stopOnSignals(running, running.logger),
    (e: unknown) => {
      // The logger may not exist yet (bad config), so the line is written by hand.
      const message = e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'FATAL', service, message })}\n`);
      process.exit(1);
    },
  );
}

/**
 * Graceful stop for a service process: on SIGTERM or SIGINT stop taking requests, let running ones
 * finish, run shutdown hooks (workers, pools), then exit 0; exit 1 if that takes over `graceMs`.
 */
export function stopOnSignals(running: RunningApp, logger: JsonLogger, graceMs = 10_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log('Shutting down', { signal }, 'Bootstrap');
    setTimeout(() => {
      logger.error('Shutdown took too long; exiting', { graceMs }, 'Bootstrap');
      process.exit(1);
    }, graceMs).unref();
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error('Shutdown failed', e instanceof Error ? e : { error: String(e) }, 'Bootstrap');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const tooDeep = () => new AppError(400, 'MALFORMED_JSON', `Request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels`);

/**
 * Bodies are JSON or nothing: other media types get 415. Parse failures become 400 MALFORMED_JSON;
 * fastify's parser is kept for its protection against __proto__ / constructor pollution.
 * One exception: `curl -d '{...}'` without a Content-Type header sends
 * application/x-www-form-urlencoded, and the documented curl examples do exactly that, so a
 * form-typed body that is JSON is read as JSON. A real form body still gets 415.
 */
function acceptJsonOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') {
      done(new AppError(400, 'MALFORMED_JSON', 'Request body is empty but Content-Type is application/json'), undefined);
      return;
    }
    if (jsonNestingExceeds(text)) {
      done(tooDeep(), undefined);
      return;
    }
    // Kept for endpoints that verify a signature over the exact bytes (payment callbacks).
    (request as FastifyRequest & { rawBody?: string }).rawBody = text;
    parseJson(request, text, (err, value) => {
      if (err) done(new AppError(400, 'MALFORMED_JSON', 'Request body is not valid JSON'), undefined);
      else done(null, value);
    });
  });
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString().trim();
    const unsupported = new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    if (!text.startsWith('{') && !text.startsWith('[')) {
      done(unsupported, undefined);
      return;
    }
    if (jsonNestingExceeds(text)) {
      done(tooDeep(), undefined);
      return;
    }
    parseJson(request, text, (err, value) => (err ? done(unsupported, undefined) : done(null, value)));
  });
}

export type { INestApplication };
