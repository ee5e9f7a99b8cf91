import { DataSource } from 'typeorm';
import { loadConfig } from '../../config/app-config';
import { databaseUnavailableClass, isUniqueViolation, refusedValueColumn, retryableTransactionErrorKind } from '../database-errors';
import { dialectOf, mysqlDialect, sqliteDialect } from '.';

/** A MySQL DataSource that is never connected. */
const mysql = new DataSource({ type: 'mysql', url: 'mysql://u:p@127.0.0.1:1/db' });

describe('dialects', () => {
  it('are found by configuration and by DataSource', () => {
    expect(dialectOf(loadConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db' }).database)).toBe(mysqlDialect);
    expect(dialectOf(loadConfig({ DATABASE_URL: 'mariadb://u:p@127.0.0.1:3306/db' }).database)).toBe(mysqlDialect);
    expect(dialectOf(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database)).toBe(sqliteDialect);
    expect(dialectOf(mysql)).toBe(mysqlDialect);
    expect(dialectOf({ options: { type: 'better-sqlite3' } } as DataSource)).toBe(sqliteDialect);
    expect(() => dialectOf({ options: { type: 'postgres' } })).toThrow('no dialect for database type "postgres"');
  });

  it('lock rows on MySQL, optionally skipping locked ones, and leave SQLite queries alone', () => {
    expect(mysqlDialect.lockClause()).toBe(' FOR UPDATE');
    expect(mysqlDialect.lockClause({ skipLocked: true })).toBe(' FOR UPDATE SKIP LOCKED');
    expect(sqliteDialect.lockClause()).toBe('');
    expect(sqliteDialect.lockClause({ skipLocked: true })).toBe('');
  });

  it('write UTC time expressions', () => {
    expect(mysqlDialect.utcNowPlusMs(1500)).toBe('UTC_TIMESTAMP(6) + INTERVAL 1500000 MICROSECOND');
    expect(sqliteDialect.utcNowPlusMs(1500)).toBe("strftime('%Y-%m-%d %H:%M:%f', 'now', '+1.500 seconds')");
  });

  it('describe where the store is without its password', () => {
    expect(mysqlDialect.describeTarget(loadConfig({ DATABASE_URL: 'mysql://u:secret@db.example:3306/kratos' }).database)).toBe('mysql db.example:3306/kratos');
    expect(sqliteDialect.describeTarget(loadConfig({ DATABASE_URL: 'sqlite://./data/k.sqlite' }).database)).toBe('sqlite ./data/k.sqlite');
  });

  it('map each driver’s error codes', () => {
    const wrapped = (driverError: object) => Object.assign(new Error('query failed'), { driverError });
    expect(isUniqueViolation(wrapped({ code: 'ER_DUP_ENTRY' }))).toBe(true);
    expect(isUniqueViolation({ errno: 1062 })).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }))).toBe(true);
    expect(isUniqueViolation(wrapped({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }))).toBe(false);
    expect(retryableTransactionErrorKind({ errno: 1213 })).toBe('deadlock');
    expect(retryableTransactionErrorKind({ code: 'ER_LOCK_WAIT_TIMEOUT' })).toBe('lock_wait_timeout');
    expect(retryableTransactionErrorKind({ code: 'SQLITE_BUSY' })).toBe('busy');
    expect(retryableTransactionErrorKind({ code: 'ER_DUP_ENTRY' })).toBeUndefined();
    expect(refusedValueColumn({ code: 'ER_DATA_TOO_LONG', sqlMessage: "Data too long for column 'traits' at row 1" })).toBe('traits');
    expect(refusedValueColumn({ code: 'ER_DUP_ENTRY' })).toBeUndefined();
    expect(databaseUnavailableClass({ code: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
    expect(databaseUnavailableClass({ code: 'PROTOCOL_CONNECTION_LOST' })).toBe('PROTOCOL_CONNECTION_LOST');
    expect(databaseUnavailableClass(new Error("Can't add new command when connection is in closed state"))).toBe('CONNECTION_CLOSED');
    expect(databaseUnavailableClass({ code: 'SQLITE_BUSY' })).toBe('SQLITE_BUSY');
    expect(databaseUnavailableClass({ code: 'ER_DUP_ENTRY' })).toBeUndefined();
  });
});
