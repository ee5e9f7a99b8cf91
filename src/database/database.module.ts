import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { boundConnectionAcquire } from './connection-acquire';
import { DatabaseMetrics } from './database-metrics';
import { DatabaseProbe } from './database-probe';
import { migrateAtBoot, pendingMigrationNames } from './run-migrations';
import { initializeSessions } from './session-settings';
import { UnitOfWork } from './unit-of-work';

export class PendingMigrationsError extends Error {}

/**
 * Modules that read or write tables at start import this module, so that its hook (migrating, or checking that
 * nothing is pending) runs before theirs.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database),
        autoLoadEntities: true,
        // No `migrationsRun`: onModuleInit migrates, under a lock that replicas starting at once wait for.
        migrationsTransactionMode: 'each' as const,
        logging: false,
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [UnitOfWork, DatabaseProbe, DatabaseMetrics],
  exports: [UnitOfWork, DatabaseProbe],
})
export class DatabaseModule implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Before anything reads a table: with DATABASE_AUTO_MIGRATE=true (the default) applies pending migrations under the
   * migration lock (replicas starting together take turns; the later ones find nothing pending); with false an
   * out-of-date store stops the boot.
   */
  async onModuleInit(): Promise<void> {
    initializeSessions(this.dataSource, this.config.database);
    boundConnectionAcquire(this.dataSource, this.config.database.acquireTimeoutMs);
    if (this.config.database.autoMigrate) {
      const applied = await migrateAtBoot(this.dataSource, this.config.database, { log: (message) => this.logger.log(message) });
      if (applied.length) this.logger.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
      return;
    }
    const pending = await pendingMigrationNames(this.dataSource);
    if (pending.length) {
      throw new PendingMigrationsError(
        `DATABASE_AUTO_MIGRATE=false and the database has pending migrations (${pending.join(', ')}): ` +
          'run "node dist/cli.js migrate up" first (in a source checkout: "npm run migration:run")',
      );
    }
  }
}
