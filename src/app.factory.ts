import type { RequestListener } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import fastifyCookie, { type FastifyCookieOptions } from '@fastify/cookie';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import type { Queue } from 'bullmq';
import { EVENT_QUEUES, EventPublisher } from './events/event-publisher';
import { mountQueueDashboard } from './events/queue-dashboard';
import type { AppConfig } from './config/app-config';
import { ErrorEnvelopeFilter, sendRouterErrorEnvelope } from './common/errors/error-envelope.filter';
import { installApiSurfaceHook } from './common/http/api-surface.hook';
import { installRequestContext } from './common/http/request-context';
import { installAccessLog } from './common/logging/access-log';
import { answerClientError, createHttpServer, MAX_URL_BYTES } from './common/http/http-server';
import { installRequestBodyParsing } from './common/http/request-body';
import { installHttpMetrics } from './metrics/http-metrics';
import { METRICS_REGISTRY } from './metrics/metrics.module';
import { createValidationPipe } from './common/validation/validation-pipe';
import { genRequestId } from './common/http/request-id';
import { decodeCookieValue } from './common/http/cookie-value';
import { createProcessLogger, PinoNestLogger, QuietStartLogger } from './common/logging/log-format';
import { waitForDatabase } from './database/database-wait';
import { HttpListeners } from './lifecycle/http-listeners';
import { IdleMemoryTrim } from './lifecycle/idle-memory-trim';
import { LifecycleState } from './lifecycle/lifecycle-state';
import type { Logger as PinoLogger } from 'pino';

export interface RunningApp {
  app: NestFastifyApplication;
  publicUrl: string;
  adminUrl: string;
  /** The graceful stop: not ready at once, serving through the drain delay, then closing (see HttpListeners). */
  close(): Promise<void>;
}

export interface AppOptions {
  /** `false`: no logs at all (tests, the OpenAPI generator). */
  logger?: boolean;
  /** Shared with the listeners; readiness answers 503 unless it says the process is serving. */
  lifecycle?: LifecycleState;
}

/** The OpenAPI document of the whole API, generated from the controllers' decorators. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Kratos-compatible identity service')
    .setDescription(
      'Admin and public API wire-compatible with Ory Kratos (IdentityApi). Admin routes (/admin/*) are served on the admin port, self-service routes on the public port.',
    )
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization' }, 'oryAccessToken')
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_c, method) => method });
}

/** Creates and configures the application without listening (tests and the OpenAPI generator use it too). */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    serverFactory: (handler: RequestListener) => createHttpServer(handler, config.http),
    clientErrorHandler: answerClientError,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    genReqId: genRequestId,
    requestIdHeader: false,
    // Path parameters as long as a URL may be: an absurdly long id is an unknown id (404 or 400), not a 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_URL_BYTES },
    frameworkErrors: sendRouterErrorEnvelope,
    // No Nest middleware is used (request logging, context and metrics are Fastify hooks), so no middleware layer.
    skipMiddie: true,
  });
  const lifecycle = options.lifecycle ?? Object.assign(new LifecycleState(), { phase: 'serving' as const });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, lifecycle), adapter, {
    // The JSON parser is registered below (Nest's would take empty bodies for malformed JSON).
    bodyParser: false,
    // Until the application's logger exists, Nest's own messages (a module that fails to start) are JSON lines too.
    logger: options.logger === false ? false : new PinoNestLogger(createProcessLogger(config.log.level, config.log.format)),
    abortOnError: false,
  });
  if (options.logger !== false) app.useLogger(new QuietStartLogger(app.get(Logger)));

  // Session cookies: whoami reads the session cookie that redeeming a recovery link sets. `hook: false`: cookies are
  // parsed only where they are read (session-cookie.ts), not on every request.
  // `parseOptions` reaches the cookie parser (and, harmlessly, the serializer); its type names only serializer options.
  await app.register(fastifyCookie, { hook: false, parseOptions: { decode: decodeCookieValue } as FastifyCookieOptions['parseOptions'] });
  await mountQueueDashboard(app, app.get<Queue[]>(EVENT_QUEUES));
  const fastify = app.getHttpAdapter().getInstance();
  const split = config.http.publicPort !== config.http.adminPort;
  installRequestBodyParsing(fastify, {
    publicPort: split ? config.http.publicPort : undefined,
    publicBodyLimitBytes: config.http.publicBodyLimitBytes,
    maxDepth: config.http.bodyMaxDepth,
    maxElements: config.http.bodyMaxElements,
  });
  installRequestContext(fastify);
  installAccessLog(fastify);
  installHttpMetrics(fastify, app.get(METRICS_REGISTRY));
  installApiSurfaceHook(fastify, {
    publicPort: config.http.publicPort,
    adminPort: config.http.adminPort,
    adminApiKeys: config.adminApiKeys,
    metricsApiKeys: config.metricsApiKeys,
    maxUrlBytes: MAX_URL_BYTES,
  });
  // Nest routes Fastify's own errors (malformed JSON, body too large, bad media type) through this filter as well.
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalPipes(createValidationPipe());

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  try {
    await app.init();
  } catch (err) {
    await releaseAfterFailedStart(app);
    throw err;
  }
  return app;
}

/**
 * A failed start (bad schema, pending migrations) must not leave connections behind: the two connections opened while
 * the modules were created are closed here, directly. (Nest 11's `close()` refused to run once `init()` had failed;
 * Nest 12's runs the shutdown hooks of modules that never finished starting, which this avoids depending on.)
 */
async function releaseAfterFailedStart(app: NestFastifyApplication): Promise<void> {
  await app
    .get(EventPublisher, { strict: false })
    .disconnect()
    .catch(() => undefined);
  const dataSource = app.get(DataSource, { strict: false });
  if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
}

/**
 * Starts the process's part of the service: the listeners open at once and answer the health probes (alive, not
 * ready) while the database is awaited with backoff and the application starts; then they serve the application.
 * Both ports share one Fastify router; the surface hook keeps each port to its own routes.
 */
export async function startApp(config: AppConfig, options: AppOptions & { log?: PinoLogger; stopped?: Promise<unknown> } = {}): Promise<RunningApp> {
  const log = options.log ?? createProcessLogger(options.logger === false ? 'silent' : config.log.level, config.log.format);
  const lifecycle = new LifecycleState();
  const listeners = new HttpListeners(lifecycle);
  let app: NestFastifyApplication;
  let ports: { publicPort: number; adminPort: number };
  try {
    ports = await listeners.listen(config.http.publicPort, config.http.adminPort, config.http.host, config.http);
    await waitForDatabase(config.database, {
      maxWaitMs: config.database.connectMaxWaitMs,
      stopped: options.stopped,
      onRetry: (attempt, delayMs, reason) =>
        log.warn({ attempt, retryInMs: delayMs, reason }, `database not reachable yet, retrying in ${(delayMs / 1000).toFixed(1)} s`),
    });
    app = await createApp(config, { ...options, lifecycle });
    const fastify = app.getHttpAdapter().getInstance();
    await fastify.ready();
    listeners.serve((req, res) => fastify.routing(req, res));
  } catch (err) {
    await listeners.close(0);
    throw err;
  }
  lifecycle.phase = 'serving';
  const trim = new IdleMemoryTrim(config.memory.idleTrimAfterMs, ({ freedBytes, pauseMs }) =>
    log.debug({ freedMiB: Math.round(freedBytes / 1048576), pauseMs: Math.round(pauseMs) }, 'quiet: memory returned to the OS'),
  );
  trim.start();
  const local = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    publicUrl: `http://${local}:${ports.publicPort}`,
    adminUrl: `http://${local}:${ports.adminPort}`,
    close() {
      closing ??= (async () => {
        trim.stop();
        lifecycle.phase = 'draining';
        if (config.shutdown.drainDelayMs > 0) {
          log.info({ drainDelayMs: config.shutdown.drainDelayMs }, 'not ready any more; serving until the endpoints are updated');
          await new Promise((r) => setTimeout(r, config.shutdown.drainDelayMs));
        }
        lifecycle.phase = 'closing';
        await listeners.close(config.shutdown.timeoutMs);
        await app.close();
      })();
      return closing;
    },
  };
}
