import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type LogFormat = 'json' | 'pretty';

/**
 * `auto` (the default) is JSON, one object per line, for log collectors, and the readable one-line form when a
 * person watches: standard output is a terminal (`npm start`).
 */
export function resolveLogFormat(setting: 'json' | 'pretty' | 'auto', isTty = process.stdout.isTTY === true): LogFormat {
  if (setting === 'auto') return isTty ? 'pretty' : 'json';
  return setting;
}

let stdoutDestination: ReturnType<typeof pino.destination> | undefined;

/** One asynchronous writer to standard output per process, shared by every logger, flushed at exit. */
function standardOutput(): DestinationStream {
  if (!stdoutDestination) {
    const destination = pino.destination({ dest: 1, sync: false });
    process.once('exit', () => {
      try {
        destination.flushSync();
      } catch {
        // Nothing pending, or standard output is gone: nothing more can be written anyway.
      }
    });
    stdoutDestination = destination;
  }
  return stdoutDestination;
}

/**
 * Where log lines go: standard output as JSON, or through pino-pretty. JSON lines are written asynchronously (a
 * synchronous write per line was the largest single cost of a cheap request under load); lines written while a
 * write is in flight go out together, and whatever is pending is flushed synchronously when the process exits.
 * Pretty output (a person at a terminal) stays synchronous.
 */
export function logDestination(format: LogFormat): DestinationStream {
  if (format === 'json') return standardOutput();
  return PinoPretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
}

/** The process's own logger, for what happens outside the application (start, waiting, stop, fatal errors). */
export function createProcessLogger(level: string, format: LogFormat): PinoLogger {
  return pino({ level, base: { pid: process.pid } }, logDestination(format));
}

/** Nest's start-up chatter (a line per module and per route) is debugging detail, not news for the operator. */
const CHATTY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

function contextOf(params: unknown[]): string | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/**
 * Nest's logger interface over a pino logger, for Nest's own messages before the application's logger exists (a
 * module that fails to start is then still one JSON line, not Nest's coloured console output).
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write(CHATTY_CONTEXTS.has(contextOf(params) ?? '') ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    const stack = params.find((p, i) => typeof p === 'string' && i < params.length - 1 && p.includes('\n    at '));
    if (message instanceof Error) this.pino[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ context, ...message });
    else this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}

/** The application's logger, with Nest's start-up chatter moved to debug as above. */
export class QuietStartLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    if (CHATTY_CONTEXTS.has(contextOf(params) ?? '')) this.inner.debug?.(message, ...params);
    else this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.inner.fatal?.(message, ...params);
  }
}
