import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Piscina } from 'piscina';
import { Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { ApiError } from '../../common/errors/api-error';
import { METRICS_REGISTRY } from '../../metrics/metrics.module';
import { detectHashFormat } from './hashing/hash-formats';
import type { HashResult, HashTask } from './hashing/hash-worker';

/** Longest plaintext accepted for hashing; beyond it a request is refused rather than burning CPU. */
export const MAX_PASSWORD_BYTES = 4096;
export const BCRYPT_MAX_BYTES = 72;
/**
 * Added to the hashing threads' nice value (Linux; lowering a priority needs no privilege). Nineteen, the lowest
 * priority, puts a hashing thread at about 1/70 of the event loop's CPU share (and MariaDB's) when both want a core,
 * so a login storm slows logins, not the rest; on a core nothing else wants, a hash runs at full speed. Measured
 * against ten with `npm run bench -- --scenario login-storm` (three runs each): GET p99 during a storm 1.35–1.46 ×
 * its p99 alone instead of 1.98–2.50 ×; login throughput the same (`--quick --scenario login`).
 */
export const HASHING_NICE_INCREMENT = 19;
/** Hashing threads left idle this long exit (a new one starts in about 50 ms), so an idle replica holds none. */
const IDLE_THREAD_MS = 30_000;

/**
 * The worker's file: compiled JavaScript beside this file in dist/; run from the TypeScript sources (the tests, the
 * development scripts) the worker loads its .ts file through ts-node, which is a development dependency.
 */
function hashWorker(): { filename: string; execArgv: string[] } {
  const compiled = join(__dirname, 'hashing', 'hash-worker.js');
  if (existsSync(compiled)) return { filename: compiled, execArgv: [] };
  return { filename: join(__dirname, 'hashing', 'hash-worker.ts'), execArgv: ['--require', require.resolve('ts-node/register/transpile-only')] };
}

/**
 * Hashes new passwords with the configured algorithm (argon2id by default, bcrypt selectable) and verifies any
 * importable format. Hashes are computed on a pool of worker threads (Piscina) of at most HASHER_CONCURRENCY threads,
 * each at a lower CPU priority than the event loop; more hashes queue (argon2 takes m KiB per hash, so the bound is
 * also a memory bound). The event loop only posts tasks and reads results.
 */
@Injectable()
export class PasswordHasherService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PasswordHasherService.name);
  private readonly pool: Piscina<HashTask, HashResult>;
  private running = 0;
  private readonly duration: Histogram<'operation' | 'algorithm'>;

  /** Without a registry (unit tests) the metrics are kept but exposed nowhere. */
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    const threads = config.hasher.concurrency;
    const pool = (this.pool = new Piscina<HashTask, HashResult>({
      ...hashWorker(),
      minThreads: 0,
      maxThreads: threads,
      // One task per thread: a queued hash waits for the first free thread rather than behind one thread's backlog.
      concurrentTasksPerWorker: 1,
      idleTimeout: IDLE_THREAD_MS,
      niceIncrement: HASHING_NICE_INCREMENT,
      // The threads allocate little JavaScript: a small young generation keeps each one's memory small.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    }));
    pool.on('error', (err: Error) => this.logger.error(`a password hashing thread failed: ${err.message}`));
    const registers = registry ? [registry] : [];
    // The time a hash takes on its thread, not counting the wait for one (that is the queue gauge).
    this.duration = new Histogram({
      name: 'password_hash_duration_seconds',
      help: 'Time to compute a password hash (hash: a new password; verify: a login or a check), by algorithm',
      labelNames: ['operation', 'algorithm'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.duration.zero({ operation: 'hash', algorithm: config.hasher.algorithm });
    this.duration.zero({ operation: 'verify', algorithm: config.hasher.algorithm });
    const running = () => this.running;
    new Gauge({
      name: 'password_hash_queue_length',
      help: 'Password hashes waiting for a hashing thread (HASHER_CONCURRENCY are computed at once)',
      registers,
      collect() {
        this.set(pool.queueSize);
      },
    });
    new Gauge({
      name: 'password_hash_in_progress',
      help: 'Password hashes being computed now',
      registers,
      collect() {
        // A result on its way back still counts as running here, while its thread already computes the next one.
        this.set(Math.min(Math.max(running() - pool.queueSize, 0), threads));
      },
    });
  }

  /**
   * One trivial task at start: a thread that cannot start (its file or a native module missing) then stops the start
   * with the reason, instead of leaving every later hash waiting. The thread exits once idle.
   */
  async onModuleInit(): Promise<void> {
    let onError: (err: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (onError = (err) => reject(new Error(`password hashing threads cannot start: ${err.message}`))));
    this.pool.once('error', onError);
    try {
      await Promise.race([this.pool.run({ operation: 'verify', password: '', hash: '' }), failed]);
    } finally {
      this.pool.off('error', onError);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  /** Throws a 400 for a password the configured algorithm cannot hash. */
  assertHashable(password: string): void {
    const bytes = Buffer.byteLength(password, 'utf8');
    if (this.config.hasher.algorithm === 'bcrypt' && bytes > BCRYPT_MAX_BYTES) {
      throw ApiError.badRequest('the password does not fulfill the password policy because: passwords are limited to a maximum length of 72 characters');
    }
    if (bytes > MAX_PASSWORD_BYTES) {
      throw ApiError.badRequest(`the password does not fulfill the password policy because: passwords are limited to ${MAX_PASSWORD_BYTES} bytes`);
    }
  }

  async hash(password: string): Promise<string> {
    this.assertHashable(password);
    const { algorithm, argon2, bcryptCost } = this.config.hasher;
    const task: HashTask =
      algorithm === 'bcrypt' ? { operation: 'hash', password, algorithm, cost: bcryptCost } : { operation: 'hash', password, algorithm, ...argon2 };
    return (await this.run(task, algorithm)) as string;
  }

  async verify(password: string, hash: string): Promise<boolean> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
    // The stored hash's format names the algorithm (a fixed set of names, so the label set stays small).
    const algorithm = detectHashFormat(hash)?.name ?? 'unknown';
    return (await this.run({ operation: 'verify', password, hash }, algorithm)) as boolean;
  }

  /** Hashes queued or being computed. */
  get pending(): number {
    return this.running;
  }

  private async run(task: HashTask, algorithm: string): Promise<string | boolean> {
    this.running++;
    try {
      const { value, seconds } = await this.pool.run(task);
      this.duration.observe({ operation: task.operation, algorithm }, seconds);
      return value;
    } finally {
      this.running--;
    }
  }

  /** True when `hash` is not what the configured hasher would produce now (other algorithm or weaker parameters). */
  needsRehash(hash: string): boolean {
    const { algorithm, argon2, bcryptCost } = this.config.hasher;
    if (algorithm === 'bcrypt') {
      const m = /^\$2[aby]\$(\d\d)\$/.exec(hash);
      return !m || Number(m[1]) < bcryptCost;
    }
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    return !m || Number(m[1]) < argon2.memoryKiB || Number(m[2]) < argon2.iterations || Number(m[3]) < argon2.parallelism;
  }
}
