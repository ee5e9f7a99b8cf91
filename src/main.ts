import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { PendingMigrationsError } from './database/database.module';
import { DatabaseUnreachableError } from './database/database-wait';
import { SchemaConfigError } from './schema/schema.service';
import { startApp } from './app.factory';
import { createProcessLogger, resolveLogFormat } from './common/logging/log-format';

/** Exit code of a start refused by its configuration (sysexits' EX_CONFIG): restarting will not help. */
const EX_CONFIG = 78;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createProcessLogger('info', resolveLogFormat('auto')).fatal(`configuration error: ${err.message}`);
    process.exit(EX_CONFIG);
  }
  const log = createProcessLogger(config.log.level, config.log.format);
  // That the process started and stopped is always written (unless the logs are silenced), whatever LOG_LEVEL says.
  const lifecycleLog = config.log.level === 'silent' ? log : log.child({}, { level: 'info' });
  for (const warning of config.warnings) log.warn(`configuration warning: ${warning}`);

  // Signals are taken from the start: a SIGTERM while the database is awaited ends the wait, and the process exits 0.
  let stopRequested: NodeJS.Signals | undefined;
  let onStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (onStop = resolve));
  for (const name of ['SIGTERM', 'SIGINT'] as const) {
    process.once(name, () => {
      stopRequested = name;
      onStop(name);
    });
  }

  let running;
  try {
    running = await startApp(config, { log, stopped });
  } catch (err) {
    if (stopRequested) {
      lifecycleLog.info('stopped before the service was ready');
      process.exit(0);
    }
    if (err instanceof SchemaConfigError || err instanceof PendingMigrationsError) {
      log.fatal(`configuration error: ${err.message}`);
      process.exit(EX_CONFIG);
    }
    if (err instanceof DatabaseUnreachableError) {
      log.fatal(`cannot start: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  lifecycleLog.info({ publicUrl: running.publicUrl, adminUrl: running.adminUrl }, `public API on ${running.publicUrl}, admin API on ${running.adminUrl}`);

  const signal = await stopped;
  lifecycleLog.info({ signal, drainDelayMs: config.shutdown.drainDelayMs, timeoutMs: config.shutdown.timeoutMs }, `${signal} received, shutting down`);
  // The last resort, should something hang past every bound of the stop.
  const budgetMs = config.shutdown.drainDelayMs + config.shutdown.timeoutMs + 10_000;
  setTimeout(() => {
    log.error(`the graceful stop took longer than ${budgetMs} ms; exiting`);
    process.exit(1);
  }, budgetMs).unref();
  try {
    await running.close();
  } catch (err) {
    log.error({ err }, 'the graceful stop failed');
    process.exit(1);
  }
  lifecycleLog.info('stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  createProcessLogger('info', resolveLogFormat('auto')).fatal({ err }, `cannot start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
