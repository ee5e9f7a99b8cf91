import IORedis, { Cluster } from 'ioredis';
import { loadConfig } from '../config/app-config';
import { createRedis, describeRedis } from './redis-options';

describe('createRedis', () => {
  const made: Array<IORedis | Cluster> = [];
  const make = (env: Record<string, string>) => {
    const config = loadConfig(env).redis;
    // lazyConnect is not offered: the client is made and dropped at once, before it has connected.
    const client = createRedis(config);
    made.push(client);
    return { client, config };
  };
  afterAll(() => made.forEach((c) => c.disconnect()));

  it('makes a Cluster client whose nodes get the password, username and TLS', () => {
    const { client, config } = make({ REDIS_CLUSTER_NODES: '127.0.0.1:1', REDIS_PASSWORD: 'pw', REDIS_USERNAME: 'svc', REDIS_TLS: 'true' });
    expect(client).toBeInstanceOf(Cluster);
    expect((client as Cluster).options.redisOptions).toMatchObject({ password: 'pw', username: 'svc', tls: {}, protocol: 2, enableOfflineQueue: false });
    expect(describeRedis(config)).toBe('Redis Cluster 127.0.0.1:1');
  });

  it('makes a Sentinel client for the master name, with TLS to the sentinels when asked', () => {
    const { client } = make({ REDIS_SENTINELS: '127.0.0.1:1', REDIS_SENTINEL_MASTER: 'kratos', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true' });
    expect((client as IORedis).options).toMatchObject({ name: 'kratos', password: 'pw', tls: {}, enableTLSForSentinelMode: true });
  });

  it('never logs a password', () => {
    expect(describeRedis(loadConfig({ REDIS_URL: 'rediss://svc:secret@host:6380/2' }).redis)).toBe('rediss://svc:***@host:6380/2');
  });
});
