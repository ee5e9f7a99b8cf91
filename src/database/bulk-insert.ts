import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { Dialect } from './dialect';
import { placeholders } from './placeholders';
import { runSql } from './run-sql';

/** Rows per multi-row INSERT: small enough for any packet limit and SQLite's variable limit, large enough to be fast. */
export const INSERT_CHUNK = 500;

/**
 * Multi-row INSERTs of entity objects, built from the entity's column metadata (so the entity stays the one
 * description of the table) and sent as plain SQL. TypeORM's insert builder costs more CPU per row than the
 * database does on the write path (create, batch import, outbox). Generated columns (auto-increment) are left out;
 * an undefined value takes the column's default.
 */
export async function bulkInsert<T extends ObjectLiteral>(manager: EntityManager, dialect: Dialect, target: EntityTarget<T>, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const metadata = manager.connection.getMetadata(target);
  const columns = metadata.columns.filter((c) => !c.isGenerated);
  const names = columns.map((c) => c.databaseName).join(', ');
  const tuple = `(${placeholders(columns)})`;
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK);
    const params: unknown[] = [];
    for (const row of chunk) {
      for (const column of columns) {
        const value: unknown = column.getEntityValue(row);
        params.push(dialect.writeValue(value === undefined ? (column.default ?? null) : value));
      }
    }
    await runSql(manager, `INSERT INTO ${metadata.tableName} (${names}) VALUES ${chunk.map(() => tuple).join(', ')}`, params);
  }
}
