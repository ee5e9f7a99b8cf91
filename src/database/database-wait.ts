import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

export class DatabaseUnreachableError extends Error {}

export interface DatabaseWaitOptions {
  /** Give up after this long (Kratos waits up to 5 minutes). */
  maxWaitMs: number;
  /** One line per failed try: the pod's log says why it is not ready yet. */
  onRetry(attempt: number, delayMs: number, reason: string): void;
  /** Resolves when the process is asked to stop: waiting ends at once. */
  stopped?: Promise<unknown>;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/**
 * Waits until the configured database answers, with exponential backoff (0.5 s, 1 s, 2 s, … at most 15 s apart, with
 * jitter) for at most `maxWaitMs`. A database that starts after the service (a pod scheduled first) is normal in
 * Kubernetes; exiting would only restart the pod into the same wait, with a growing CrashLoopBackOff.
 */
export async function waitForDatabase(database: AppConfig['database'], options: DatabaseWaitOptions): Promise<void> {
  const deadline = Date.now() + options.maxWaitMs;
  let stopped = false;
  void options.stopped?.then(() => (stopped = true));
  for (let attempt = 1; ; attempt++) {
    const reason = await tryOnce(database);
    if (reason === undefined) return;
    const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
    if (stopped) throw new DatabaseUnreachableError('stopped while waiting for the database');
    if (Date.now() + delay > deadline) {
      throw new DatabaseUnreachableError(`the database did not answer within ${Math.round(options.maxWaitMs / 1000)} s (last error: ${reason})`);
    }
    options.onRetry(attempt, Math.round(delay), reason);
    const pause = new Promise((r) => setTimeout(r, delay));
    await (options.stopped ? Promise.race([pause, options.stopped]) : pause);
  }
}

async function tryOnce(database: AppConfig['database']): Promise<string | undefined> {
  const dataSource = new DataSource({ ...dataSourceOptions(database), migrations: [] });
  try {
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
    return undefined;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return [e.code, e.message].filter(Boolean).join(': ') || String(err);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
  }
}
