import { randomBytes } from 'node:crypto';
import { Test, TestingModule } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { Clock } from '../../src/common/time/clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { LifecycleState } from '../../src/lifecycle/lifecycle-state';
import { FakeClock } from './fake-clock';
import { FAST_HASHING } from './fixtures';
import { TEST_REDIS_URL } from './test-app';

/**
 * The service-level tier: the application's modules without HTTP, on an in-memory SQLite database, with a clock the
 * test moves. For rules (credentials, flow expiry, retries) that end-to-end tests would reach only slowly or by
 * waiting. Redis is the shared test server (attempt limits, the queue); the relay is off unless a test turns it on.
 */
export interface ServiceContext {
  config: AppConfig;
  clock: FakeClock;
  get<T>(type: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

export async function startServiceContext(options: { env?: Record<string, string> } = {}): Promise<ServiceContext> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'sqlite::memory:',
    REDIS_URL: TEST_REDIS_URL,
    EVENTS_QUEUE: `service-events-${randomBytes(4).toString('hex')}`,
    REDIS_KEY_PREFIX: `service-${randomBytes(4).toString('hex')}`,
    EVENTS_RELAY_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    ...FAST_HASHING,
    ...options.env,
  });
  const clock = new FakeClock();
  const lifecycle = Object.assign(new LifecycleState(), { phase: 'serving' as const });
  const moduleRef: TestingModule = await Test.createTestingModule({ imports: [AppModule.forRoot(config, lifecycle)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .setLogger({ log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} })
    .compile();
  await moduleRef.init();
  return {
    config,
    clock,
    get: (type) => moduleRef.get(type, { strict: false }),
    close: () => moduleRef.close(),
  };
}
