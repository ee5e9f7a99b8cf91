import { loadConfig } from '../../config/app-config';
import { PasswordHasher } from './password-hasher.service';

describe('PasswordHasher', () => {
  it('computes at most HASHER_CONCURRENCY hashes at once and queues the rest in order', async () => {
    const hasher = new PasswordHasher(loadConfig({ HASHER_CONCURRENCY: '2', HASHER_ARGON2_MEMORY_KIB: '1024', HASHER_ARGON2_ITERATIONS: '1' }));
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
