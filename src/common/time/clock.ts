import { Injectable } from '@nestjs/common';

/**
 * The current time for the rules that depend on it (flow and session expiry, recovery lifespans, pruning). Injected,
 * so that the service-level tests move time forward instead of waiting for it. Timers and timeouts keep using the
 * real time: they bound waits, which a test clock must not stretch.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }

  nowMs(): number {
    return Date.now();
  }
}
