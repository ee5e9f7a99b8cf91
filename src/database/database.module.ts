import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseProbe } from './database-probe';
import { UnitOfWork } from './unit-of-work';

export class PendingMigrationsError extends Error {}

/** Modules that read or write tables at start import this module, so that its check runs before their hooks. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database),
        autoLoadEntities: true,
        migrationsRun: config.database.autoMigrate,
        migrationsTransactionMode: 'each' as const,
        logging: false,
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [UnitOfWork, DatabaseProbe],
  exports: [UnitOfWork, DatabaseProbe],
})
export class DatabaseModule implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** With DATABASE_AUTO_MIGRATE=false an out-of-date store stops the boot, before anything reads a table. */
  async onModuleInit(): Promise<void> {
    if (!this.config.database.autoMigrate && (await this.dataSource.showMigrations())) {
      throw new PendingMigrationsError(
        'DATABASE_AUTO_MIGRATE=false and the database has pending migrations: run "npm run migration:run" first',
      );
    }
  }
}
