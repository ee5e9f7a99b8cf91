import { Global, Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule, InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseProbe } from './database-probe';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database),
        autoLoadEntities: true,
        // Migrations run in DatabaseModule's own hook, before anything reads a table.
        migrationsRun: config.database.autoMigrate,
        migrationsTransactionMode: 'each' as const,
        logging: ['error' as const],
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [UnitOfWork, DatabaseProbe],
  exports: [UnitOfWork, DatabaseProbe],
})
export class DatabaseModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const pending = await this.dataSource.showMigrations();
    const where = this.config.database.type === 'sqlite' ? `SQLite ${this.config.database.path}` : 'MySQL';
    if (pending) this.logger.warn(`${where}: migrations are pending (DATABASE_AUTO_MIGRATE=false); run "npm run migration:run"`);
    else this.logger.log(`${where}: schema is up to date`);
  }
}
