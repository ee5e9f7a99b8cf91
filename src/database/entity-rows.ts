import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { Dialect } from './dialect';
import { runSql } from './run-sql';

/**
 * Plain-SQL reads and updates of entity rows, driven by the entity's column metadata (as bulk-insert.ts is for
 * inserts): the statements TypeORM would send, without its query building and hydration on hot routes. Timestamp
 * and boolean columns are converted through the dialect; JSON stays text, as in the entity.
 */
function isTimestamp(column: ColumnMetadata): boolean {
  return column.type === 'datetime' || column.type === Date;
}

function isBoolean(column: ColumnMetadata): boolean {
  return column.type === 'boolean' || column.type === Boolean;
}

/** Entities of `SELECT <every column> FROM <table> <clause>` (clause: WHERE …, ORDER BY …, a lock). */
export async function selectEntities<T extends ObjectLiteral>(
  manager: EntityManager,
  dialect: Dialect,
  target: EntityTarget<T>,
  clause: string,
  params: unknown[],
): Promise<T[]> {
  const metadata = manager.connection.getMetadata(target);
  const names = metadata.columns.map((c) => c.databaseName).join(', ');
  const rows = await runSql<Array<Record<string, unknown>>>(
    manager,
    `SELECT ${names} FROM ${metadata.tableName} ${clause}`,
    params.map((p) => dialect.writeValue(p)),
  );
  return rows.map((row) => {
    const entity: Record<string, unknown> = {};
    for (const column of metadata.columns) {
      const value = row[column.databaseName];
      entity[column.propertyName] =
        value === null || value === undefined ? null : isTimestamp(column) ? dialect.readTimestamp(value) : isBoolean(column) ? Boolean(Number(value)) : value;
    }
    return entity as T;
  });
}

/** `UPDATE <table> SET <every other column> WHERE <primary key> = ?` for one entity. */
export async function updateEntity<T extends ObjectLiteral>(manager: EntityManager, dialect: Dialect, target: EntityTarget<T>, entity: T): Promise<void> {
  const metadata = manager.connection.getMetadata(target);
  const [key] = metadata.primaryColumns;
  const columns = metadata.columns.filter((c) => !c.isPrimary && !c.isGenerated);
  const assignments = columns.map((c) => `${c.databaseName} = ?`).join(', ');
  const params = [...columns.map((c) => dialect.writeValue(c.getEntityValue(entity) ?? null)), dialect.writeValue(key.getEntityValue(entity))];
  await runSql(manager, `UPDATE ${metadata.tableName} SET ${assignments} WHERE ${key.databaseName} = ?`, params);
}
