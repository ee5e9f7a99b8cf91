import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { OncePer } from '../common/logging/once-per';

/**
 * TypeORM's messages through the application's logger (JSON lines like every other), not TypeORM's console output.
 * Failed queries are not logged here: the code that ran them decides (an expected conflict is no error). Parameters
 * are never logged: they hold hashes and tokens.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');
  /** During an outage every query is slow (it times out): one line per interval says so. */
  private readonly slow = new OncePer(10_000);

  logQuery(): void {}

  logQueryError(): void {}

  logQuerySlow(time: number, query: string): void {
    const suppressed = this.slow.take('slow');
    if (suppressed !== undefined) this.logger.warn({ durationMs: time, query: query.slice(0, 500), suppressed }, 'slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
