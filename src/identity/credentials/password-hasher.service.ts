import { Inject, Injectable, Optional } from '@nestjs/common';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import pLimit, { type LimitFunction } from 'p-limit';
import { Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { ApiError } from '../../common/errors/api-error';
import { METRICS_REGISTRY } from '../../metrics/metrics.module';
import { detectHashFormat, verifyPasswordHash } from './hashing/hash-formats';

/** Longest plaintext accepted for hashing; beyond it a request is refused rather than burning CPU. */
export const MAX_PASSWORD_BYTES = 4096;
export const BCRYPT_MAX_BYTES = 72;
/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

/**
 * Hashes new passwords with the configured algorithm (argon2id by default, bcrypt selectable) and verifies any
 * importable format. The native hashers run on libuv's thread pool, off the event loop; the limit bounds how many
 * run at once so a burst of imports or logins queues instead of exhausting memory (argon2 takes m KiB per hash).
 */
@Injectable()
export class PasswordHasherService {
  private readonly limit: LimitFunction;
  private readonly duration: Histogram<'operation' | 'algorithm'>;

  /** Without a registry (unit tests) the metrics are kept but exposed nowhere. */
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    const limit = (this.limit = pLimit(config.hasher.concurrency));
    const registers = registry ? [registry] : [];
    // The time a hash takes on the thread pool, not counting the wait for a slot (that is the queue gauge).
    this.duration = new Histogram({
      name: 'password_hash_duration_seconds',
      help: 'Time to compute a password hash (hash: a new password; verify: a login or a check), by algorithm',
      labelNames: ['operation', 'algorithm'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.duration.zero({ operation: 'hash', algorithm: config.hasher.algorithm });
    this.duration.zero({ operation: 'verify', algorithm: config.hasher.algorithm });
    new Gauge({
      name: 'password_hash_queue_length',
      help: 'Password hashes waiting for a slot (HASHER_CONCURRENCY are computed at once)',
      registers,
      collect() {
        this.set(limit.pendingCount);
      },
    });
    new Gauge({
      name: 'password_hash_in_progress',
      help: 'Password hashes being computed now',
      registers,
      collect() {
        this.set(limit.activeCount);
      },
    });
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
    return this.limit(() =>
      this.timed('hash', algorithm, () =>
        algorithm === 'bcrypt'
          ? bcryptHash(password, bcryptCost)
          : argon2Hash(password, {
              algorithm: ARGON2ID,
              memoryCost: argon2.memoryKiB,
              timeCost: argon2.iterations,
              parallelism: argon2.parallelism,
            }),
      ),
    );
  }

  async verify(password: string, hash: string): Promise<boolean> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
    // The stored hash's format names the algorithm (a fixed set of names, so the label set stays small).
    const algorithm = detectHashFormat(hash)?.name ?? 'unknown';
    return this.limit(() => this.timed('verify', algorithm, () => verifyPasswordHash(password, hash)));
  }

  private async timed<T>(operation: 'hash' | 'verify', algorithm: string, work: () => Promise<T>): Promise<T> {
    const end = this.duration.startTimer({ operation, algorithm });
    try {
      return await work();
    } finally {
      end();
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
