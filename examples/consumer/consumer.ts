/*
 * A small consumer of the event stream: a BullMQ Worker on the event queue that processes each event once.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 EVENTS_QUEUE=kratos-events npx ts-node --transpile-only examples/consumer/consumer.ts
 *   REDIS_CLUSTER_NODES=10.0.0.1:6379,10.0.0.2:6379 EVENTS_QUEUE=kratos-events npx ts-node … (a Redis Cluster)
 *
 * Delivery is at least once (a relay that crashed after publishing publishes again, and BullMQ's jobId dedup ends
 * when completed jobs are removed), so the consumer deduplicates on the CloudEvents id with a Redis key.
 */
import { Job, Worker } from 'bullmq';
import IORedis, { Cluster } from 'ioredis';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
  traceparent?: string;
}

export interface ConsumerOptions {
  redisUrl: string;
  /** A Redis Cluster's nodes instead of `redisUrl`, and their password. */
  clusterNodes?: Array<{ host: string; port: number }>;
  password?: string;
  /** The service's EVENTS_QUEUE_PREFIX: `bull`, or `{bull}` on a cluster (a hash tag keeps a queue in one slot). */
  prefix?: string;
  queue: string;
  /** Namespace of the dedup keys: one per consuming service. */
  consumerName: string;
  /** How long a processed id is remembered; keep it longer than EVENTS_KEEP_COMPLETED_SECONDS. */
  dedupeSeconds?: number;
  handle: (event: CloudEvent) => Promise<void>;
}

/** Starts a worker; resolves to a function that stops it. */
export function startConsumer(options: ConsumerOptions): { worker: Worker; stop: () => Promise<void> } {
  // RESP2, as the service's own connections: BullMQ is tested on it (ioredis 6 would negotiate RESP3).
  const connect = () =>
    options.clusterNodes
      ? new Cluster(options.clusterNodes, {
          redisOptions: { maxRetriesPerRequest: null, protocol: 2, ...(options.password ? { password: options.password } : {}) },
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 200,
        })
      : new IORedis(options.redisUrl, { maxRetriesPerRequest: null, protocol: 2 });
  const prefix = options.prefix ?? (options.clusterNodes ? '{bull}' : 'bull');
  const redis = connect();
  const dedupeSeconds = options.dedupeSeconds ?? 30 * 24 * 3600;

  const processJob = async (job: Job<CloudEvent>) => {
    const event = job.data;
    const key = `${options.consumerName}:processed:${event.id}`;
    // Claim the id. If another delivery of the same event finished it, skip; if one is handling it right now,
    // wait for it (it either finishes, or fails and releases the claim for us).
    for (let waited = 0; !(await redis.set(key, 'processing', 'EX', 300, 'NX')); waited += 100) {
      if ((await redis.get(key)) === 'done') return 'duplicate';
      if (waited > 60_000) throw new Error(`event ${event.id} is still being handled by another delivery`);
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      await options.handle(event);
      await redis.set(key, 'done', 'EX', dedupeSeconds);
      return 'processed';
    } catch (err) {
      await redis.del(key); // let a retry process it
      throw err;
    }
  };

  // BullMQ duplicates this connection for its blocking reads and never closes a connection it was handed.
  const workerConnection = connect();
  const worker = new Worker<CloudEvent>(options.queue, processJob, { connection: workerConnection, prefix, concurrency: 8 });
  return {
    worker,
    async stop() {
      await worker.close();
      await workerConnection.quit().catch(() => undefined);
      await redis.quit();
    },
  };
}

if (require.main === module) {
  const { stop } = startConsumer({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    clusterNodes: process.env.REDIS_CLUSTER_NODES?.split(',').map((hp) => ({ host: hp.split(':')[0], port: Number(hp.split(':')[1]) })),
    prefix: process.env.EVENTS_QUEUE_PREFIX,
    password: process.env.REDIS_PASSWORD,
    queue: process.env.EVENTS_QUEUE ?? 'kratos-events',
    consumerName: process.env.CONSUMER_NAME ?? 'example-consumer',
    handle: (event) => {
      console.log(`${event.time} ${event.type} subject=${event.subject} id=${event.id}`);
      return Promise.resolve();
    },
  });
  const shutdown = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  console.log('consuming; Ctrl+C to stop');
}
