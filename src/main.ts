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
}

main().catch((err: unknown) => {
  if (err instanceof SchemaConfigError || err instanceof PendingMigrationsError) {
    console.error(`configuration error: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
