import { Registry } from 'prom-client';
import { loadConfig } from '../../config/app-config';
import { FAST_HASHING } from '../../../test/support/fixtures';
import { PasswordHasherService } from './password-hasher.service';

describe('PasswordHasherService', () => {
  it('computes at most HASHER_CONCURRENCY hashes at once and queues the rest in order', async () => {
    const hasher = new PasswordHasherService(loadConfig({ ...FAST_HASHING, HASHER_CONCURRENCY: '2' }));
    const limit = (hasher as unknown as { limit: { activeCount: number; pendingCount: number } }).limit;
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, limit.activeCount)), 0);
    try {
      const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hasher.hash(`password-${i}`)));
      expect(new Set(hashes).size).toBe(12);
      expect(await Promise.all(hashes.map((h, i) => hasher.verify(`password-${i}`, h)))).toEqual(Array(12).fill(true));
    } finally {
      clearInterval(timer);
    }
    expect(peak).toBe(2);
    expect(limit.activeCount + limit.pendingCount).toBe(0);
  });
});

describe('PasswordHasherService metrics', () => {
  it('times hashes and verifications by operation and algorithm, excluding the wait for a slot', async () => {
    const registry = new Registry();
    const hasher = new PasswordHasherService(loadConfig({ ...FAST_HASHING, HASHER_CONCURRENCY: '1' }), registry);
    const hash = await hasher.hash('a-password-1');
    expect(await hasher.verify('a-password-1', hash)).toBe(true);
    expect(await hasher.verify('a-password-1', '$2a$04$abcdefghijklmnopqrstuu5Ww5Vq4Gq5Q1oV8mA3mQ9h8Yk3pXy2')).toBe(false);
    expect(await hasher.verify('a-password-1', 'not-a-hash')).toBe(false);
    const counts = Object.fromEntries(
      (await registry.getSingleMetric('password_hash_duration_seconds')!.get()).values
        .filter((v) => (v as { metricName?: string }).metricName === 'password_hash_duration_seconds_count')
        .map((v) => [`${v.labels.operation} ${v.labels.algorithm}`, v.value]),
    );
    expect(counts).toEqual({ 'hash argon2id': 1, 'verify argon2id': 1, 'verify bcrypt': 1, 'verify unknown': 1 });
    expect(await registry.getSingleMetricAsString('password_hash_queue_length')).toMatch(/^password_hash_queue_length 0$/m);
  });
});
