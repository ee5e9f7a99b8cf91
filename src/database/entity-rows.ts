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
  const rows = await runSql<Array<Record<string, unknown>>>(
    manager,
    `SELECT ${entityColumns(manager, target)} FROM ${metadata.tableName} ${clause}`,
    params.map((p) => dialect.writeValue(p)),
  );
  const toEntity = rowMapper(manager, dialect, target);
  return rows.map(toEntity);
}

/**
 * The entity's columns for a hand-written SELECT; with `alias`, qualified by it and named `<alias>_<column>`, so
 * that they can stand beside another table's columns in a join (read back with a `rowMapper(…, alias)`).
 */
export function entityColumns<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, alias?: string): string {
  const columns = manager.connection.getMetadata(target).columns.map((c) => c.databaseName);
  return (alias ? columns.map((c) => `${alias}.${c} AS ${alias}_${c}`) : columns).join(', ');
}

/**
 * Turns rows of `entityColumns` into entities: timestamps and booleans converted through the dialect, JSON left as
 * text. The metadata is looked up once per mapper, not per row.
 */
export function rowMapper<T extends ObjectLiteral>(
  manager: EntityManager,
  dialect: Dialect,
  target: EntityTarget<T>,
  alias?: string,
): (row: Record<string, unknown>) => T {
  const columns = manager.connection.getMetadata(target).columns.map((column) => ({
    key: alias ? `${alias}_${column.databaseName}` : column.databaseName,
    property: column.propertyName,
    timestamp: isTimestamp(column),
    boolean: isBoolean(column),
  }));
  return (row) => {
    const entity: Record<string, unknown> = {};
    for (const column of columns) {
      const value = row[column.key];
      entity[column.property] =
        value === null || value === undefined ? null : column.timestamp ? dialect.readTimestamp(value) : column.boolean ? Boolean(Number(value)) : value;
    }
    return entity as T;
  };
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
