import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

/**
 * Recovery codes and link tokens are stored as HMAC-SHA256 keyed with RECOVERY_SECRET, so a database dump reveals
 * none of them (and a 6-digit code cannot be brute-forced offline without the key), and are compared in constant time.
 */
@Injectable()
export class RecoverySecrets {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.recovery.secret) {
      this.key = Buffer.from(config.recovery.secret, 'utf8');
    } else {
      this.key = randomBytes(32);
      new Logger('Recovery').warn(
        'RECOVERY_SECRET is not set: using a random key for this process only. Recovery links and codes stop working at restart and on other replicas; set RECOVERY_SECRET in production.',
      );
    }
  }

  hmac(secret: string): string {
    return createHmac('sha256', this.key).update(secret, 'utf8').digest('hex');
  }

  /** Constant-time comparison of a presented secret with a stored HMAC. */
  matches(secret: string, storedHmac: string): boolean {
    const a = Buffer.from(this.hmac(secret), 'hex');
    const b = Buffer.from(storedHmac, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
