import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

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
    return { url: `sqlite://${join(dir, 'kratos.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
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
