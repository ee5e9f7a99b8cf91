import { Clock } from '../../src/common/time/clock';

/** A clock that stands still until a test moves it. */
export class FakeClock extends Clock {
  private ms: number;

  constructor(start: Date = new Date()) {
    super();
    this.ms = start.getTime();
  }

  override now(): Date {
    return new Date(this.ms);
  }

  override nowMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
