import { readdirSync, readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { loadConfig } from '../../config/app-config';
import { FAST_HASHING } from '../../../test/support/fixtures';
import { HASHING_NICE_INCREMENT, PasswordHasherService } from './password-hasher.service';

/** The nice values of this process's threads, from /proc (Linux keeps one per thread). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      // The fields after the parenthesised command name; nice is field 19 of the line, the 17th of these.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // the thread ended meanwhile
    }
  });
}

describe('PasswordHasherService', () => {
  const hashers: PasswordHasherService[] = [];
  const hasherWith = (env: Record<string, string>, registry?: Registry) => {
    const hasher = new PasswordHasherService(loadConfig({ ...FAST_HASHING, ...env }), registry);
    hashers.push(hasher);
    return hasher;
  };
  afterAll(() => Promise.all(hashers.map((h) => h.onModuleDestroy())));

  it('computes at most HASHER_CONCURRENCY hashes at once, on threads below the event loop priority, and queues the rest', async () => {
    const registry = new Registry();
    const hasher = hasherWith({ HASHER_CONCURRENCY: '2' }, registry);
    const inProgress = async () => (await registry.getSingleMetric('password_hash_in_progress')!.get()).values[0].value;
    const ownNice = threadNiceValues()[0];
    let peak = 0;
    let lowered = 0;
    const timer = setInterval(() => {
      void inProgress().then((n) => (peak = Math.max(peak, n)));
      lowered = Math.max(lowered, threadNiceValues().filter((nice) => nice === Math.min(ownNice + HASHING_NICE_INCREMENT, 19)).length);
    }, 1);
    try {
      const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hasher.hash(`password-${i}`)));
      expect(new Set(hashes).size).toBe(12);
      expect(await Promise.all(hashes.map((h, i) => hasher.verify(`password-${i}`, h)))).toEqual(Array(12).fill(true));
    } finally {
      clearInterval(timer);
    }
    expect(peak).toBe(2);
    expect(lowered).toBe(2);
    expect(hasher.pending).toBe(0);
  });

  it('keeps the event loop free while it hashes', async () => {
    const hasher = hasherWith({ HASHER_CONCURRENCY: '1', HASHER_ARGON2_MEMORY_KIB: '65536', HASHER_ARGON2_ITERATIONS: '3' });
    await hasher.hash('warm-up-the-thread');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = Date.now();
    await hasher.hash('a-slower-password');
    const elapsed = Date.now() - started;
    clearInterval(timer);
    // A hash on the event loop would leave no tick until it finished.
    expect(ticks).toBeGreaterThan(Math.min(elapsed / 4, 5));
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
    await hasher.onModuleDestroy();
  });
});
