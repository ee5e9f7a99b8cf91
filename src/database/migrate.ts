/* `npm run migration:run`: applies pending migrations to DATABASE_URL and exits. */
import { ConfigError, loadConfig } from '../config/app-config';
import { runPendingMigrations } from './run-migrations';

runPendingMigrations(loadConfig().database)
  .then((applied) => console.log(applied.length ? `applied ${applied.join(', ')}` : 'no pending migrations'))
  .catch((err: unknown) => {
    console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
    process.exit(1);
  });
