import { getHeapSpaceStatistics } from 'node:v8';
import { IdleMemoryTrim, TrimResult, trimNow } from './idle-memory-trim';

const newSpaceBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Keeps the event loop busy for `ms` in short synchronous slices. */
async function busyFor(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const sliceEnd = Date.now() + 20;
    while (Date.now() < sliceEnd);
    await new Promise((r) => setImmediate(r));
  }
}

describe('IdleMemoryTrim', () => {
  it('shrinks the young generation that a burst of allocation grew, without leaving a global gc behind', () => {
    // Enough short-lived garbage to grow the young generation past its initial size.
    let survivors = 0;
    for (let round = 0; round < 40; round++) survivors += Array.from({ length: 50_000 }, (_, i) => ({ i, s: `x${i}` })).length;
    expect(survivors).toBe(2_000_000);
    const before = newSpaceBytes();
    const result = trimNow();
    expect(newSpaceBytes()).toBeLessThanOrEqual(before);
    expect(newSpaceBytes()).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(result.pauseMs).toBeGreaterThan(0);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  /** An IdleMemoryTrim fed busy shares from `shares` (one per check, then quiet), counting its trims. */
  function scripted(afterMs: number, shares: number[]) {
    const trims: TrimResult[] = [];
    let checks = -1; // start() takes the first reading
    const trim = new IdleMemoryTrim(afterMs, (r) => trims.push(r), {
      utilization: () => shares[checks++] ?? 0,
      trim: () => ({ freedBytes: 1, pauseMs: 1 }),
    });
    return { trim, trims, checks: () => checks };
  }

  it('trims once per quiet spell, again only after a busy check in between', async () => {
    // Checks every 20 ms; quiet needs 2 checks. Quiet, quiet (trim), quiet…, busy, quiet, quiet (trim), quiet…
    const shares = [0, 0, 0.001, 0.01, 0, 0, 0.3, 0.001, 0, 0, 0, 0];
    const { trim, trims, checks } = scripted(40, shares);
    trim.start();
    try {
      while (checks() < 4) await sleep(5);
      expect(trims).toHaveLength(1);
      while (checks() < shares.length) await sleep(5);
      expect(trims).toHaveLength(2);
    } finally {
      trim.stop();
    }
  });

  it('neither trims while busy, nor re-arms on a little activity (between quiet and busy), nor runs when turned off', async () => {
    const busy = scripted(
      40,
      Array.from({ length: 10 }, () => 0.5),
    );
    const light = scripted(40, [0, 0, 0.03, 0.03, 0, 0, 0, 0]);
    const off = scripted(0, []);
    for (const s of [busy, light, off]) s.trim.start();
    try {
      while (busy.checks() < 10 || light.checks() < 8) await sleep(5);
      expect(busy.trims).toHaveLength(0);
      // Light activity ends the quiet spell (no trim while it lasts) but is not the busy interval that re-arms.
      expect(light.trims).toHaveLength(1);
      expect(off.checks()).toBe(-1);
    } finally {
      for (const s of [busy, light, off]) s.trim.stop();
    }
  });

  it('measures the real event loop: a busy loop is not quiet', async () => {
    const trims: TrimResult[] = [];
    const trim = new IdleMemoryTrim(300, (r) => trims.push(r), { trim: () => ({ freedBytes: 1, pauseMs: 1 }) });
    trim.start();
    try {
      await busyFor(800);
      expect(trims).toHaveLength(0);
    } finally {
      trim.stop();
    }
  });
});
