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

  it('trims once per quiet spell, again only after the event loop was busy in between', async () => {
    const trims: TrimResult[] = [];
    // Half-second checks: short enough for a test, long enough that the test runner's own work stays below "busy".
    const trim = new IdleMemoryTrim(500, (r) => trims.push(r));
    trim.start();
    try {
      await sleep(1700);
      expect(trims).toHaveLength(1);
      await busyFor(1200);
      const afterBusy = trims.length;
      await sleep(1700);
      expect(trims.length).toBe(afterBusy + 1);
    } finally {
      trim.stop();
    }
  });

  it('never runs while the event loop stays busy, nor when turned off', async () => {
    const trims: TrimResult[] = [];
    const busy = new IdleMemoryTrim(300, (r) => trims.push(r));
    const off = new IdleMemoryTrim(0, (r) => trims.push(r));
    busy.start();
    off.start();
    try {
      await busyFor(800);
      expect(trims).toHaveLength(0);
    } finally {
      busy.stop();
      off.stop();
    }
  });
});
