import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';

export type Dialect = 'mysql' | 'sqlite';

/** Server URL without a database; ensure-services.sh creates this account. */
export const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://kratos_test:kratos_test@127.0.0.1:3306';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file (MariaDB) or a fresh SQLite file. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kratos-test-'));
    return { url: `sqlite://${join(dir, 'kratos.sqlite')}`, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  }
  const name = `kratos_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection(TEST_MYSQL_URL);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  return {
    url: `${TEST_MYSQL_URL}/${name}`,
    drop: async () => {
      const conn = await createConnection(TEST_MYSQL_URL);
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** Opens the database at `url` with the service's own TypeORM options for the length of `use`. */
export async function withDataSource<T>(url: string, use: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url }).database)).initialize();
  try {
    return await use(ds);
  } finally {
    await ds.destroy();
  }
}

/** The rows of one SQL statement, run directly against the database at `url`. */
export async function queryDatabase<T>(url: string, sql: string): Promise<T[]> {
  return withDataSource(url, async (ds) => await ds.query<T[]>(sql));
}
