import { z } from 'zod';
import { resolveLogFormat } from '../../common/logging/log-format';
import { booleanFlag, commaList, defineSection, goDuration, httpUrl, port, positiveInt } from './config-section';

export const envSection = defineSection({ NODE_ENV: z.enum(['development', 'production', 'test']).default('development') }, (v) => v.NODE_ENV);

export const httpSection = defineSection(
  {
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_PORT: port.default(4433),
    ADMIN_PORT: port.default(4434),
    PUBLIC_BASE_URL: httpUrl.optional(),
    ADMIN_BASE_URL: httpUrl.optional(),
    BODY_LIMIT_BYTES: positiveInt.default(10 * 1024 * 1024),
    PUBLIC_BODY_LIMIT_BYTES: positiveInt.default(256 * 1024),
    BODY_MAX_DEPTH: positiveInt.max(1000).default(64),
    BODY_MAX_ELEMENTS: positiveInt.default(200_000),
    HTTP_REQUEST_TIMEOUT: goDuration('HTTP_REQUEST_TIMEOUT').prefault('30s'),
    TRUST_PROXY: booleanFlag.prefault('false'),
  },
  (v) => ({
    host: v.HOST,
    publicPort: v.PUBLIC_PORT,
    adminPort: v.ADMIN_PORT,
    publicBaseUrl: (v.PUBLIC_BASE_URL ?? `http://127.0.0.1:${v.PUBLIC_PORT}`).replace(/\/+$/, ''),
    adminBaseUrl: (v.ADMIN_BASE_URL ?? `http://127.0.0.1:${v.ADMIN_PORT}`).replace(/\/+$/, ''),
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    /** The body limit on the public port, where anyone can send one. */
    publicBodyLimitBytes: Math.min(v.PUBLIC_BODY_LIMIT_BYTES, v.BODY_LIMIT_BYTES),
    /** JSON bodies nested deeper, or with more values in all, are refused before they are parsed. */
    bodyMaxDepth: v.BODY_MAX_DEPTH,
    bodyMaxElements: v.BODY_MAX_ELEMENTS,
    /** A request must have arrived completely within this time. */
    requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT,
    /** Take the client address from X-Forwarded-For (behind a load balancer or mesh sidecar). */
    trustProxy: v.TRUST_PROXY,
  }),
);

export const adminApiKeysSection = defineSection({ ADMIN_API_KEYS: z.string().optional() }, (v) => commaList(v.ADMIN_API_KEYS));

/** Tokens that open /metrics only. */
export const metricsApiKeysSection = defineSection({ METRICS_API_KEYS: z.string().optional() }, (v) => commaList(v.METRICS_API_KEYS));

/** `format`: resolved from LOG_FORMAT (`auto` is pretty on a terminal, JSON otherwise). */
export const logSection = defineSection(
  {
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
  },
  (v) => ({ level: v.LOG_LEVEL, format: resolveLogFormat(v.LOG_FORMAT) }),
);

/** The graceful stop: serve this long after SIGTERM while not ready, then wait at most `timeoutMs` for requests. */
export const shutdownSection = defineSection(
  {
    SHUTDOWN_DRAIN_DELAY: goDuration('SHUTDOWN_DRAIN_DELAY', { allowZero: true }).prefault('5s'),
    SHUTDOWN_TIMEOUT: goDuration('SHUTDOWN_TIMEOUT').prefault('15s'),
  },
  (v) => ({ drainDelayMs: v.SHUTDOWN_DRAIN_DELAY, timeoutMs: v.SHUTDOWN_TIMEOUT }),
);

/**
 * After this long with the event loop almost idle, one memory-reducing GC gives the heap's high-water mark back to the
 * OS (src/lifecycle/idle-memory-trim.ts). `0` turns it off.
 */
export const memorySection = defineSection({ IDLE_MEMORY_TRIM_AFTER: goDuration('IDLE_MEMORY_TRIM_AFTER', { allowZero: true }).prefault('30s') }, (v) => ({
  idleTrimAfterMs: v.IDLE_MEMORY_TRIM_AFTER,
}));
