import { randomUUID } from 'node:crypto';
import IORedis, { Cluster } from 'ioredis';
import { startConsumer } from '../examples/consumer/consumer';
import { DisposableRedisCluster } from './support/redis-cluster';
import { DisposableRedisSentinel } from './support/redis-sentinel';
import { QueueReader, startTestApp, TestApp } from './support/test-app';

/**
 * The service on real local Redis topologies that fail over: a Redis Cluster (3 masters, 3 replicas, a password) and
 * a Sentinel set (a master, two replicas, three sentinels). The master holding the queue is killed while identities
 * are written; every event arrives, once, and the relay catches up (EVENTS_WAIT_REPLICAS=1).
 */
interface Topology {
  name: string;
  start(): Promise<{
    env: Record<string, string>;
    client: IORedis | Cluster;
    prefix: string;
    killMaster(queue: string): Promise<void>;
    stop(): void;
    consumer?: { clusterNodes: Array<{ host: string; port: number }>; password?: string };
  }>;
}

const topologies: Topology[] = [
  {
    name: 'a Redis Cluster',
    async start() {
      const cluster = await DisposableRedisCluster.start({ password: `pw-${randomUUID()}` });
      return {
        env: { REDIS_CLUSTER_NODES: cluster.nodeList, REDIS_PASSWORD: cluster.password! },
        client: cluster.client(),
        prefix: '{bull}',
        async killMaster(queue) {
          const key = `{bull}:${queue}:id`;
          const master = cluster.masterOf(key);
          cluster.kill(master);
          return cluster.waitForFailover(master, key);
        },
        stop: () => cluster.stop(),
        consumer: { clusterNodes: cluster.nodes, password: cluster.password },
      };
    },
  },
  {
    name: 'Redis Sentinel',
    async start() {
      const sentinel = await DisposableRedisSentinel.start();
      const sentinels = sentinel.sentinelList.split(',').map((hp) => ({ host: '127.0.0.1', port: Number(hp.split(':')[1]) }));
      return {
        env: { REDIS_SENTINELS: sentinel.sentinelList, REDIS_SENTINEL_MASTER: sentinel.masterName },
        client: new IORedis({ sentinels, name: sentinel.masterName, maxRetriesPerRequest: 3 }),
        prefix: 'bull',
        async killMaster() {
          const master = sentinel.masterPort();
          sentinel.kill(master);
          return sentinel.waitForFailover(master);
        },
        stop: () => sentinel.stop(),
      };
    },
  },
];

describe.each(topologies)('events on $name', (topology) => {
  let redis: Awaited<ReturnType<Topology['start']>>;
  let app: TestApp;
  let reader: QueueReader;
  const queue = `topology-events-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    redis = await topology.start();
    app = await startTestApp({
      env: { ...redis.env, EVENTS_QUEUE: queue, EVENTS_WAIT_REPLICAS: '1', EVENTS_RELAY_INTERVAL_MS: '50', EVENTS_RELAY_MAX_BACKOFF_MS: '300' },
    });
    reader = new QueueReader(queue, { connection: redis.client, prefix: redis.prefix });
  }, 60_000);
  afterAll(async () => {
    await app?.destroy();
    await reader?.close().catch(() => undefined);
    redis?.client.disconnect();
    redis?.stop();
  });

  const create = async (email: string) => {
    const res = await fetch(`${app.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'default', traits: { email } }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  it('publishes under the BullMQ prefix (on a cluster a hash tag: one slot per queue)', async () => {
    const id = await create(`first-${randomUUID()}@example.com`);
    const events = await reader.waitFor((e) => e.some((x) => x.subject === id));
    expect(events.map((e) => e.subject)).toContain(id);
    expect(await redis.client.exists(`${redis.prefix}:${queue}:meta`)).toBe(1);
  });

  it('loses no event when the master dies while identities are written, and catches up on the new one', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await create(`before-${i}-${randomUUID()}@example.com`));
    const failover = redis.killMaster(queue);
    for (let i = 0; i < 20; i++) ids.push(await create(`during-${i}-${randomUUID()}@example.com`));
    await failover;
    for (let i = 0; i < 10; i++) ids.push(await create(`after-${i}-${randomUUID()}@example.com`));

    const events = await reader.waitFor((e) => ids.every((id) => e.some((x) => x.type === 'identity.created' && x.subject === id)), 45_000);
    const created = events.filter((e) => e.type === 'identity.created').map((e) => e.subject);
    expect(ids.filter((id) => !created.includes(id))).toEqual([]);
    const jobIds = events.map((e) => e.id);
    expect(new Set(jobIds).size).toBe(jobIds.length); // job ids are event ids

    // The relay caught up and does not keep failing (a promoted master may have no replica yet: it publishes anyway).
    const deadline = Date.now() + 20_000;
    let relay: { failing?: boolean; backlog?: number } = {};
    while (Date.now() < deadline) {
      relay = ((await (await fetch(`${app.adminUrl}/health/ready`)).json()) as { relay: typeof relay }).relay;
      if (relay.backlog === 0 && !relay.failing) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(relay).toMatchObject({ backlog: 0, failing: false });

    if (redis.consumer) {
      // The example consumer, on the cluster, handles each event once.
      const handled: string[] = [];
      const consumer = startConsumer({ redisUrl: '', ...redis.consumer, queue, consumerName: queue, handle: (e) => Promise.resolve(void handled.push(e.id)) });
      const until = Date.now() + 30_000;
      while (handled.length < events.length && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      await consumer.stop();
      expect(new Set(handled).size).toBe(handled.length);
      expect(new Set(handled)).toEqual(new Set(events.map((e) => e.id)));
    }
  }, 90_000);
});
