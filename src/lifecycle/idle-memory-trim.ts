import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The event loop busy less than this share of a check interval counts as quiet (probes and relay polls stay below). */
const QUIET_UTILIZATION = 0.02;
/** Busier than this, and the next quiet spell trims again. */
const BUSY_UTILIZATION = 0.05;
const CHECK_EVERY_MS = 10_000;

type GcFunction = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface TrimResult {
  freedBytes: number;
  pauseMs: number;
}

/** What the trim observes and does; the defaults are the real event loop and `trimNow` (tests script them). */
export interface IdleMemoryTrimOptions {
  /** The event loop's busy share since the previous call (default: from `performance.eventLoopUtilization`). */
  utilization?: () => number;
  /** What a trim does (default: `trimNow`). */
  trim?: () => TrimResult;
}

/**
 * Gives memory back to the OS once the process has been quiet for a while. V8 keeps its young generation at the size
 * the busiest moment needed (with Node 24's defaults on a large machine, 128 MiB, most of an idle replica's RSS) and
 * Node has no API that asks it to shrink. A full GC in V8's memory-reducing mode ("last resort") shrinks the young
 * generation and compacts the old one. It runs at most once per quiet spell, never under load, and pauses the process
 * for 50–160 ms on this service's heap; a load that comes back grows the heap again as before.
 */
export class IdleMemoryTrim {
  private timer?: NodeJS.Timeout;
  private quietForMs = 0;
  private trimmed = false;
  private readonly utilization: () => number;
  private readonly trim: () => TrimResult;

  constructor(
    private readonly afterMs: number,
    private readonly onTrim: (result: TrimResult) => void = () => undefined,
    options: IdleMemoryTrimOptions = {},
  ) {
    this.utilization = options.utilization ?? eventLoopBusyShare();
    this.trim = options.trim ?? trimNow;
  }

  start(): void {
    if (this.afterMs <= 0 || this.timer) return;
    const everyMs = Math.min(this.afterMs, CHECK_EVERY_MS);
    this.utilization();
    this.timer = setInterval(() => this.check(everyMs), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(intervalMs: number): void {
    const utilization = this.utilization();
    if (utilization >= BUSY_UTILIZATION) this.trimmed = false;
    this.quietForMs = utilization < QUIET_UTILIZATION ? this.quietForMs + intervalMs : 0;
    if (this.trimmed || this.quietForMs < this.afterMs) return;
    this.trimmed = true;
    this.onTrim(this.trim());
    // The GC's own pause is not activity: measured from here, it would re-arm the next trim.
    this.utilization();
  }
}

/** The event loop's busy share between calls. */
function eventLoopBusyShare(): () => number {
  let last: EventLoopUtilization | undefined;
  return () => {
    const now = performance.eventLoopUtilization();
    const share = last ? performance.eventLoopUtilization(now, last).utilization : 0;
    last = now;
    return share;
  };
}

/** One memory-reducing full GC now; what it freed (RSS before minus after) and how long it paused the process. */
export function trimNow(): TrimResult {
  const before = process.memoryUsage.rss();
  const started = performance.now();
  memoryReducingGc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return { freedBytes: before - process.memoryUsage.rss(), pauseMs: performance.now() - started };
}

let gcFunction: GcFunction | undefined;

/**
 * V8's `gc` function without `--expose-gc` on the command line: the flag makes contexts created after it carry one.
 * It is turned off again at once, so no other context (and no code of ours) sees a global `gc`.
 */
function memoryReducingGc(): GcFunction {
  if (gcFunction) return gcFunction;
  const global = (globalThis as { gc?: GcFunction }).gc;
  if (global) return (gcFunction = global);
  setFlagsFromString('--expose-gc');
  try {
    gcFunction = runInNewContext('gc') as GcFunction;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return gcFunction;
}
