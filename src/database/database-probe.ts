import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { pendingMigrationNames } from './run-migrations';

/** Read-only checks of the store for readiness. */
@Injectable()
export class DatabaseProbe {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** Read-only (TypeORM's showMigrations would create the migrations table on an empty database). */
  async hasPendingMigrations(): Promise<boolean> {
    return (await pendingMigrationNames(this.dataSource)).length > 0;
  }
}
