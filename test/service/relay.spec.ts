import { EventPublisher } from '../../src/events/event-publisher';
import { OutboxRelayService } from '../../src/events/outbox-relay.service';
import { IdentityService } from '../../src/identity/identity.service';
import { passwordIdentityBody } from '../support/fixtures';
import { DisposableRedis } from '../support/redis-server';
import { ServiceContext, startServiceContext } from '../support/service-context';

const INTERVAL_MS = 25;
const MAX_BACKOFF_MS = 200;

/** The gaps between consecutive calls recorded in `times`. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('outbox relay backoff (service level, a private redis-server that is down, then up)', () => {
  let redis: DisposableRedis;
  let ctx: ServiceContext;
  beforeAll(async () => {
    redis = await DisposableRedis.start();
    await redis.stop();
    ctx = await startServiceContext({
      env: {
        REDIS_URL: redis.url,
        EVENTS_RELAY_ENABLED: 'true',
        EVENTS_RELAY_INTERVAL_MS: String(INTERVAL_MS),
        EVENTS_RELAY_MAX_BACKOFF_MS: String(MAX_BACKOFF_MS),
      },
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await redis?.stop();
  });

  it('doubles the wait from the poll interval up to the maximum while Redis is down, and polls at the interval again once it is back', async () => {
    const publisher = ctx.get(EventPublisher);
    const relay = ctx.get(OutboxRelayService);
    const checks: number[] = [];
    const isReady = publisher.isReady.bind(publisher);
    jest.spyOn(publisher, 'isReady').mockImplementation(() => {
      checks.push(Date.now());
      return isReady();
    });

    // Redis is down: each tick finds the publisher not ready and backs off.
    await ctx.get(IdentityService).create(passwordIdentityBody());
    await new Promise((r) => setTimeout(r, 1_500));
    const down = gaps(checks);
    expect(down.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...down)).toBeLessThan(MAX_BACKOFF_MS * 2);
    // The last waits are the maximum (a timer fires late on a busy machine, never early).
    for (const gap of down.slice(-3)) expect(gap).toBeGreaterThanOrEqual(MAX_BACKOFF_MS - 5);
    expect(await relay.backlog()).toBe(1);

    // Redis is back: the pending event is published, and the relay polls at its interval again.
    await redis.start();
    const deadline = Date.now() + 15_000;
    while ((await relay.backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await relay.backlog()).toBe(0);
    checks.length = 0;
    await new Promise((r) => setTimeout(r, 500));
    const up = gaps(checks);
    expect(up.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...up)).toBeLessThan(MAX_BACKOFF_MS / 2);
  });
});
