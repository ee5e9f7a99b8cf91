#!/usr/bin/env node
/*
 * Operator commands, run with the service's own configuration (environment and CONFIG_FILE, as for dist/main.js).
 * Plain Node: it works in the runtime image, which has no dev dependencies (`node dist/cli.js migrate up`).
 *
 * Output is plain lines on stdout, one per migration (`<state> <timestamp> <name>`), the same on a terminal and in a
 * pipe; progress such as waiting for the lock goes to stderr. Exit codes: 0 done (status: nothing pending), 1 failed,
 * 3 status found pending migrations, 64 bad command line, 78 configuration error.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, type LoggerService } from '@nestjs/common';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config';
import { DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS, migrateUnderLock, migrationStatus, withMigrationDataSource } from './database/run-migrations';
import { dialectOf } from './database/dialect';

const EXIT_FAILED = 1;
const EXIT_PENDING = 3;
const EX_USAGE = 64;
const EX_CONFIG = 78;

class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function config(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      throw new ExitCode(EX_CONFIG);
    }
    throw err;
  }
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number of seconds');
  return n;
}

/** Where the database is, without its password. */
function location(database: AppConfig['database']): string {
  return dialectOf(database).describeTarget(database);
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What the code shared with the service logs (Nest's Logger) goes to stderr as plain lines: stdout is the result. */
const toStderr = (message: unknown) => console.error(typeof message === 'string' ? message : JSON.stringify(message));
const stderrLogger: LoggerService = { log: toStderr, warn: toStderr, error: toStderr, fatal: toStderr, debug: () => undefined, verbose: () => undefined };
Logger.overrideLogger(stderrLogger);

const program = new Command('kratos-nest')
  .description('Operator commands for the kratos-nest identity service (configured like the service: environment, CONFIG_FILE)')
  .version(packageVersion())
  .showHelpAfterError()
  // --help and --version exit 0; any other command-line error exits 64 (EX_USAGE).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EX_USAGE));

const migrate = program
  .command('migrate')
  .description('database migrations (DATABASE_URL)')
  .addHelpText('after', '\nExit codes: 0 done, 1 failed, 3 (status) migrations pending, 64 bad command line, 78 configuration error.');

migrate
  .command('up')
  .description('apply the pending migrations and print each one applied; on MySQL/MariaDB under a lock, so that it can run while replicas start')
  .option('--lock-timeout <seconds>', 'how long to wait while another process migrates the same database', seconds, DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS)
  .action(async (options: { lockTimeout: number }) => {
    const { database } = config();
    const applied = await withMigrationDataSource(database, (dataSource) =>
      migrateUnderLock(dataSource, { lockTimeoutSeconds: options.lockTimeout, log: (message) => console.error(message) }),
    );
    for (const m of applied) console.log(`applied ${m.timestamp} ${m.name}`);
    console.log(
      applied.length
        ? `${applied.length} migration${applied.length === 1 ? '' : 's'} applied to ${location(database)}`
        : `no pending migrations on ${location(database)}`,
    );
  });

migrate
  .command('status')
  .description('list every migration as applied or pending (and "unknown": in the database, not in this build); exit 3 when some are pending')
  .action(async () => {
    const { database } = config();
    const status = await withMigrationDataSource(database, migrationStatus);
    for (const m of status) console.log(`${m.state} ${m.timestamp} ${m.name}`);
    const count = (state: string) => status.filter((m) => m.state === state).length;
    const [applied, pending, unknown] = [count('applied'), count('pending'), count('unknown')];
    console.log(`${location(database)}: ${applied} applied, ${pending} pending${unknown ? `, ${unknown} unknown to this build` : ''}`);
    if (pending) throw new ExitCode(EXIT_PENDING);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ExitCode) process.exit(err.code);
  const e = err as { message?: string; code?: string };
  console.error(`error: ${e?.message || e?.code || String(err)}`);
  process.exit(EXIT_FAILED);
});
