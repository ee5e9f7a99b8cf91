import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { PendingMigrationsError } from './database/database.module';
import { SchemaConfigError } from './schema/schema.service';
import { startApp } from './app.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const running = await startApp(config);
  console.log(`public API on ${running.publicUrl}, admin API on ${running.adminUrl}`);

  // Graceful stop: stop accepting requests, drain the event relay, close pools, then exit 0.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    const forced = setTimeout(() => process.exit(1), 25_000);
    forced.unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  if (err instanceof SchemaConfigError || err instanceof PendingMigrationsError) {
    console.error(`configuration error: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
