import { InMemorySlidingWindow, PENDING_MAX_MS } from './sliding-window';

describe('InMemorySlidingWindow', () => {
  const limits = [{ key: 'identifier:a', limit: 2 }];

  it('refuses once failures fill the window, until the oldest leaves it', () => {
    const window = new InMemorySlidingWindow();
    for (const at of [0, 10]) {
      const taken = window.acquire(limits, 1_000, at);
      if (taken.allowed !== true) throw new Error('expected an attempt');
      window.fail(['identifier:a'], taken.token);
    }
    expect(window.acquire(limits, 1_000, 500)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(window.acquire(limits, 1_000, 1_001).allowed).toBe(true);
  });

  it('asks to wait, not refuses, while pending attempts fill it; a given-back attempt frees its place', () => {
    const window = new InMemorySlidingWindow();
    const first = window.acquire(limits, 1_000, 0);
    window.acquire(limits, 1_000, 0);
    expect(window.acquire(limits, 1_000, 5)).toEqual({ allowed: 'wait' });
    if (first.allowed !== true) throw new Error('expected an attempt');
    window.release(['identifier:a'], first.token);
    expect(window.acquire(limits, 1_000, 6).allowed).toBe(true);
  });

  it('counts an attempt that was never settled as a failure after PENDING_MAX_MS', () => {
    const window = new InMemorySlidingWindow();
    window.acquire(limits, PENDING_MAX_MS * 4, 0);
    window.acquire(limits, PENDING_MAX_MS * 4, 0);
    expect(window.acquire(limits, PENDING_MAX_MS * 4, PENDING_MAX_MS + 1).allowed).toBe(false);
  });
});
