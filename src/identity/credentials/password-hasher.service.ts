import { Inject, Injectable } from '@nestjs/common';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import pLimit, { type LimitFunction } from 'p-limit';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { ApiError } from '../../common/errors/api-error';
import { verifyPasswordHash } from './hashing/hash-formats';

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
export class PasswordHasher {
  private readonly limit: LimitFunction;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.limit = pLimit(config.hasher.concurrency);
  }

  /** Throws a 400 for a password the configured algorithm cannot hash. */
  assertHashable(password: string): void {
    const bytes = Buffer.byteLength(password, 'utf8');
    if (this.config.hasher.algorithm === 'bcrypt' && bytes > BCRYPT_MAX_BYTES) {
      throw ApiError.badRequest(
        'the password does not fulfill the password policy because: passwords are limited to a maximum length of 72 characters',
      );
    }
    if (bytes > MAX_PASSWORD_BYTES) {
      throw ApiError.badRequest(`the password does not fulfill the password policy because: passwords are limited to ${MAX_PASSWORD_BYTES} bytes`);
    }
  }

  async hash(password: string): Promise<string> {
    this.assertHashable(password);
    const { algorithm, argon2, bcryptCost } = this.config.hasher;
    return this.limit(() =>
      algorithm === 'bcrypt'
        ? bcryptHash(password, bcryptCost)
        : argon2Hash(password, {
            algorithm: ARGON2ID,
            memoryCost: argon2.memoryKiB,
            timeCost: argon2.iterations,
            parallelism: argon2.parallelism,
          }),
    );
  }

  async verify(password: string, hash: string): Promise<boolean> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
    return this.limit(() => verifyPasswordHash(password, hash));
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
